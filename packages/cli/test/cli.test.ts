/**
 * The real `posthog-backfill` command, spawned as users run it (see
 * `support/spawnCli.ts`) against generated claude-mem databases and a local
 * capture server, with a temp HOME.
 */
import { Presets } from "@posthog-backfill/core"
import { Backfill, InstallId, NodeActivitySource } from "@posthog-backfill/effect"
import { LocalCaptureServer, startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { expectNoTrace, progressLines, spawnCli, useScratch, withoutProgress } from "./support/spawnCli.js"

const space = useScratch("cli-test")

const NOW = "2026-06-12T08:00:00Z" // last full day 2026-06-09
const INSTALL_ID = "5b0c7a0e-3f7e-4d8a-9a53-0c2f1f6f2e11"
const API_KEY = "phc_cli_test"


const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => spawnCli(space.home, args, env)


/** What the library plans for the same inputs, serialized as `plan --json` promises. */
const libraryPlan = (database: string, installId: string) =>
  Effect.runPromise(
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse(NOW))
      return yield* Backfill.plan({ app: Presets.claudeMem, installId }).pipe(
        Effect.provide(NodeActivitySource.layer({ path: database }))
      )
    }).pipe(Effect.provide(TestContext.TestContext))
  ).then((plan) =>
    JSON.parse(JSON.stringify({
      window: { installDay: plan.window.installDay, lastFullDay: plan.window.lastFullDay },
      events: plan.events.map((event) => ({
        event: event.event,
        distinctId: event.distinctId,
        uuid: event.uuid,
        timestamp: event.timestamp.toISOString(),
        properties: event.properties
      }))
    })) as { window: unknown; events: Array<{ distinctId: string; timestamp: string; properties: Record<string, unknown> }> }
  )

const snapshotDir = (dir: string): Record<string, string> =>
  Object.fromEntries(fs.readdirSync(dir).sort().map((name) => [name, fs.readFileSync(path.join(dir, name), "utf8")]))

const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })


