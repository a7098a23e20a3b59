import { Presets } from "@posthog-backfill/core"
import { createLiveTelemetry, type LiveTelemetryOptions } from "@posthog-backfill/effect"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { aJob, AppStarted, catalog, JobFinished } from "./support/liveCatalog.js"
import { forbidPrinting } from "./support/noPrinting.js"

const dirs: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "live-telemetry-"))
  dirs.push(dir)
  return dir
}

const options = (dataDir: string, host: string, extra: Partial<LiveTelemetryOptions> = {}): LiveTelemetryOptions => ({
  app: Presets.claudeMem,
  catalog,
  dataDir,
  apiKey: "phc_test",
  host,
  baseProperties: { version: "1.0.0", os: "linux" },
  // Never the real environment: CI=true in CI would turn telemetry off.
  env: {},
  client: { flushInterval: 0, fetchRetryCount: 1, fetchRetryDelay: 10, requestTimeout: 1_000, shutdownTimeoutMs: 5_000 },
  logLevel: "None",
  ...extra
})

describe("createLiveTelemetry (Promise facade)", () => {
  forbidPrinting()
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })

  it("captures, tracks and shuts down with positive accounting; never rejects for telemetry", async () => {
    const server = await startLocalCaptureServer()
    try {
      const dataDir = tempDir()
      const telemetry = createLiveTelemetry(options(dataDir, server.url))
      expect((await telemetry.capture(AppStarted, { plugins: 2 }))._tag).toBe("Queued")
      expect((await telemetry.capture(AppStarted, { plugins: -2 }))._tag).toBe("Invalid")

      // track: the host's own failure is rethrown as is, and nothing is captured or recorded.
      const failure = new Error("compaction failed")
      await expect(telemetry.track(() => Promise.reject(failure), JobFinished, () => aJob, { dedupeKey: "r1" })).rejects.toBe(failure)
      expect(await telemetry.track(async () => 5, JobFinished, (n) => ({ ...aJob, retries: n }), { dedupeKey: "r1" })).toBe(5)
      expect(await telemetry.track(() => 6, JobFinished, (n) => ({ ...aJob, retries: n }), { dedupeKey: "r1" })).toBe(6)
      // A throwing payload builder is reported, never thrown.
      expect(await telemetry.track(() => 7, JobFinished, () => {
        throw new Error("no usage")
      }, { dedupeKey: "r2" })).toBe(7)

      const report = await telemetry.shutdown()
      expect(report).toMatchObject({ captured: 2, acknowledged: 2, unacknowledged: 0, delivered: true })
      expect(await telemetry.shutdown()).toEqual(report)
      expect((await telemetry.capture(AppStarted, { plugins: 1 }))._tag).toBe("Disabled")
      expect(server.events.map((event) => [event.event, event.properties?.["retries"] ?? event.properties?.["plugins"]])).toEqual([
        ["app_started", 2],
        ["job_finished", 5]
      ])
      const config = JSON.parse(fs.readFileSync(path.join(dataDir, "telemetry.json"), "utf8")) as Record<string, unknown>
      expect(server.events[0]!.distinct_id).toBe(config["installId"])
    } finally {
      await server.close()
    }
  })

  it("honours the environment it is given, like the backfill", async () => {
    const server = await startLocalCaptureServer()
    try {
      const telemetry = createLiveTelemetry(options(tempDir(), server.url, { env: { DO_NOT_TRACK: "1" } }))
      expect((await telemetry.capture(AppStarted, { plugins: 1 }))._tag).toBe("NoConsent")
      expect((await telemetry.shutdown()).captured).toBe(0)
      expect(server.requests).toHaveLength(0)
    } finally {
      await server.close()
    }
  })

  it("a telemetry that cannot start resolves every call with the reason", async () => {
    const telemetry = createLiveTelemetry(options(tempDir(), "not a url"))
    const result = await telemetry.capture(AppStarted, { plugins: 1 })
    expect(result).toMatchObject({ _tag: "Disabled", reason: expect.stringContaining("is not an http(s) URL") })
    expect(await telemetry.track(() => 1, AppStarted, () => ({ plugins: 1 }))).toBe(1)
    const report = await telemetry.shutdown()
    expect(report).toMatchObject({ captured: 0, delivered: true })
    expect(report.errors.join("\n")).toContain("is not an http(s) URL")
  })

  it("shows the first-run notice once, in the app's config file, keeping its other keys", async () => {
    const dataDir = tempDir()
    fs.writeFileSync(path.join(dataDir, "telemetry.json"), `{"enabled": true, "installId": "abc"}`)
    const telemetry = createLiveTelemetry(options(dataDir, "http://127.0.0.1:1", { apiKey: undefined }))
    const shown: Array<string> = []
    expect(await telemetry.notice.showOnce({ version: 1, text: "hello" }, (text) => void shown.push(text))).toBe(true)
    expect(await telemetry.notice.showOnce({ version: 1, text: "hello" }, (text) => void shown.push(text))).toBe(false)
    expect(await telemetry.notice.shouldShow(2)).toBe(true)
    expect(shown).toEqual(["hello"])
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, "telemetry.json"), "utf8"))).toEqual({
      enabled: true,
      installId: "abc",
      telemetryNoticeVersion: 1
    })
    await telemetry.shutdown()
  })
})
