import { describe, expect, it } from "@effect/vitest"
import { type CaptureEvent } from "@posthog-backfill/core"
import { PostHogSink } from "@posthog-backfill/effect"
import { LocalCaptureServer } from "@posthog-backfill/effect/testing"
import { eventually } from "./support/eventually.js"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { createHash } from "node:crypto"
import { forbidPrinting } from "./support/noPrinting.js"

// Small delays through posthog-node's own options: every retry still happens.
const fast: PostHogSink.Options = { fetchRetryCount: 3, fetchRetryDelay: 10, requestTimeout: 1_000 }

/** A name-based (v5-shaped) uuid, so every run builds byte-identical events. */
const uuidOf = (name: string): string => {
  const hex = createHash("sha1").update(name).digest("hex")
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`
}

const noon = (day: string): Date => new Date(`${day}T12:00:00.000Z`)

const dayAfter = (start: string, offset: number): string =>
  new Date(Date.parse(`${start}T00:00:00.000Z`) + offset * 86_400_000).toISOString().slice(0, 10)

const activity = (count: number, installId = "install-1"): ReadonlyArray<CaptureEvent.CaptureEvent> =>
  Array.from({ length: count }, (_, i) => {
    const day = dayAfter("2025-10-19", i)
    return {
      event: "historical_activity",
      distinctId: installId,
      uuid: uuidOf(`${installId}|historical_activity|${day}`),
      timestamp: noon(day),
      properties: {
        observation_count: i + 1,
        session_count: (i % 3) + 1,
        backfilled: true,
        $process_person_profile: false,
        $ignore_sent_at: true
      }
    }
  })

const installInferred: CaptureEvent.CaptureEvent = {
  event: "install_inferred",
  distinctId: "install-1",
  uuid: uuidOf("install-1|install_inferred|install"),
  timestamp: noon("2025-10-19"),
  properties: {
    first_active_date: "2025-10-19",
    backfilled: true,
    $set_once: { first_active_date: "2025-10-19" },
    $ignore_sent_at: true
  }
}

const sendTo = (
  server: LocalCaptureServer.LocalCaptureServer,
  events: ReadonlyArray<CaptureEvent.CaptureEvent>,
  options: PostHogSink.Options = fast,
  apiKey = "phc_test"
) =>
  Effect.gen(function*() {
    const sink = yield* PostHogSink.PostHogSink
    return yield* sink.send(events, { apiKey, host: server.url, historicalMigration: true })
  }).pipe(Effect.provide(PostHogSink.layer(options)), Logger.withMinimumLogLevel(LogLevel.None))

const uuids = (events: ReadonlyArray<CaptureEvent.CaptureEvent>) => events.map((event) => event.uuid)

describe("PostHogSink over posthog-node and the local capture server", () => {
  forbidPrinting()

  it.scopedLive("delivers one gzipped historical-migration batch with every uuid, Date timestamp and property", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ apiKey: "phc_test" })
      const events = [...activity(3), installInferred]
      const report = yield* sendTo(server, events)
      expect(report).toEqual({ expected: 4, acknowledged: 4, unacknowledgedUuids: [], errors: [], statuses: [200], delivered: true })

      expect(server.requests).toHaveLength(1)
      const request = server.requests[0]!
      expect(request).toMatchObject({ status: 200, gzipped: true, contentEncoding: "gzip", eventCount: 4, historicalMigration: true, apiKey: "phc_test" })
      expect(request.uuids).toEqual(uuids(events))
      expect(typeof request.sentAt).toBe("string")

      for (const [index, sent] of events.entries()) {
        const received = server.events[index]!
        expect(received.event).toBe(sent.event)
        expect(received.distinct_id).toBe(sent.distinctId)
        expect(received.uuid).toBe(sent.uuid)
        expect(received.timestamp).toBe(sent.timestamp.toISOString())
        expect(received.properties).toMatchObject(sent.properties)
        // disableGeoip: false, so no $geoip_disable is added.
        expect(received.properties).not.toHaveProperty("$geoip_disable")
        // A local app's events do not claim to come from a server.
        expect(received.properties).not.toHaveProperty("$is_server")
      }
      expect(server.events[0]!.timestamp).toBe("2025-10-19T12:00:00.000Z")
    }))

  it.scopedLive("survives N x 5xx then recovery with one complete delivery", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { failTimes: { count: 2, status: 503 } } })
      const events = activity(5)
      const report = yield* sendTo(server, events)
      expect(report.delivered).toBe(true)
      expect(report.acknowledged).toBe(5)
      expect(server.requests.map((r) => r.status)).toEqual([503, 503, 200])
      expect(server.requests.every((r) => r.eventCount === 5)).toBe(true)
      expect(server.events.map((e) => e.uuid)).toEqual(uuids(events))
    }))

  it.scopedLive("reports always-5xx as not delivered after every retry", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { alwaysStatus: 500 } })
      const events = activity(3)
      const report = yield* sendTo(server, events)
      expect(report.delivered).toBe(false)
      expect(report.acknowledged).toBe(0)
      expect(report.unacknowledgedUuids).toEqual(uuids(events))
      expect(report.errors.join("\n")).toMatch(/^HTTP 500 \(3 event\(s\) not delivered\)$/m)
      // 1 attempt + fetchRetryCount retries.
      expect(server.requests.map((r) => r.status)).toEqual([500, 500, 500, 500])
    }))

  it.scopedLive("reports a 400 and a 401 as not delivered, without retrying", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ apiKey: "phc_right", faults: { alwaysStatus: 400 } })
      const events = activity(2)
      const badRequest = yield* sendTo(server, events, fast, "phc_right")
      expect(badRequest).toMatchObject({ delivered: false, acknowledged: 0, unacknowledgedUuids: uuids(events) })
      expect(badRequest.errors.join("\n")).toContain("HTTP 400")

      server.reset()
      const unauthorized = yield* sendTo(server, events, fast, "phc_wrong")
      expect(unauthorized).toMatchObject({ delivered: false, acknowledged: 0, unacknowledgedUuids: uuids(events) })
      expect(unauthorized.errors.join("\n")).toContain("HTTP 401")
      expect(server.requests.map((r) => r.status)).toEqual([401])
      expect(server.events).toHaveLength(0)
    }))

  it.scopedLive("reports dropped connections as not delivered", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { dropConnections: true } })
      const events = activity(3)
      const report = yield* sendTo(server, events)
      expect(report).toMatchObject({ delivered: false, acknowledged: 0, unacknowledgedUuids: uuids(events) })
      expect(report.errors.join("\n")).toMatch(/socket hang up|ECONNRESET/)
      expect(server.requests.map((r) => r.status)).toEqual(["dropped", "dropped", "dropped", "dropped"])
    }))

  it.scopedLive("reports answers slower than the request timeout as not delivered", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { delayMs: 400 } })
      const events = activity(2)
      const report = yield* sendTo(server, events, { fetchRetryCount: 1, fetchRetryDelay: 10, requestTimeout: 100 })
      expect(report).toMatchObject({ delivered: false, acknowledged: 0, unacknowledgedUuids: uuids(events) })
      expect(report.errors.join("\n")).toMatch(/no answer within \d+ ms/)
      // The late answers find their sockets closed (however long the machine takes to get there).
      yield* eventually(() => expect(server.requests.map((r) => r.status)).toEqual(["client-closed", "client-closed"]))
    }))

  it.scopedLive("one dropped connection then recovery still delivers", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { dropConnections: 1 } })
      const report = yield* sendTo(server, activity(2))
      expect(report.delivered).toBe(true)
      expect(server.requests.map((r) => r.status)).toEqual(["dropped", 200])
    }))

  it.scopedLive("never reports a shutdown that ran out of its budget as delivered", () =>
    Effect.gen(function*() {
      // The server would answer after a minute: a send that waited for it could not return
      // within the test's timeout, and the server has answered nothing when the report is in.
      const server = yield* LocalCaptureServer.scoped({ faults: { delayMs: 60_000 } })
      const events = activity(2)
      let calls = 0
      let aborted = 0
      const counting: PostHogSink.Options["fetch"] = (url, init) => {
        calls += 1
        init.signal?.addEventListener("abort", () => {
          aborted += 1
        })
        return fetch(url, init as RequestInit)
      }
      const report = yield* sendTo(server, events, { ...fast, requestTimeout: 120_000, shutdownTimeoutMs: 150, fetch: counting })
      expect(server.requests).toEqual([])
      expect(report).toMatchObject({ delivered: false, acknowledged: 0, unacknowledgedUuids: uuids(events) })
      expect(report.errors.join("\n")).toContain("ran out of its 150 ms budget")
      // Nothing of the send outlives it: the pending request is aborted and no retry goes out.
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      expect([calls, aborted]).toEqual([1, 1])
    }))

  it.scopedLive("a 413 halves the batch: survived when halves fit", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const events = activity(8)
      // Learn the gzipped size of the whole batch, then cap the server below it.
      expect((yield* sendTo(server, events)).delivered).toBe(true)
      const whole = server.requests[0]!.bodyBytes
      server.reset()
      server.setMaxBodyBytes(Math.floor(whole * 0.85))
      const report = yield* sendTo(server, events)
      expect(report.delivered).toBe(true)
      expect(server.requests.map((r) => [r.status, r.eventCount])).toEqual([
        [413, 8],
        [200, 4],
        [200, 4]
      ])
      expect(server.events.map((e) => e.uuid)).toEqual(uuids(events))
    }))

  it.scopedLive("a 413 on a single event is reported, never delivered", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ maxBodyBytes: 50 })
      const events = activity(4)
      const report = yield* sendTo(server, events)
      expect(report.delivered).toBe(false)
      expect(report.unacknowledgedUuids).toEqual(uuids(events))
      expect(report.errors.join("\n")).toContain("HTTP 413")
      // 4 -> 2 -> 1, then each event alone: a one-event 413 cannot be split, so it is reported and the next one goes.
      expect(server.requests.map((r) => [r.status, r.eventCount])).toEqual([
        [413, 4],
        [413, 2],
        [413, 1],
        [413, 1],
        [413, 1],
        [413, 1]
      ])
    }))

  it.scopedLive("a second send of the same events carries byte-identical uuids and timestamps", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const events = [...activity(3), installInferred]
      expect((yield* sendTo(server, events)).delivered).toBe(true)
      expect((yield* sendTo(server, events)).delivered).toBe(true)
      expect(server.requests).toHaveLength(2)
      const pick = (e: LocalCaptureServer.CapturedEvent) =>
        JSON.stringify([e.uuid, e.timestamp, e.event, e.distinct_id, e.properties])
      const first = server.events.slice(0, 4).map(pick)
      const second = server.events.slice(4).map(pick)
      expect(second).toEqual(first)
    }))

  it.scopedLive("sends more events than posthog-node's default flushAt, batch and queue sizes in one request, dropping none", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      // Defaults: flushAt 20, maxBatchSize 100, maxQueueSize 1000 in @posthog/core (10000 in posthog-node).
      const events = activity(10_500)
      const report = yield* sendTo(server, events)
      expect(report).toMatchObject({ delivered: true, expected: 10_500, acknowledged: 10_500 })
      expect(server.requests.map((r) => [r.status, r.eventCount])).toEqual([[200, 10_500]])
      expect(new Set(server.events.map((e) => e.uuid)).size).toBe(10_500)
      expect(server.events.map((e) => e.uuid)).toEqual(uuids(events))
    }), 20_000)

  it.scopedLive("refuses POSTHOG_CAPTURE_MODE=v1 (read through Config) before any client exists", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const exit = yield* sendTo(server, activity(2)).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["POSTHOG_CAPTURE_MODE", "v1"]]))),
        Effect.exit
      )
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        expect(error).toBeInstanceOf(PostHogSink.PostHogSinkError)
        expect(error?.reason).toBe("CaptureModeV1")
        expect(error?.message).toContain("Unset POSTHOG_CAPTURE_MODE")
      }
      // v0 (the default) is fine.
      const report = yield* sendTo(server, activity(1)).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["POSTHOG_CAPTURE_MODE", "v0"]])))
      )
      expect(report.delivered).toBe(true)
      expect(server.requests).toHaveLength(1)
    }))

  it.scopedLive("never lets a v1-mode client reach the server even when Config did not see the variable", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const previous = process.env["POSTHOG_CAPTURE_MODE"]
      process.env["POSTHOG_CAPTURE_MODE"] = "v1"
      const report = yield* sendTo(server, activity(2)).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map())),
        Effect.ensuring(
          Effect.sync(() => {
            if (previous === undefined) delete process.env["POSTHOG_CAPTURE_MODE"]
            else process.env["POSTHOG_CAPTURE_MODE"] = previous
          })
        )
      )
      expect(report.delivered).toBe(false)
      expect(report.errors.join("\n")).toMatch(/tried POST .*\/i\/v1\/analytics\/events, not http:.*\/batch\/; the request was not sent/)
      expect(server.requests).toHaveLength(0)
    }))

  it.scopedLive("refuses input posthog-node would silently alter, and sends nothing for zero events", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const [first, second] = activity(2)
      const refusals = [
        [{ ...first!, uuid: "not-a-uuid" }],
        [first!, { ...second!, uuid: first!.uuid }],
        [{ ...first!, timestamp: new Date(Number.NaN) }],
        [{ ...first!, distinctId: "" }]
      ]
      for (const events of refusals) {
        const error = yield* Effect.flip(sendTo(server, events))
        expect(error.reason).toBe("InvalidEvents")
      }
      expect((yield* Effect.flip(sendTo(server, activity(1), fast, " "))).reason).toBe("InvalidOptions")
      const empty = yield* sendTo(server, [])
      expect(empty).toEqual({ expected: 0, acknowledged: 0, unacknowledgedUuids: [], errors: [], statuses: [], delivered: true })
      expect(server.requests).toHaveLength(0)
    }))
})

describe("PostHogSink budgets", () => {
  it("defaults to posthog-node's tuning and a shutdown budget above the worst-case retry time", () => {
    expect(PostHogSink.defaults).toEqual({ fetchRetryCount: 3, fetchRetryDelay: 3_000, requestTimeout: 10_000 })
    expect(PostHogSink.worstCaseBatchMs(PostHogSink.defaults)).toBe(49_000)
    expect(PostHogSink.shutdownBudgetMs(PostHogSink.defaults)).toBeGreaterThan(49_000)
    expect(PostHogSink.shutdownBudgetMs(PostHogSink.defaults)).toBeGreaterThan(30_000)
    const tiny = { fetchRetryCount: 3, fetchRetryDelay: 10, requestTimeout: 100 }
    expect(PostHogSink.shutdownBudgetMs(tiny)).toBeGreaterThan(PostHogSink.worstCaseBatchMs(tiny))
  })
})

describe("PostHogSink recording layer", () => {
  it.effect("records sends and clients, and answers as told", () =>
    Effect.gen(function*() {
      const recording = yield* PostHogSink.makeRecording()
      const options = { apiKey: "phc_test", host: "http://127.0.0.1:1", historicalMigration: true }
      const events = activity(3)
      const send = (batch: ReadonlyArray<CaptureEvent.CaptureEvent>) =>
        Effect.flatMap(PostHogSink.PostHogSink, (sink) => sink.send(batch, options)).pipe(
          Effect.provide(PostHogSink.layerRecording(recording))
        )

      expect((yield* send(events)).delivered).toBe(true)

      recording.setBehaviour({ _tag: "AcknowledgeOnly", uuids: [events[0]!.uuid] })
      const partial = yield* send(events)
      expect(partial).toMatchObject({ delivered: false, acknowledged: 1, unacknowledgedUuids: uuids(events).slice(1) })

      recording.setBehaviour({ _tag: "Reject", errors: ["HTTP 503"] })
      expect(yield* send(events)).toMatchObject({ delivered: false, acknowledged: 0, errors: ["HTTP 503"] })

      recording.setBehaviour({ _tag: "Fail", error: new PostHogSink.PostHogSinkError({ reason: "Unexpected", message: "boom" }) })
      expect((yield* Effect.flip(send(events))).message).toBe("boom")

      expect(yield* send([])).toMatchObject({ delivered: true, expected: 0 })
      expect(recording.clientsConstructed).toBe(4)
      expect(recording.sends).toHaveLength(4)
      expect(recording.sends[0]!.options).toEqual(options)
      expect(recording.events).toHaveLength(12)
    }))

  it.effect("refuses POSTHOG_CAPTURE_MODE=v1 like the real sink, recording nothing", () =>
    Effect.gen(function*() {
      const recording = yield* PostHogSink.makeRecording()
      const error = yield* Effect.flatMap(PostHogSink.PostHogSink, (sink) =>
        sink.send(activity(1), { apiKey: "phc_test", host: "http://127.0.0.1:1", historicalMigration: true })).pipe(
          Effect.provide(PostHogSink.layerRecording(recording)),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["POSTHOG_CAPTURE_MODE", "v1"]]))),
          Effect.flip
        )
      expect(error.reason).toBe("CaptureModeV1")
      expect(recording.clientsConstructed).toBe(0)
      expect(recording.sends).toHaveLength(0)
    }))
})