describe("posthog-backfill plan", () => {
  it("--json prints exactly the events the library plans for the same inputs", async () => {
    const dataDir = space.freshDir("data")
    const run = await cli(["plan", "--db", space.sampleDb, "--data-dir", dataDir, "--now", NOW, "--install-id", INSTALL_ID, "--json"])
    expect(run.code).toBe(0)
    expect(withoutProgress(run.stderr)).toBe("")
    const { state, schemaVersion, command, app, database, installId, totals, window, ...printed } = JSON.parse(run.stdout) as Record<string, unknown>
    expect({ schemaVersion, command, app, database, installId }).toEqual({
      schemaVersion: 1,
      command: "plan",
      app: "claude-mem",
      database: space.sampleDb,
      installId: { id: INSTALL_ID, source: "Flag" }
    })
    expect(Object.keys(printed)).toEqual(["events"])
    const expected = await libraryPlan(space.sampleDb, INSTALL_ID)
    const { activeDays, firstActiveDay, lastActiveDay, ...bounds } = window as Record<string, unknown>
    expect({ window: bounds, ...printed }).toEqual(expected)
    // The totals and the active days, summed here from the printed events.
    const activity = expected.events.filter((event) => (event as { event?: string }).event === "historical_activity")
    const sums: Record<string, number> = { events: expected.events.length }
    for (const event of activity) {
      for (const [key, value] of Object.entries(event.properties)) if (typeof value === "number") sums[key] = (sums[key] ?? 0) + value
    }
    expect(totals).toEqual(sums)
    expect({ activeDays, firstActiveDay, lastActiveDay }).toEqual({
      activeDays: activity.length,
      firstActiveDay: activity[0]?.timestamp.slice(0, 10),
      lastActiveDay: activity.at(-1)?.timestamp.slice(0, 10)
    })
    // The data dir holds nothing yet: the next send starts from scratch.
    expect(state).toEqual({ marker: { state: "absent" }, pending: null, attempts: null, lease: null, liveSince: null })
    expect(expected.events.length).toBeGreaterThan(10)
    expect(expected.window).toEqual({ installDay: expect.any(String), lastFullDay: "2026-06-09" })
    for (const event of expected.events) {
      expect(event.distinctId).toBe(INSTALL_ID)
      expect(event.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T12:00:00\.000Z$/)
    }
    expect(expected.events[0]?.properties).toHaveProperty("$set")
    expect(expected.events[1]?.properties).toMatchObject({ $process_person_profile: false, $ignore_sent_at: true })
  }, 60_000)

  it("writes nothing: the data dir stays empty and the database byte-identical; the placeholder is said on stderr", async () => {
    const dataDir = space.freshDir("empty")
    const before = { bytes: fs.readFileSync(space.sampleDb), mtimeMs: fs.statSync(space.sampleDb).mtimeMs }
    const siblings = fs.readdirSync(space.dir).sort()
    const [json, human] = await Promise.all([
      cli(["plan", "--db", space.sampleDb, "--data-dir", dataDir, "--now", NOW, "--json"]),
      cli(["plan", "--db", space.sampleDb, "--data-dir", dataDir, "--now", NOW])
    ])
    expect(json.code).toBe(0)
    const printed = JSON.parse(json.stdout) as { events: Array<{ distinctId: string }> }
    expect(new Set(printed.events.map((event) => event.distinctId))).toEqual(new Set([InstallId.PLACEHOLDER_INSTALL_ID]))
    expect(json.stderr).toContain("placeholder")
    expect(json.stdout).not.toContain("placeholder")

    expect(human.code).toBe(0)
    expect(human.stdout).toContain("PLACEHOLDER")
    expect(human.stdout).toMatch(/window\s+\d{4}-\d{2}-\d{2} \.\. 2026-06-09/)
    expect(human.stdout).toContain("observation_count")
    expect(human.stdout).toContain("activity per month")
    expect(human.stdout).toMatch(/2026-05 +[█·]+/)

    expect(fs.readdirSync(dataDir)).toEqual([])
    expect(fs.readdirSync(space.dir).sort()).toEqual(siblings) // no -wal / -shm / journal next to the database
    expect(fs.readFileSync(space.sampleDb).equals(before.bytes)).toBe(true)
    expect(fs.statSync(space.sampleDb).mtimeMs).toBe(before.mtimeMs)
  }, 60_000)

  it("reads the install id from the data dir's config file and leaves the file unchanged", async () => {
    const dataDir = space.freshDir("config")
    const config = `{"enabled": false, "installId": "${INSTALL_ID}", "other": 1}\n`
    fs.writeFileSync(path.join(dataDir, "telemetry.json"), config)
    const before = snapshotDir(dataDir)
    const run = await cli(["plan", "--db", space.sampleDb, "--data-dir", dataDir, "--now", NOW, "--json"])
    expect(run.code).toBe(0)
    expect(withoutProgress(run.stderr)).toBe("")
    const printed = JSON.parse(run.stdout) as { events: Array<{ distinctId: string }> }
    expect(printed.events[0]?.distinctId).toBe(INSTALL_ID)
    expect(snapshotDir(dataDir)).toEqual(before)
  }, 60_000)
})

