import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { type ConsentRules, Presets } from "@posthog-backfill/core"
import { Consent, EventCatalog, InstallId, LiveSince, NodeTelemetry, Telemetry } from "@posthog-backfill/effect"
import { LocalCaptureServer } from "@posthog-backfill/effect/testing"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schema from "effect/Schema"
import * as path from "node:path"
import { aJob, AppStarted, catalog, JobFinished } from "./support/liveCatalog.js"
import { forbidPrinting } from "./support/noPrinting.js"

const INSTALL_ID = "6f1c1a52-3f7e-4c53-9a57-0d3f1b2f0c11"
const base = { version: "1.2.3", os: "linux", arch: "x64", runtime: "node", runtime_version: "20.20.2", locale: "en-US" }
const on: ConsentRules.ConsentDecision = { enabled: true, source: "default", reason: "telemetry is on by default", debug: false }
const fast: Telemetry.ClientOptions = {
  flushAt: 100,
  flushInterval: 0,
  fetchRetryCount: 2,
  fetchRetryDelay: 10,
  requestTimeout: 1_000,
  shutdownTimeoutMs: 5_000
}
const envProvider = (env: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(env)))

const quiet = <A, E, R>(effect: Effect.Effect<A, E, R>) => Logger.withMinimumLogLevel(effect, LogLevel.None)

/** The live layer pointed at `server`, with a fixed consent decision and install id. */
const liveLayer = (
  server: LocalCaptureServer.LocalCaptureServer,
  overrides: Partial<Telemetry.Options> = {},
  consent: ConsentRules.ConsentDecision = on
) =>
  Telemetry.layer({
    app: Presets.claudeMem,
    catalog,
    apiKey: "phc_test",
    host: server.url,
    baseProperties: base,
    client: fast,
    ...overrides
  }).pipe(Layer.provide(Layer.mergeAll(Consent.layerStatic(consent), InstallId.layerStatic(INSTALL_ID), LiveSince.layerMemory())))

const withTelemetry = <A, E, R, LE>(
  layer: Layer.Layer<Telemetry.Telemetry, LE>,
  f: (telemetry: Telemetry.Service) => Effect.Effect<A, E, R>
) => Effect.flatMap(Telemetry.Telemetry, f).pipe(Effect.provide(layer), quiet)

const own = (properties: Readonly<Record<string, unknown>> | undefined) =>
  Object.fromEntries(Object.entries(properties ?? {}).filter(([key]) => !key.startsWith("$")))

