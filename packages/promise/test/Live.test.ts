/**
 * Live events for hosts without Effect: declared with plain field kinds,
 * validated by the engine against the same rules as the Effect catalog,
 * sent to the local capture server, deduped, gated by consent.
 */
import { Base2, Presets } from "@posthog-backfill/promise"
import { createLiveTelemetry, defineCatalog, defineEvent, field, LiveCatalogError } from "@posthog-backfill/promise/live"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const app = Presets.claudeMem
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "promise-live-"))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const CompactionCompleted = defineEvent("compaction_completed", {
  duration_b2: field.base2(),
  input_tokens_b2: field.base2(),
  compaction_source: field.oneOf("manual", "idle", "auto"),
  retries: field.count(),
  cached: field.boolean(),
  ratio: field.optional(field.amount())
}, { dedupeKey: "the compaction request id" })
const AppStarted = defineEvent("app_started", { plugins: field.count() })
const catalog = defineCatalog([CompactionCompleted, AppStarted])

describe("live events from plain field kinds", { timeout: 60_000 }, () => {
  it("sends a valid event with its base properties, refuses invalid ones with the reason, and dedupes by key", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_live" })
    try {
      const telemetry = createLiveTelemetry({
        app,
        catalog,
        dataDir: fs.mkdtempSync(path.join(scratch, "data-")),
        apiKey: "phc_live",
        host: server.url,
        env: {},
        version: "1.4.0",
        client: { flushInterval: 0, fetchRetryCount: 0, requestTimeout: 2_000 }
      })
      const payload = { duration_b2: Base2.bucketBase2(3.2), input_tokens_b2: 4096, compaction_source: "manual", retries: 0, cached: true } as const
      expect((await telemetry.capture(CompactionCompleted, payload, { dedupeKey: "req-1" }))._tag).toBe("Queued")
      expect(await telemetry.capture(CompactionCompleted, payload, { dedupeKey: "req-1" })).toEqual({ _tag: "Duplicate", dedupeKey: "req-1" })
      const invalid = [
        { ...payload, duration_b2: 3 },
        { ...payload, compaction_source: "cron" },
        { ...payload, retries: -1 },
        { ...payload, ratio: Number.NaN }
      ]
      for (const [index, bad] of invalid.entries()) {
        const result = await telemetry.capture(CompactionCompleted, bad as never, { dedupeKey: `bad-${index}` })
        expect([index, result._tag]).toEqual([index, "Invalid"])
      }
      expect(await telemetry.capture(CompactionCompleted, payload)).toMatchObject({ _tag: "Invalid", message: expect.stringContaining("dedupe") })
      expect(await telemetry.track(() => 7, AppStarted, (plugins) => ({ plugins }))).toBe(7)
      const report = await telemetry.shutdown()
      expect(report).toMatchObject({ captured: 2, acknowledged: 2, delivered: true })
      const [compaction, started] = server.events
      expect(compaction).toMatchObject({ event: "compaction_completed", properties: { ...payload, version: "1.4.0", os: process.platform === "linux" ? "Linux" : expect.any(String) } })
      expect(compaction?.properties).not.toHaveProperty("ratio")
      expect(compaction?.properties).not.toHaveProperty("$is_server")
      expect(started).toMatchObject({ event: "app_started", properties: { plugins: 7 } })
    } finally {
      await server.close()
    }
  })

  it("is off without consent, and refuses a bad definition at once, naming every problem", async () => {
    const telemetry = createLiveTelemetry({ app, catalog, dataDir: fs.mkdtempSync(path.join(scratch, "data-")), apiKey: "phc_live", env: { DO_NOT_TRACK: "1" } })
    expect((await telemetry.capture(AppStarted, { plugins: 1 }))._tag).toBe("NoConsent")
    await telemetry.shutdown()
    expect(() => defineEvent("Bad Name", { $lib: field.count(), backfilled: field.boolean() })).toThrow(LiveCatalogError)
    try {
      defineEvent("Bad Name", { $lib: field.count(), backfilled: field.boolean() })
    } catch (error) {
      expect((error as LiveCatalogError).problems).toEqual([
        'event name "Bad Name" must be snake_case (a-z, 0-9, _), at most 64 characters',
        'event Bad Name: property "$lib" is not a plain key (no $)',
        'event Bad Name: property "backfilled" is reserved for the backfill'
      ])
    }
    expect(() => defineCatalog([AppStarted, AppStarted])).toThrow("event app_started is defined twice")
  })
})