describe("posthog-backfill send", () => {
  let server: LocalCaptureServer.LocalCaptureServer
  beforeAll(async () => {
    server = await startLocalCaptureServer({ apiKey: API_KEY })
  })
  afterAll(async () => {
    await server?.close()
  })

  it("delivers to the capture server, writes the marker, and a second send makes no request", async () => {
    const dataDir = space.freshDir("send")
    server.reset()
    const args = ["send", "--db", space.sampleDb, "--data-dir", dataDir, "--now", NOW, "--api-key", API_KEY, "--host", server.url]
    const first = await cli(args)
    expect(withoutProgress(first.stderr)).toBe("")
    // Without a terminal: one line per phase, in order.
    expect(progressLines(first.stderr).map((line) => line.replace(/\d+/g, "N"))).toEqual([
      "posthog-backfill: reading tables: N queries",
      "posthog-backfill: building events for N day(s)",
      "posthog-backfill: sending N event(s)"
    ])
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^sent: \d+ events/)
    const marker = JSON.parse(fs.readFileSync(path.join(dataDir, "backfill.json"), "utf8")) as Record<string, unknown>
    const config = JSON.parse(fs.readFileSync(path.join(dataDir, "telemetry.json"), "utf8")) as { installId: string }
    expect(marker).toMatchObject({ throughDay: "2026-06-09", installId: config.installId, completedAt: "2026-06-12T08:00:00.000Z" })

    const requests = server.requests
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatchObject({ path: "/batch/", status: 200, historicalMigration: true, apiKey: API_KEY })
    const expected = await libraryPlan(space.sampleDb, config.installId)
    expect(marker["eventCount"]).toBe(expected.events.length)
    expect(server.events.map((event) => event.uuid)).toEqual(expected.events.map((event) => (event as unknown as { uuid: string }).uuid))

    const second = await cli(args)
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/^already done/)
    expect(server.requests).toHaveLength(1)
  }, 60_000)

  it("stops by design with exit 0: no consent (which rule), no API key, dry run; nothing written", async () => {
    const dataDir = space.freshDir("gates")
    server.reset()
    const base = ["send", "--db", space.sampleDb, "--data-dir", dataDir, "--now", NOW, "--host", server.url, "--install-id", INSTALL_ID]
    const [ci, dnt, noKey, dryRun] = await Promise.all([
      cli([...base, "--api-key", API_KEY], { CI: "true" }),
      cli([...base, "--api-key", API_KEY], { DO_NOT_TRACK: "1" }),
      cli(base),
      cli([...base, "--api-key", API_KEY], { CLAUDE_MEM_TELEMETRY_DEBUG: "1" })
    ])
    expect(ci.code).toBe(0)
    expect(ci.stdout).toContain("rule: ci")
    expect(dnt.code).toBe(0)
    expect(dnt.stdout).toContain("rule: do-not-track")
    expect(noKey.code).toBe(0)
    expect(noKey.stdout).toContain("no PostHog API key")
    expect(noKey.stdout).toContain("POSTHOG_API_KEY")
    expect(dryRun.code).toBe(0)
    expect(dryRun.stdout).toMatch(/^dry run/)
    expect(dryRun.stderr).toContain(`"distinctId":"${INSTALL_ID}"`)
    expect(server.requests).toHaveLength(0)
    expect(fs.readdirSync(dataDir)).toEqual([])
  }, 60_000)

  it("an unreachable host fails with one line, exit 1, and no marker", async () => {
    const dataDir = space.freshDir("unreachable")
    const port = await closedPort()
    const run = await cli(
      ["send", "--db", space.sampleDb, "--data-dir", dataDir, "--now", NOW, "--api-key", API_KEY, "--host", `http://127.0.0.1:${port}`],
      { POSTHOG_BACKFILL_RETRY_COUNT: "1", POSTHOG_BACKFILL_RETRY_DELAY_MS: "50" }
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(withoutProgress(run.stderr).trim().split("\n")).toHaveLength(1)
    expect(withoutProgress(run.stderr)).toMatch(/^posthog-backfill: sending to http:\/\/127\.0\.0\.1:\d+ failed: .*connect ECONNREFUSED/)
    // A CI log shows the retry and its wait.
    expect(progressLines(run.stderr)).toContainEqual(expect.stringMatching(/^posthog-backfill: retry 1 of 1 in 0\.1 s \(.*ECONNREFUSED.*\)$/))
    expectNoTrace(run.stderr)
    expect(fs.existsSync(path.join(dataDir, "backfill.json"))).toBe(false)
  }, 60_000)
})

