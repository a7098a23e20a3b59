/**
 * Live events that survive being offline: what a shutdown could not deliver
 * waits in the data dir's outbox, and the next start delivers it with the
 * same uuids and timestamps. Real files, the real client, the local capture
 * server; the pure file format is property-tested in the core's terms.
 */
import { type CaptureEvent, Outbox, Presets } from "@posthog-backfill/core"
import { createLiveTelemetry, LiveOutbox, type LiveTelemetryOptions, Telemetry } from "@posthog-backfill/effect"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as fc from "fast-check"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { AppStarted, catalog } from "./support/liveCatalog.js"
import { forbidPrinting } from "./support/noPrinting.js"

const CHILD = fileURLToPath(new URL("./support/outbox.child.mjs", import.meta.url))
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "live-outbox-"))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const options = (dataDir: string, host: string, extra: Partial<LiveTelemetryOptions> = {}): LiveTelemetryOptions => ({
  app: Presets.claudeMem,
  catalog,
  dataDir,
  apiKey: "phc_test",
  host,
  baseProperties: { version: "1.0.0", os: "linux" },
  env: {},
  client: { flushInterval: 0, fetchRetryCount: 0, requestTimeout: 1_000, shutdownTimeoutMs: 5_000 },
  logLevel: "None",
  ...extra
})
/** Runs an effect of the test with the library's messages off (the recording warns about undelivered events). */
const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect.pipe(Logger.withMinimumLogLevel(LogLevel.None)))
const outboxOf = (dataDir: string) => path.join(dataDir, "telemetry.outbox.json")

describe("the outbox file", () => {
  const event = fc.record({
    event: fc.constantFrom("a", "b_c"),
    distinctId: fc.uuid(),
    uuid: fc.uuid(),
    timestamp: fc.date({ min: new Date(2024, 0, 1), max: new Date(2027, 0, 1), noInvalidDate: true }),
    properties: fc.dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 20 })))
  })

  it("round-trips events, one per uuid, oldest first; keeps the newest past the bound and counts the rest", () => {
    fc.assert(fc.property(fc.array(event, { maxLength: 30 }), fc.integer({ min: 0, max: 40 }), (events, max) => {
      const unique = Array.from(new Map(events.map((e) => [e.uuid, e])).values()).sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime())
      const encoded = Outbox.encodeOutbox(events, max)
      const parsed = Outbox.parseOutbox(encoded.text)
      const expected = unique.slice(Math.max(0, unique.length - max))
      expect(parsed.events).toEqual(expected)
      expect([encoded.kept, encoded.dropped]).toEqual([expected.length, events.length - expected.length])
    }))
  })

  it("reads a corrupt file as a problem, and leaves out malformed entries, counted", () => {
    expect(Outbox.parseOutbox("{not json").problem).toBe("it is not JSON")
    expect(Outbox.parseOutbox(`{"version":2,"events":[]}`).problem).toBe("it is not a version 1 outbox")
    const mixed = Outbox.parseOutbox(`{"version":1,"events":[{"event":"a"},{"event":"a","distinctId":"d","uuid":"u","timestamp":"2026-01-01T00:00:00.000Z","properties":{"n":1}}]}`)
    expect([mixed.events.length, mixed.malformed]).toEqual([1, 1])
  })
})

