/**
 * The Promise facade end to end, with real parts only: a real SQLite file
 * written by the sample generator, a real data dir in a temp dir, the real
 * posthog-node client talking HTTP to the local capture server on 127.0.0.1.
 */
import { EventId, HistoricalEvents, Presets } from "@posthog-backfill/core"
import { type HistoricalBackfillOptions, runHistoricalBackfill, startHistoricalBackfill } from "@posthog-backfill/effect"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest"
import { forbidPrinting } from "./support/noPrinting.js"

let server: Awaited<ReturnType<typeof startLocalCaptureServer>>
let dataDir: string
let database: string
let expectedEvents: number

beforeAll(async () => {
  server = await startLocalCaptureServer({ apiKey: "phc_e2e" })
  // One sample for the whole file: 45 days ending now, legacy epochs and a backdated artifact included.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phb-e2e-db-"))
  database = path.join(dir, "claude-mem.db")
  const db = new Database(database)
  const summary = writeClaudeMemSample(db, { seed: 7, endMs: Date.now(), days: 45, sessions: 120 })
  db.close()
  expect(summary.rows.observations).toBeGreaterThan(0)
})
afterAll(() => server.close())

beforeEach(() => {
  server.reset()
  server.setFaults({})
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "phb-e2e-data-"))
})
const printing = forbidPrinting()

const options = (overrides: Partial<HistoricalBackfillOptions> = {}): HistoricalBackfillOptions => ({
  app: Presets.claudeMem,
  dataDir,
  database,
  apiKey: "phc_e2e",
  host: server.url,
  env: {},
  baseProperties: { version: "10.4.1", os: "linux" },
  sink: { fetchRetryCount: 2, fetchRetryDelay: 10, requestTimeout: 1000 },
  logLevel: "None",
  // These runs send at once; the spread has its own tests.
  rollout: { spreadMs: 0 },
  ...overrides
})

const marker = () => path.join(dataDir, "backfill.json")
const config = () => path.join(dataDir, "telemetry.json")
const attempts = () => path.join(dataDir, "backfill.attempts.json")
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>

