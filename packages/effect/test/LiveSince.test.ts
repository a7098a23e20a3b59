/**
 * The live era's first day, end to end: recorded in the app's config file
 * (the earliest day kept, every other key kept), by the live telemetry itself
 * once an event is acknowledged (and not before), by a host's own pipeline
 * through `recordLiveSince`; and the backfill then ships only the days before
 * it, over a real SQLite file and the local capture server.
 */
import { DayWindow, HistoricalEvents, Presets } from "@posthog-backfill/core"
import { createLiveTelemetry, recordLiveSince, runHistoricalBackfill } from "@posthog-backfill/effect"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { AppStarted, catalog } from "./support/liveCatalog.js"
import { forbidPrinting } from "./support/noPrinting.js"

const app = Presets.claudeMem
const dirs: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "live-since-"))
  dirs.push(dir)
  return dir
}
const configOf = (dataDir: string) => JSON.parse(fs.readFileSync(path.join(dataDir, app.configFileName), "utf8")) as Record<string, unknown>
const utcToday = () => new Date().toISOString().slice(0, 10)

forbidPrinting()
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

describe("recordLiveSince", () => {
  it("writes the day into the config file beside its other keys, and keeps the earliest day", async () => {
    const dataDir = tempDir()
    fs.writeFileSync(path.join(dataDir, app.configFileName), JSON.stringify({ enabled: true, installId: "x", theme: "dark" }))
    expect(await recordLiveSince({ app, dataDir, day: "2026-03-10" })).toEqual({ _tag: "Recorded", liveSince: "2026-03-10" })
    expect(await recordLiveSince({ app, dataDir, day: "2026-04-01" })).toEqual({ _tag: "Recorded", liveSince: "2026-03-10" })
    expect(configOf(dataDir)).toEqual({ enabled: true, installId: "x", theme: "dark", liveSince: "2026-03-10" })
    expect(await recordLiveSince({ app, dataDir, day: "2026-02-01" })).toEqual({ _tag: "Recorded", liveSince: "2026-02-01" })
    expect(configOf(dataDir)["liveSince"]).toBe("2026-02-01")
    // Default: today (UTC).
    const fresh = tempDir()
    const before = utcToday()
    const recorded = await recordLiveSince({ app, dataDir: fresh })
    expect(recorded).toEqual({ _tag: "Recorded", liveSince: expect.toBeOneOf([before, utcToday()]) })
  })

  it("resolves an Error for a day that is not YYYY-MM-DD or a config file that is not JSON, and writes nothing", async () => {
    const dataDir = tempDir()
    expect(await recordLiveSince({ app, dataDir, day: "yesterday" })).toEqual({
      _tag: "Error",
      message: expect.stringContaining('"yesterday" is not a YYYY-MM-DD day')
    })
    expect(fs.readdirSync(dataDir)).toEqual([])
    fs.writeFileSync(path.join(dataDir, app.configFileName), "enabled=false")
    expect(await recordLiveSince({ app, dataDir, day: "2026-03-10" })).toMatchObject({ _tag: "Error", message: expect.stringContaining(app.configFileName) })
    expect(fs.readFileSync(path.join(dataDir, app.configFileName), "utf8")).toBe("enabled=false")
  })
})

describe("the live telemetry records its first acknowledged day", () => {
  const liveOptions = (dataDir: string, host: string) => ({
    app,
    catalog,
    dataDir,
    apiKey: "phc_live",
    host,
    env: {},
    client: { flushInterval: 0, fetchRetryCount: 0, fetchRetryDelay: 10, requestTimeout: 1_000, shutdownTimeoutMs: 3_000 },
    logLevel: "None" as const
  })

  it("once an event is acknowledged, and not while the server refuses them", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_live" })
    try {
      const dataDir = tempDir()
      server.setFaults({ alwaysStatus: 503 })
      const refused = createLiveTelemetry(liveOptions(dataDir, server.url))
      await refused.capture(AppStarted, { plugins: 1 })
      expect((await refused.shutdown()).delivered).toBe(false)
      expect(configOf(dataDir)["liveSince"]).toBeUndefined()

      server.setFaults({})
      const before = utcToday()
      const live = createLiveTelemetry(liveOptions(dataDir, server.url))
      await live.capture(AppStarted, { plugins: 2 })
      expect((await live.shutdown()).delivered).toBe(true)
      expect(configOf(dataDir)["liveSince"]).toEqual(expect.toBeOneOf([before, utcToday()]))
    } finally {
      await server.close()
    }
  })
})

describe("the backfill and the live era", () => {
  it("ships only the days before the live era; a live era from the install day on ships nothing and writes the marker", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_era" })
    try {
      const dir = tempDir()
      const database = path.join(dir, "claude-mem.db")
      const db = new Database(database)
      writeClaudeMemSample(db, { seed: 11, endMs: Date.now(), days: 40, sessions: 90 })
      db.close()
      const run = (dataDir: string) =>
        runHistoricalBackfill({ app, dataDir, database, apiKey: "phc_era", host: server.url, env: {}, inline: true, logLevel: "None", rollout: { spreadMs: 0 } })

      // Live telemetry began ten days ago.
      const liveSince = DayWindow.utcDay(Date.now() - 10 * DayWindow.DAY_MS)
      const cut = tempDir()
      await recordLiveSince({ app, dataDir: cut, day: liveSince })
      const sent = await run(cut)
      expect(sent._tag).toBe("Sent")
      const days = server.events.filter((e) => e.event === HistoricalEvents.HISTORICAL_ACTIVITY).map((e) => String(e.timestamp).slice(0, 10))
      expect(days.length).toBeGreaterThan(0)
      expect(days.every((day) => day < liveSince)).toBe(true)
      expect(JSON.parse(fs.readFileSync(path.join(cut, app.markerFileName), "utf8"))).toMatchObject({ throughDay: DayWindow.dayBefore(liveSince) })

      server.reset()
      const covered = tempDir()
      await recordLiveSince({ app, dataDir: covered, day: "2024-02-01" })
      const none = await run(covered)
      expect(none).toMatchObject({ _tag: "NothingToSend", why: "LiveEra" })
      expect(server.requests).toHaveLength(0)
      expect(JSON.parse(fs.readFileSync(path.join(covered, app.markerFileName), "utf8"))).toMatchObject({ eventCount: 0 })
    } finally {
      await server.close()
    }
  })
})