describe("bad input: one line naming the problem and the fix, non-zero exit, no trace", () => {
  it("missing file, not SQLite, unknown preset, malformed --now, bad host, bad tuning, unknown option", async () => {
    const notSqlite = path.join(space.dir, "notes.txt")
    fs.writeFileSync(notSqlite, "these are not the tables you are looking for\n".repeat(20))
    const dataDir = space.freshDir("bad")
    const cases: ReadonlyArray<{
      readonly args: ReadonlyArray<string>
      readonly env?: Record<string, string>
      readonly code: number
      readonly message: RegExp
    }> = [
      { args: ["plan", "--db", path.join(space.dir, "missing.db")], code: 1, message: /Cannot open the database .*missing\.db: check the path/ },
      {
        // Even when a gate would stop the run (CI turns consent off), a --db that points nowhere is reported.
        args: ["send", "--db", path.join(space.dir, "missing.db"), "--data-dir", dataDir, "--api-key", API_KEY],
        env: { CI: "true" },
        code: 1,
        message: /no database at .*missing\.db: check --db/
      },
      { args: ["plan", "--db", notSqlite], code: 1, message: /notes\.txt is not a SQLite database: point at the app's SQLite file/ },
      { args: ["plan", "--db", space.sampleDb, "--preset", "nope"], code: 2, message: /unknown preset "nope": pass --preset with one of claude-mem, job-runner/ },
      { args: ["plan", "--db", space.sampleDb, "--now", "next tuesday"], code: 2, message: /--now "next tuesday" is not an ISO-8601 .*pass e\.g\. --now/ },
      { args: ["plan", "--preset", "job-runner"], code: 2, message: /app job-runner has no default database path: pass --db/ },
      {
        args: ["send", "--db", space.sampleDb, "--data-dir", dataDir, "--api-key", API_KEY, "--host", "not a url"],
        code: 2,
        message: /--host "not a url" is not an http\(s\) URL/
      },
      {
        args: ["send", "--db", space.sampleDb, "--data-dir", dataDir, "--api-key", API_KEY],
        env: { POSTHOG_BACKFILL_RETRY_COUNT: "many" },
        code: 2,
        message: /POSTHOG_BACKFILL_RETRY_COUNT=many is not an integer/
      },
      { args: ["plan", "--frobnicate"], code: 2, message: /--frobnicate[\s\S]*--help/ }
    ]
    const runs = await Promise.all(cases.map((c) => cli(c.args, c.env)))
    runs.forEach((run, index) => {
      const c = cases[index]!
      expect({ args: c.args, code: run.code }).toEqual({ args: c.args, code: c.code })
      expect(run.stderr).toMatch(c.message)
      expect(run.stdout).toBe("")
      expectNoTrace(run.stderr)
      const ours = run.stderr.split("\n").filter((line) => line.startsWith("posthog-backfill:"))
      expect(ours).toHaveLength(1)
    })
    expect(fs.readdirSync(dataDir)).toEqual([])
  }, 60_000)
})

describe("posthog-backfill demo and --help", () => {
  it("demo: exits 0 even under CI=true and DO_NOT_TRACK=1, shows the request, the flag and the no-op second run", async () => {
    const run = await cli(["demo"], { CI: "true", DO_NOT_TRACK: "1" })
    expect(withoutProgress(run.stderr)).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("isolated, empty environment")
    expect(run.stdout).toMatch(/the server received 1 request: POST \/batch\/ -> 200 \(\d+ events/)
    expect(run.stdout).toContain("historical_migration: true")
    expect(run.stdout).toMatch(/already done/)
    expect(run.stdout).toContain("the server received no new request")
    const removed = /cleaned up: removed (\S+),/.exec(run.stdout)?.[1]
    expect(removed).toMatch(/posthog-backfill-demo-/)
    expect(fs.existsSync(removed!)).toBe(false)
  }, 60_000)

  it("--help on every command", async () => {
    const runs = await Promise.all([["--help"], ["plan", "--help"], ["send", "--help"], ["demo", "--help"]].map((args) => cli(args)))
    for (const run of runs) expect(run.code).toBe(0)
    expect(runs[1]!.stdout).toContain("--json")
    expect(runs[1]!.stdout).toContain("--install-id")
    expect(runs[2]!.stdout).toContain("--api-key")
    expect(runs[2]!.stdout).toContain("--host")
    expect(runs[3]!.stdout).toContain("demo")
    for (const run of runs) expect(run.stdout).not.toContain("\x1b[")
  }, 60_000)
})