describe("live telemetry with the outbox", { timeout: 60_000 }, () => {
  forbidPrinting()

  it("captured while the server is down, kept at shutdown, delivered once at the next start with the same uuids and timestamps", async () => {
    const server = await startLocalCaptureServer({ faults: { alwaysStatus: 503 } })
    try {
      const dataDir = fs.mkdtempSync(path.join(scratch, "down-"))
      const first = createLiveTelemetry(options(dataDir, server.url))
      const queued = await Promise.all([1, 2, 3].map((plugins) => first.capture(AppStarted, { plugins })))
      const uuids = queued.map((result) => (result._tag === "Queued" ? result.uuid : "?"))
      const down = await first.shutdown()
      expect(down).toMatchObject({ captured: 3, acknowledged: 0, unacknowledged: 3, outbox: { kept: 3, dropped: 0 } })
      const kept = Outbox.parseOutbox(fs.readFileSync(outboxOf(dataDir), "utf8")).events
      expect(kept.map((event) => event.uuid).sort()).toEqual([...uuids].sort())

      server.setFaults({})
      const second = createLiveTelemetry(options(dataDir, server.url))
      const up = await second.shutdown()
      expect(up).toMatchObject({ captured: 0, replayed: 3, acknowledged: 3, unacknowledged: 0, delivered: true, outbox: { kept: 0, dropped: 0 } })
      expect(fs.existsSync(outboxOf(dataDir))).toBe(false)
      // Each event acknowledged exactly once, with its original uuid and timestamp.
      const accepted = server.requests.filter((request) => request.status === 200).flatMap((request) => request.uuids)
      expect([...accepted].sort()).toEqual([...uuids].sort())
      const delivered = server.events.filter((event) => accepted.includes(event.uuid))
      expect(delivered.map((event) => event.timestamp).sort()).toEqual(kept.map((event) => event.timestamp.toISOString()).sort())
    } finally {
      await server.close()
    }
  })

  it("a host SIGKILLed after a flush, never shut down: the next start delivers what it had captured, once", async () => {
    const server = await startLocalCaptureServer({ faults: { alwaysStatus: 503 } })
    try {
      const dataDir = fs.mkdtempSync(path.join(scratch, "killed-"))
      const ready = path.join(dataDir, "..", `${path.basename(dataDir)}.ready`)
      const env = { ...process.env }
      for (const key of Object.keys(env)) if (key.startsWith("VITEST") || key === "NODE_OPTIONS") delete env[key]
      const child = spawn(process.execPath, [CHILD, dataDir, server.url, ready], { env, stdio: ["ignore", "pipe", "pipe"] })
      let printed = ""
      child.stdout.on("data", (chunk) => (printed += chunk))
      child.stderr.on("data", (chunk) => (printed += chunk))
      const exited = new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)))
      while (!fs.existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 20))
      child.kill("SIGKILL")
      expect(await exited).toBe("SIGKILL")
      expect(printed).toBe("")
      const { uuids } = JSON.parse(fs.readFileSync(ready, "utf8")) as { uuids: ReadonlyArray<string> }

      server.setFaults({})
      const next = createLiveTelemetry(options(dataDir, server.url))
      expect(await next.shutdown()).toMatchObject({ replayed: 2, acknowledged: 2, delivered: true })
      const accepted = server.requests.filter((request) => request.status === 200).flatMap((request) => request.uuids)
      expect([...accepted].sort()).toEqual([...uuids].sort())
    } finally {
      await server.close()
    }
  })

  it("a corrupt outbox is discarded with a warning, never thrown; without consent the outbox is deleted", async () => {
    const server = await startLocalCaptureServer()
    try {
      const dataDir = fs.mkdtempSync(path.join(scratch, "corrupt-"))
      fs.writeFileSync(outboxOf(dataDir), "{ this is not an outbox")
      const warnings: Array<string> = []
      const telemetry = createLiveTelemetry(options(dataDir, server.url, { logger: { warn: (line) => warnings.push(line) }, logLevel: "Warning" }))
      expect((await telemetry.capture(AppStarted, { plugins: 1 }))._tag).toBe("Queued")
      expect(await telemetry.shutdown()).toMatchObject({ acknowledged: 1, delivered: true })
      expect(warnings.some((line) => line.includes("was discarded: it is not JSON"))).toBe(true)
      expect(fs.existsSync(outboxOf(dataDir))).toBe(false)

      const optedOut = fs.mkdtempSync(path.join(scratch, "opted-out-"))
      fs.writeFileSync(outboxOf(optedOut), Outbox.encodeOutbox([{ event: "app_started", distinctId: "d", uuid: "5b0c7a0e-3f7e-4d8a-9a53-0c2f1f6f2e11", timestamp: new Date(), properties: { plugins: 1 } }]).text)
      const off = createLiveTelemetry(options(optedOut, server.url, { env: { DO_NOT_TRACK: "1" } }))
      expect(await off.shutdown()).toMatchObject({ replayed: 0, acknowledged: 0 })
      expect(fs.existsSync(outboxOf(optedOut))).toBe(false)
      expect(server.events.map((event) => event.uuid)).not.toContain("5b0c7a0e-3f7e-4d8a-9a53-0c2f1f6f2e11")
    } finally {
      await server.close()
    }
  })

  it("keeps only what the catalog would send, and reports what the bound dropped", async () => {
    const outbox = await run(LiveOutbox.makeMemory([], 2))
    const recording = await run(Telemetry.makeRecording({ app: Presets.claudeMem, catalog, behaviour: { _tag: "Reject", error: "HTTP 500" }, outbox }))
    for (const plugins of [1, 2, 3]) await run(recording.service.capture(AppStarted, { plugins }))
    const report = await run(recording.service.shutdown)
    expect(report.outbox).toEqual({ kept: 2, dropped: 1 })
    const kept: ReadonlyArray<CaptureEvent.CaptureEvent> = await run(outbox.current)
    expect(kept.map((event) => event.properties["plugins"])).toEqual([2, 3])

    // A stranger in the outbox (not an event of this catalog, or a property it does not send) never goes out.
    const tampered = await run(LiveOutbox.makeMemory([
      { ...kept[0]!, uuid: "11111111-1111-4111-8111-111111111111", event: "not_in_catalog" },
      { ...kept[0]!, uuid: "22222222-2222-4222-8222-222222222222", properties: { ...kept[0]!.properties, prompt: "secret" } },
      kept[1]!
    ]))
    const next = await run(Telemetry.makeRecording({ app: Presets.claudeMem, catalog, outbox: tampered }))
    const after = await run(next.service.shutdown)
    expect(after).toMatchObject({ replayed: 1, acknowledged: 1 })
    expect(next.events.map((event) => event.uuid)).toEqual([kept[1]!.uuid])
  })
})
