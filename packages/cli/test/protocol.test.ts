/**
 * The protocol's rules as a person meets them on the command line: a failed
 * delivery backs off (and `plan` shows it) until `send --force`; a wrong
 * clock is refused with one line and nothing written, the red-team clocks
 * included; a mistyped opt-out is off, and `consent status` quotes the value
 * that decided.
 */
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { expectNoTrace, spawnCli, useScratch, withoutProgress } from "./support/spawnCli.js"

const space = useScratch("protocol")

const API_KEY = "phc_protocol"
const NOW = "2026-06-12T12:00:00Z"

const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => spawnCli(space.home, args, env, 60_000)


describe("send after a failed delivery", { timeout: 240_000 }, () => {
  it("backs off, shows the backoff in plan and send, and send --force retries the same events at once", async () => {
    const server = await startLocalCaptureServer({ apiKey: API_KEY, faults: { alwaysStatus: 503 } })
    try {
      const dataDir = space.freshDir("backoff")
      const send = (extra: ReadonlyArray<string> = []) =>
        cli(["send", "--db", space.sampleDb, "--data-dir", dataDir, "--api-key", API_KEY, "--host", server.url, "--now", NOW, ...extra], {
          POSTHOG_BACKFILL_RETRY_COUNT: "0"
        })
      const failed = await send()
      expect(failed.code).toBe(1)
      expect(failed.stderr).toMatch(/sending to .* failed: .*The next attempt waits until 2026-06-12T1[23]:\d\d:\d\d\.\d{3}Z \(`send --force` tries sooner\)/)
      expectNoTrace(failed.stderr)
      const attempted = server.arrivals.flatMap((request) => request.events.map((event) => event.uuid))
      expect(attempted.length).toBeGreaterThan(0)
      const record = JSON.parse(fs.readFileSync(path.join(dataDir, "backfill.attempts.json"), "utf8")) as { nextEligibleAt: string }

      server.reset()
      const early = await send()
      expect(early.code).toBe(0)
      expect(early.stdout.trim()).toBe(
        `nothing sent: 1 earlier delivery attempt(s) failed (last: HTTP 503; 0/${attempted.length} events acknowledged); ` +
          `the next attempt waits until ${record.nextEligibleAt}. \`send --force\` tries now (the same send)`
      )
      expect(server.arrivals).toEqual([])

      const plan = await cli(["plan", "--db", space.sampleDb, "--data-dir", dataDir, "--now", NOW])
      expect(plan.stdout).toContain(`  attempts      1 failed delivery; next attempt ${record.nextEligibleAt} (send --force: now)`)
      expect(plan.stdout).toMatch(/ {2}pending send {2}started 2026-06-12T12:00:00\.000Z through 2026-06-10, not confirmed/)

      server.setFaults({})
      const forced = await send(["--force"])
      expect(forced.code, forced.stderr).toBe(0)
      expect(forced.stdout).toMatch(/^sent: /)
      expect(new Set(server.events.map((event) => event.uuid))).toEqual(new Set(attempted))
      expect(fs.readdirSync(dataDir).sort()).toEqual(["backfill.json", "telemetry.json"])
      // --force never ignores the marker.
      const again = await send(["--force"])
      expect(again.stdout).toMatch(/^already done/)
    } finally {
      await server.close()
    }
  })
})

describe("send on a wrong clock", { timeout: 240_000 }, () => {
  const refuse = async (database: string, now: string) => {
    const server = await startLocalCaptureServer({ apiKey: API_KEY })
    try {
      const dataDir = space.freshDir("clock")
      const run = await cli(["send", "--db", database, "--data-dir", dataDir, "--api-key", API_KEY, "--host", server.url, "--now", now])
      expect(run.code).toBe(1)
      expect(withoutProgress(run.stderr).trim().split("\n")).toHaveLength(1)
      expectNoTrace(run.stderr)
      expect(fs.readdirSync(dataDir)).toEqual([])
      expect(server.arrivals).toEqual([])
      return withoutProgress(run.stderr).trim()
    } finally {
      await server.close()
    }
  }

  it("--now 2023-06-01 on 2025-2026 data: refused before the project floor, no marker (it used to latch an empty one)", async () => {
    expect(await refuse(space.sampleDb, "2023-06-01")).toBe(
      "posthog-backfill: refused: the clock says 2023-06-01T00:00:00.000Z, before the project floor 2024-01-01T00:00:00.000Z. " +
        "Nothing was written; fix the system clock (or --now) and run again."
    )
  })

  it("--now 2026-09-01 on data used daily to late October: refused, the activity says the clock is behind", async () => {
    const lateOctober = path.join(space.dir, "late-october.db")
    const db = new Database(lateOctober)
    writeClaudeMemSample(db, { endMs: Date.parse("2026-10-28T18:00:00Z"), days: 150, sessions: 600 })
    db.close()
    expect(await refuse(lateOctober, "2026-09-01")).toMatch(
      /^posthog-backfill: refused: the clock says 2026-09-01T00:00:00\.000Z, but \d+ activity rows \(\d+% of the recent ones\) are dated after it: the clock is behind\. Nothing was written/
    )
  })
})

describe("consent fails closed", { timeout: 120_000 }, () => {
  it("enabled: \"false\", 0, \"no\", null or \"true\" in the config file is off; consent status quotes the value", async () => {
    for (const value of ['"false"', "0", '"no"', "null", '"true"']) {
      const dataDir = space.freshDir("consent")
      fs.writeFileSync(path.join(dataDir, "telemetry.json"), `{"enabled": ${value}}`)
      const status = await cli(["consent", "status", "--data-dir", dataDir])
      expect([value, status.stdout]).toEqual([value, expect.stringContaining(`"enabled": ${value}, which is not the boolean true, so telemetry is off`)])
      const send = await cli(["send", "--db", space.sampleDb, "--data-dir", dataDir, "--api-key", API_KEY, "--host", "http://127.0.0.1:9", "--now", NOW])
      expect([value, send.code, send.stdout]).toEqual([value, 0, expect.stringMatching(/^nothing sent: .*"enabled": /)])
      expect(fs.readdirSync(dataDir)).toEqual(["telemetry.json"])
    }
  })
})