describe("runHistoricalBackfill end to end", () => {
  it("sends every event once with historical_migration, then writes the marker; a second run sends nothing", async () => {
    const result = await runHistoricalBackfill(options())
    expect(result._tag).toBe("Sent")
    if (result._tag !== "Sent") return
    expectedEvents = result.eventCount
    const installId = readJson(config())["installId"] as string
    expect(installId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

    const accepted = server.requests.filter((r) => r.status === 200)
    expect(accepted.length).toBeGreaterThan(0)
    expect(accepted.every((r) => r.historicalMigration === true)).toBe(true)
    expect(server.events).toHaveLength(result.eventCount)
    expect(new Set(server.events.map((e) => e["uuid"])).size).toBe(result.eventCount)
    for (const event of server.events) {
      expect(event["distinct_id"]).toBe(installId)
      expect(String(event["timestamp"])).toMatch(/T12:00:00\.000Z$/)
      expect((event["properties"] as Record<string, unknown>)["$ignore_sent_at"]).toBe(true)
    }
    const firstDay = result.summary.firstActiveDay!
    expect(server.events.some((e) => e["uuid"] === EventId.eventUuid(Presets.claudeMem.namespace, installId, HistoricalEvents.HISTORICAL_ACTIVITY, firstDay))).toBe(true)
    expect(JSON.stringify(server.events)).not.toMatch(/SECRET-|private-project/)

    expect(readJson(marker())).toEqual({
      completedAt: expect.any(String),
      throughDay: result.summary.lastFullDay,
      eventCount: result.eventCount,
      installId
    })

    server.reset()
    const again = await runHistoricalBackfill(options())
    expect(again._tag).toBe("AlreadyDone")
    expect(server.requests).toEqual([])
  })

  it("survives transient 5xx with one complete delivery", async () => {
    server.setFaults({ failTimes: { count: 2, status: 503 } })
    const result = await runHistoricalBackfill(options())
    expect(result._tag).toBe("Sent")
    expect(server.events).toHaveLength(expectedEvents)
    expect(fs.existsSync(marker())).toBe(true)
  })

  it("on always-5xx fails without a marker and backs off; the retry, once due, sends byte-identical uuids and timestamps", async () => {
    server.setFaults({ alwaysStatus: 502 })
    const failed = await runHistoricalBackfill(options())
    expect(failed._tag).toBe("Failed")
    expect(fs.existsSync(marker())).toBe(false)
    expect(fs.existsSync(path.join(dataDir, "backfill.pending.json"))).toBe(true)
    const attempted = server.requests.flatMap((r) => r.uuids)
    expect(attempted.length).toBeGreaterThan(0)
    const record = readJson(attempts())
    expect(record).toMatchObject({ attempts: 1, lastFailure: { class: "Retriable" } })

    // The next start, before the backoff runs out, reads nothing and sends nothing.
    server.reset()
    server.setFaults({})
    const early = await runHistoricalBackfill(options())
    expect(early).toMatchObject({ _tag: "BackingOff", until: record["nextEligibleAt"] })
    expect(server.requests).toHaveLength(0)

    // Once it has run out (here: the record says so), the retry is the same send.
    fs.writeFileSync(attempts(), JSON.stringify({ ...record, nextEligibleAt: new Date(Date.now() - 1000).toISOString() }))
    const retried = await runHistoricalBackfill(options())
    expect(retried._tag).toBe("Sent")
    expect(new Set(server.events.map((e) => e["uuid"]))).toEqual(new Set(attempted))
    expect(fs.existsSync(marker())).toBe(true)
    expect(fs.readdirSync(dataDir).sort()).toEqual(["backfill.json", "telemetry.json"])
  })

  it("on a 4xx, dropped connections or answers slower than the timeout fails without a marker and backs off by class", async () => {
    const cases = [
      { faults: { alwaysStatus: 400 }, failure: "NonRetriable", waitHours: [7 * 24, 7 * 24] },
      { faults: { dropConnections: true }, failure: "Retriable", waitHours: [0.5, 1] },
      { faults: { delayMs: 1500 }, failure: "Retriable", waitHours: [0.5, 1] }
    ] as const
    for (const { failure, faults, waitHours } of cases) {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "phb-e2e-data-"))
      server.reset()
      server.setFaults(faults)
      const before = Date.now()
      const result = await runHistoricalBackfill(options())
      const after = Date.now()
      expect([faults, result._tag]).toEqual([faults, "Failed"])
      expect(fs.existsSync(marker())).toBe(false)
      const record = readJson(attempts())
      const eligible = Date.parse(String(record["nextEligibleAt"]))
      expect([faults, record["attempts"], (record["lastFailure"] as Record<string, unknown>)["class"]]).toEqual([faults, 1, failure])
      expect(eligible).toBeGreaterThanOrEqual(before + waitHours[0] * 3_600_000)
      expect(eligible).toBeLessThanOrEqual(after + waitHours[1] * 3_600_000)
    }
  })

  it("in debug mode prints, sends nothing and creates no file at all", async () => {
    const result = await runHistoricalBackfill(options({ env: { CLAUDE_MEM_TELEMETRY_DEBUG: "1" } }))
    // The dry run's documented output: stderr, one summary line, one line per event.
    const lines = printing.take().map((line) => line.replace(/^error: /, ""))
    expect(result._tag).toBe("DryRun")
    expect(server.requests).toEqual([])
    expect(fs.readdirSync(dataDir)).toEqual([])
    expect(lines[0]).toMatch(/dry run: \d+ events/)
    expect(lines.length).toBe(expectedEvents + 1)
  })

  it("without consent sends nothing and leaves a hand-written config untouched", async () => {
    fs.writeFileSync(config(), '{"enabled": false}')
    const result = await runHistoricalBackfill(options())
    expect(result._tag).toBe("NoConsent")
    expect(fs.readFileSync(config(), "utf8")).toBe('{"enabled": false}')
    expect(fs.readdirSync(dataDir)).toEqual(["telemetry.json"])

    fs.rmSync(config())
    for (const env of [{ DO_NOT_TRACK: "1" }, { CLAUDE_MEM_TELEMETRY: "0" }, { CI: "true" }]) {
      expect((await runHistoricalBackfill(options({ env })))._tag).toBe("NoConsent")
    }
    expect(server.requests).toEqual([])
    expect(fs.readdirSync(dataDir)).toEqual([])
  })

  it("without an API key sends nothing and writes no marker", async () => {
    const result = await runHistoricalBackfill(options({ apiKey: undefined }))
    expect(result._tag).toBe("NoApiKey")
    expect(fs.existsSync(marker())).toBe(false)
  })

  it("refuses POSTHOG_CAPTURE_MODE=v1 with a clear error and sends nothing", async () => {
    const result = await runHistoricalBackfill(options({ env: { POSTHOG_CAPTURE_MODE: "v1" } }))
    expect(result._tag).toBe("Error")
    expect(result._tag === "Error" && result.message).toMatch(/POSTHOG_CAPTURE_MODE/)
    expect(server.requests).toEqual([])
    expect(fs.existsSync(marker())).toBe(false)
  })

  it("never rejects: a missing database resolves an Error outcome that says what to do", async () => {
    const result = await runHistoricalBackfill(options({ database: path.join(dataDir, "nope.db") }))
    expect(result).toMatchObject({ _tag: "Error", message: expect.stringMatching(/check the path/) })
    expect(fs.readdirSync(dataDir)).toEqual([])
  })

  it("a finished backfill never opens the database again, even when it is gone", async () => {
    fs.writeFileSync(marker(), JSON.stringify({ completedAt: "2026-01-01T00:00:00.000Z", throughDay: "2025-12-29", eventCount: 9, installId: "i" }))
    const result = await runHistoricalBackfill(options({ database: path.join(dataDir, "deleted.db") }))
    expect(result._tag).toBe("AlreadyDone")
    const noConsent = await runHistoricalBackfill(options({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "phb-e2e-data-")), database: path.join(dataDir, "deleted.db"), env: { DO_NOT_TRACK: "1" } }))
    expect(noConsent._tag).toBe("NoConsent")
  })

  it("startHistoricalBackfill is fire-and-forget: no unhandled rejection, even from a throwing callback", async () => {
    const unhandled = vi.fn()
    process.on("unhandledRejection", unhandled)
    try {
      const done = new Promise<string>((resolve) =>
        startHistoricalBackfill({
          ...options({ database: path.join(dataDir, "nope.db") }),
          onDone: (result) => {
            resolve(result._tag)
            throw new Error("the host's callback is broken")
          }
        })
      )
      expect(await done).toBe("Error")
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(unhandled).not.toHaveBeenCalled()
    } finally {
      process.off("unhandledRejection", unhandled)
    }
  })
})