describe("Telemetry over posthog-node and the local capture server", () => {
  const printing = forbidPrinting()

  it.scopedLive("sends validated events with the base properties, batched, in normal ingestion mode", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ apiKey: "phc_test" })
      const results = yield* withTelemetry(liveLayer(server), (telemetry) =>
        Effect.gen(function*() {
          const first = yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "req-1" })
          const second = yield* telemetry.capture(JobFinished, { ...aJob, source: "idle" }, { dedupeKey: "req-2" })
          const started = yield* telemetry.capture(AppStarted, { plugins: 3 })
          const bad = yield* telemetry.capture(JobFinished, { ...aJob, retries: Number.NaN }, { dedupeKey: "req-3" })
          const report = yield* telemetry.shutdown
          return { first, second, started, bad, report }
        }))
      expect([results.first._tag, results.second._tag, results.started._tag, results.bad._tag]).toEqual([
        "Queued",
        "Queued",
        "Queued",
        "Invalid"
      ])
      expect(results.report).toEqual({
        captured: 3,
        acknowledged: 3,
        pending: 0,
        unacknowledged: 0,
        unacknowledgedUuids: [],
        errors: [],
        delivered: true,
        replayed: 0,
        outbox: { kept: 0, dropped: 0 }
      })
      expect(server.requests).toHaveLength(1)
      expect(server.requests[0]).toMatchObject({ status: 200, eventCount: 3, historicalMigration: undefined })
      const [job, idle, started] = server.events
      expect(job!.event).toBe("job_finished")
      expect(job!.distinct_id).toBe(INSTALL_ID)
      expect(job!.uuid).toBe(results.first._tag === "Queued" ? results.first.uuid : "")
      // The schema is the whitelist: base properties + payload, and posthog-node's own $ keys only.
      expect(own(job!.properties)).toStrictEqual({ ...base, ...aJob })
      expect(own(idle!.properties)).toStrictEqual({ ...base, ...aJob, source: "idle" })
      expect(own(started!.properties)).toStrictEqual({ ...base, plugins: 3 })
      expect(job!.properties?.["$geoip_disable"]).toBe(true)
      expect(JSON.stringify(server.events)).not.toContain("req-1")
    }))

  it.scopedLive("dedupes across retries and failures: a failed delivery releases the key, a delivered one blocks it", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { alwaysStatus: 500 } })
      yield* withTelemetry(liveLayer(server), (telemetry) =>
        Effect.gen(function*() {
          const first = yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "req-1" })
          expect(first._tag).toBe("Queued")
          // While in flight, a second capture of the same request is a duplicate.
          expect((yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "req-1" }))._tag).toBe("Duplicate")
          const failed = yield* telemetry.flush
          expect(failed).toMatchObject({ captured: 1, acknowledged: 0, unacknowledged: 1, pending: 0, delivered: false })
          expect(failed.errors.join("\n")).toContain("500")
          expect(server.requests.map((request) => request.status)).toEqual([500, 500, 500])

          // The key was released: the retry is queued again, with the same deterministic uuid.
          server.setFaults({ failTimes: { count: 1, status: 503 } })
          const retry = yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "req-1" })
          expect(retry).toEqual(first)
          const delivered = yield* telemetry.flush
          expect(delivered).toMatchObject({ captured: 2, acknowledged: 1, unacknowledged: 1 })
          expect((yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "req-1" }))._tag).toBe("Duplicate")

          // track: a failing piece of work captures nothing and records nothing; its success captures once.
          const failing = yield* Effect.either(
            telemetry.track(Effect.fail("compaction failed"), JobFinished, () => aJob, { dedupeKey: "req-2" })
          )
          expect(failing).toMatchObject({ _tag: "Left", left: "compaction failed" })
          const value = yield* telemetry.track(Effect.succeed(42), JobFinished, (n) => ({ ...aJob, retries: n }), { dedupeKey: "req-2" })
          expect(value).toBe(42)
          yield* telemetry.track(Effect.succeed(43), JobFinished, (n) => ({ ...aJob, retries: n }), { dedupeKey: "req-2" })
          const report = yield* telemetry.shutdown
          expect(report).toMatchObject({ captured: 3, acknowledged: 2, unacknowledged: 1, delivered: false })
        }))
      const accepted = server.events.filter((event) => event.event === "job_finished")
      expect(accepted.map((event) => event.properties?.["retries"])).toEqual([0, 42])
      expect(new Set(accepted.map((event) => event.uuid)).size).toBe(2)
    }))

  it.scopedLive("shutdown reports every event unacknowledged when the server keeps failing", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { alwaysStatus: 503 } })
      const report = yield* withTelemetry(liveLayer(server), (telemetry) =>
        Effect.gen(function*() {
          for (let i = 0; i < 3; i++) yield* telemetry.capture(AppStarted, { plugins: i })
          return yield* telemetry.shutdown
        }))
      expect(report).toMatchObject({ captured: 3, acknowledged: 0, unacknowledged: 3, pending: 0, delivered: false })
      expect(report.unacknowledgedUuids).toHaveLength(3)
      expect(report.errors.join("\n")).toContain("503")
      expect(server.events).toHaveLength(0)
    }))

  it.scopedLive("shutdown reports events the server never took when it drops connections", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const report = yield* withTelemetry(liveLayer(server), (telemetry) =>
        Effect.gen(function*() {
          yield* telemetry.capture(AppStarted, { plugins: 1 })
          yield* telemetry.flush
          server.setFaults({ dropConnections: true })
          yield* telemetry.capture(AppStarted, { plugins: 2 })
          yield* telemetry.capture(AppStarted, { plugins: 3 })
          const report = yield* telemetry.shutdown
          expect((yield* telemetry.capture(AppStarted, { plugins: 4 }))._tag).toBe("Disabled")
          return report
        }))
      // The wire retries the batch, then settles it as not delivered: never acknowledged, nothing left queued.
      expect(report).toMatchObject({ captured: 3, acknowledged: 1, unacknowledged: 2, pending: 0, delivered: false })
      expect(report.errors.join("\n")).toMatch(/(socket hang up|ECONNRESET).*\(2 event\(s\) not delivered\)/)
      expect(server.events.map((event) => event.properties?.["plugins"])).toEqual([1])
    }))

  it.scopedLive("shutdown is bounded: a server slower than the budget is reported, not waited for", () =>
    Effect.gen(function*() {
      // The server would answer after a minute: a shutdown that waited for it could not return
      // within the test's timeout, and the server has answered nothing when the report is in.
      const server = yield* LocalCaptureServer.scoped({ faults: { delayMs: 60_000 } })
      const report = yield* withTelemetry(
        liveLayer(server, { client: { ...fast, requestTimeout: 120_000, shutdownTimeoutMs: 300 } }),
        (telemetry) => Effect.zipRight(telemetry.capture(AppStarted, { plugins: 1 }), telemetry.shutdown)
      )
      expect(server.requests).toEqual([])
      expect(report).toMatchObject({ captured: 1, acknowledged: 0, unacknowledged: 1, delivered: false })
      expect(report.errors.join("\n")).toMatch(/ran out of its 300 ms budget/)
    }))

  it.scopedLive("closing the layer's scope shuts down and delivers what is queued", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      yield* withTelemetry(liveLayer(server), (telemetry) => telemetry.capture(AppStarted, { plugins: 7 }))
      expect(server.events.map((event) => event.properties?.["plugins"])).toEqual([7])
    }))

  it.scopedLive("consent and debug come from the backfill's consent over the app's config file", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "telemetry-" })
      const configPath = path.join(dataDir, Presets.claudeMem.configFileName)
      const layerFor = (env: Record<string, string>) =>
        NodeTelemetry.layer({ app: Presets.claudeMem, catalog, dataDir, apiKey: "phc_test", host: server.url, client: fast }).pipe(
          Layer.provide(Layer.setConfigProvider(envProvider(env)))
        )
      const captureOnce = (env: Record<string, string>) =>
        withTelemetry(layerFor(env), (telemetry) => telemetry.capture(AppStarted, { plugins: 1 }))

      // Debug: printed to stderr, nothing sent, nothing written (no install id is created).
      const dry = yield* captureOnce({ CLAUDE_MEM_TELEMETRY_DEBUG: "1" })
      const printed = printing.take()
      expect(dry._tag).toBe("DryRun")
      expect(printed.some((line) => line.includes("[claude-mem] telemetry dry run:") && line.includes("\"app_started\""))).toBe(true)
      expect(yield* fs.exists(configPath)).toBe(false)

      // DO_NOT_TRACK and CI turn it off, like the backfill.
      expect((yield* captureOnce({ DO_NOT_TRACK: "1" }))._tag).toBe("NoConsent")
      expect((yield* captureOnce({ CI: "true" }))._tag).toBe("NoConsent")
      expect(yield* fs.exists(configPath)).toBe(false)

      // The config file's enabled: false (e.g. `consent disable`) turns it off, and is never overwritten.
      yield* fs.writeFileString(configPath, `{"enabled": false, "theme": "dark"}`)
      expect((yield* captureOnce({}))._tag).toBe("NoConsent")
      expect(JSON.parse(yield* fs.readFileString(configPath))).toEqual({ enabled: false, theme: "dark" })
      expect(server.requests).toHaveLength(0)

      // Enabled: sent, and the install id is stored beside the other keys.
      yield* fs.writeFileString(configPath, `{"enabled": true, "theme": "dark"}`)
      expect((yield* captureOnce({}))._tag).toBe("Queued")
      const config = JSON.parse(yield* fs.readFileString(configPath)) as Record<string, unknown>
      expect(config).toMatchObject({ enabled: true, theme: "dark" })
      expect(server.events.map((event) => event.distinct_id)).toEqual([config["installId"]])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("without an API key every gate runs but nothing is sent", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const result = yield* withTelemetry(liveLayer(server, { apiKey: undefined }), (telemetry) =>
        Effect.zip(telemetry.capture(AppStarted, { plugins: 1 }), telemetry.capture(AppStarted, { plugins: -1 })))
      expect(result[0]).toMatchObject({ _tag: "Disabled", reason: expect.stringContaining("no PostHog API key") })
      expect(result[1]._tag).toBe("Invalid")
      expect(server.requests).toHaveLength(0)
    }))

  it.scopedLive("refuses POSTHOG_CAPTURE_MODE=v1 and a host that is not a URL when the layer is built", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const v1 = yield* Effect.exit(
        withTelemetry(
          liveLayer(server).pipe(Layer.provide(Layer.setConfigProvider(envProvider({ POSTHOG_CAPTURE_MODE: "v1" })))),
          (telemetry) => telemetry.capture(AppStarted, { plugins: 1 })
        )
      )
      expect(Exit.isFailure(v1) && JSON.stringify(v1.cause)).toContain("CaptureModeV1")
      const host = yield* Effect.exit(
        withTelemetry(liveLayer(server, { host: "us.i.posthog.com" }), (telemetry) => telemetry.capture(AppStarted, { plugins: 1 }))
      )
      expect(Exit.isFailure(host) && JSON.stringify(host.cause)).toContain("is not an http(s) URL")
    }))
})

describe("Telemetry pipeline (recording layer)", () => {
  const record = (options: Partial<Telemetry.RecordingOptions> = {}) =>
    quiet(Telemetry.makeRecording({ app: Presets.claudeMem, catalog, baseProperties: base, ...options }))

  it.effect("a delivered key stays blocked in bounded memory; the oldest is forgotten past maxDedupeKeys", () =>
    Effect.gen(function*() {
      const recording = yield* record({ maxDedupeKeys: 2 })
      const telemetry = recording.service
      for (const key of ["a", "b", "c"]) expect((yield* telemetry.capture(JobFinished, aJob, { dedupeKey: key }))._tag).toBe("Queued")
      yield* telemetry.flush
      expect((yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "c" }))._tag).toBe("Duplicate")
      expect((yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "b" }))._tag).toBe("Duplicate")
      expect((yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "a" }))._tag).toBe("Queued")
    }))

  it.effect("a rejected delivery releases its key; a held one keeps it blocked until shutdown reports it", () =>
    Effect.gen(function*() {
      const recording = yield* record({ behaviour: { _tag: "Reject", error: "HTTP 400" } })
      const telemetry = recording.service
      yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "a" })
      expect(yield* telemetry.flush).toMatchObject({ captured: 1, acknowledged: 0, unacknowledged: 1, errors: ["HTTP 400"] })
      recording.setBehaviour({ _tag: "Hold" })
      expect((yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "a" }))._tag).toBe("Queued")
      yield* telemetry.flush
      expect((yield* telemetry.capture(JobFinished, aJob, { dedupeKey: "a" }))._tag).toBe("Duplicate")
      const report = yield* telemetry.shutdown
      expect(report).toMatchObject({ captured: 2, acknowledged: 0, unacknowledged: 2, pending: 1, delivered: false })
      expect(report.errors).toContain("1 event(s) were still queued after shutdown")
      expect(yield* telemetry.shutdown).toEqual(report)
      expect((yield* telemetry.capture(AppStarted, { plugins: 1 }))._tag).toBe("Disabled")
    }))

  it.effect("refuses events outside the catalog and wrong dedupe-key usage", () =>
    Effect.gen(function*() {
      const { service: telemetry, events } = yield* record()
      const stranger = EventCatalog.defineEvent({ name: "app_started", payload: Schema.Struct({ plugins: EventCatalog.Count }) })
      expect(yield* telemetry.capture(stranger, { plugins: 1 })).toMatchObject({ _tag: "Invalid", message: expect.stringContaining("not an event of this app's catalog") })
      expect(yield* telemetry.capture(JobFinished, aJob)).toMatchObject({ _tag: "Invalid", message: expect.stringContaining("needs a dedupe key (the job request id)") })
      expect(yield* telemetry.capture(AppStarted, { plugins: 1 }, { dedupeKey: "x" })).toMatchObject({ _tag: "Invalid", message: expect.stringContaining("declares no dedupe key") })
      const thrown = yield* telemetry.track(Effect.succeed(1), JobFinished, () => {
        throw new Error("no metadata")
      }, { dedupeKey: "k" })
      expect(thrown).toBe(1)
      expect(events).toHaveLength(0)
    }))

  it.effect("consent off and debug are decided per capture; debug prints and sends nothing", () =>
    Effect.gen(function*() {
      const recording = yield* record({ consent: { ...on, enabled: false, source: "config", reason: "off" } })
      expect((yield* recording.service.capture(AppStarted, { plugins: 1 }))._tag).toBe("NoConsent")
      recording.setConsent({ ...on, debug: true })
      const stderr: Array<string> = []
      const current = yield* Effect.console
      const capturing: Console.Console = { ...current, error: (...args) => Effect.sync(() => void stderr.push(args.join(" "))) }
      const dry = yield* recording.service.capture(AppStarted, { plugins: 2 }).pipe(Effect.withConsole(capturing))
      expect(dry._tag).toBe("DryRun")
      expect(stderr).toHaveLength(1)
      expect(stderr[0]).toMatch(/^\[claude-mem\] telemetry dry run: \{"event":"app_started"/)
      expect(recording.events).toHaveLength(0)
    }))

  it.effect("base properties: only the app's whitelisted keys, never anything that looks like a path", () =>
    Effect.gen(function*() {
      const recording = yield* record({
        baseProperties: { version: "1.0.0", os: "/home/me", hostname: "my-laptop", arch: 64 as unknown as string }
      })
      yield* recording.service.capture(AppStarted, { plugins: 1 })
      expect(recording.events[0]!.properties).toStrictEqual({ version: "1.0.0", plugins: 1 })
      const clash = EventCatalog.defineEvent({ name: "clash", payload: Schema.Struct({ version: EventCatalog.Count }) })
      const error = yield* Effect.flip(record({ catalog: EventCatalog.defineCatalog([clash]) }))
      expect(error).toMatchObject({ _tag: "TelemetryError", reason: "InvalidCatalog" })
      expect(error.message).toContain("clash.version")
    }))
})
