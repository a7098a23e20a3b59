import { describe, expect, it } from "@effect/vitest"
import { LocalCaptureServer, startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import * as Effect from "effect/Effect"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Zlib from "node:zlib"

const event = (index: number, overrides: Record<string, unknown> = {}) => ({
  event: "historical_activity",
  distinct_id: "install-1",
  uuid: `0f0e0d0c-0b0a-5908-8706-${String(index).padStart(12, "0")}`,
  timestamp: "2025-10-19T12:00:00.000Z",
  properties: { observation_count: index, backfilled: true },
  ...overrides
})

const body = (overrides: Record<string, unknown> = {}) => ({
  api_key: "phc_test",
  batch: [event(1), event(2)],
  sent_at: "2025-10-22T08:00:00.000Z",
  historical_migration: true,
  ...overrides
})

interface Posted {
  readonly status: number
  readonly json: unknown
}

const post = (
  url: string,
  payload: unknown,
  options: { readonly gzip?: boolean; readonly path?: string; readonly headers?: Record<string, string>; readonly timeoutMs?: number } = {}
): Effect.Effect<Posted, Error> =>
  Effect.tryPromise({
    try: async () => {
      const text = typeof payload === "string" || payload instanceof Uint8Array ? payload : JSON.stringify(payload)
      const response = await fetch(`${url}${options.path ?? "/batch/"}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...options.headers },
        body: options.gzip === true ? Zlib.gzipSync(text) : text,
        ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) })
      })
      return { status: response.status, json: (await response.json()) as unknown }
    },
    catch: (cause) => (cause instanceof Error ? cause : new Error(String(cause)))
  })

describe("LocalCaptureServer", () => {
  it.scopedLive("listens on 127.0.0.1 only, on an ephemeral port", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      expect(server.port).toBeGreaterThan(0)
      const external = Object.values(Os.networkInterfaces())
        .flat()
        .find((info) => info !== undefined && info.family === "IPv4" && !info.internal)
      if (external !== undefined) {
        const refused = yield* Effect.promise(
          () =>
            new Promise<boolean>((resolve) => {
              const socket = Net.connect({ host: external.address, port: server.port })
              socket.once("connect", () => {
                socket.destroy()
                resolve(false)
              })
              socket.once("error", () => resolve(true))
            })
        )
        expect(refused).toBe(true)
      }
    }))

  it.scopedLive("accepts a plain JSON batch and records the request and its events", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const answer = yield* post(server.url, body())
      expect(answer).toEqual({ status: 200, json: { status: "Ok" } })
      expect(server.requests).toHaveLength(1)
      expect(server.requests[0]).toMatchObject({
        method: "POST",
        path: "/batch/",
        status: 200,
        gzipped: false,
        eventCount: 2,
        historicalMigration: true,
        sentAt: "2025-10-22T08:00:00.000Z",
        apiKey: "phc_test",
        uuids: [event(1).uuid, event(2).uuid]
      })
      expect(server.events.map((e) => e.uuid)).toEqual([event(1).uuid, event(2).uuid])
      expect(server.events[0]?.timestamp).toBe("2025-10-19T12:00:00.000Z")
      // `/batch` without the slash is the same endpoint.
      expect((yield* post(server.url, body(), { path: "/batch" })).status).toBe(200)
      expect((yield* post(server.url, body(), { path: "/capture/" })).status).toBe(404)
    }))

  it.scopedLive("gunzips by the magic bytes, whatever the headers say", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      expect((yield* post(server.url, body(), { gzip: true })).status).toBe(200)
      expect((yield* post(server.url, body(), { gzip: true, headers: { "Content-Encoding": "gzip" } })).status).toBe(200)
      // A header claiming gzip on a plain body does not make the server try to gunzip it.
      expect((yield* post(server.url, body(), { headers: { "Content-Encoding": "gzip" } })).status).toBe(200)
      expect(server.requests.map((r) => [r.gzipped, r.contentEncoding])).toEqual([
        [true, undefined],
        [true, "gzip"],
        [false, "gzip"]
      ])
      expect(server.events).toHaveLength(6)
      // Magic bytes followed by garbage are a 400, not a crash.
      const garbage = yield* post(server.url, Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]))
      expect(garbage.status).toBe(400)
      expect(garbage.json).toMatchObject({ detail: expect.stringContaining("does not gunzip") })
    }))

  it.scopedLive("answers 401 for a missing, empty or wrong api_key", () =>
    Effect.gen(function*() {
      const open = yield* LocalCaptureServer.scoped()
      expect((yield* post(open.url, body({ api_key: undefined }))).status).toBe(401)
      expect((yield* post(open.url, body({ api_key: "" }))).status).toBe(401)
      expect((yield* post(open.url, body({ api_key: "anything" }))).status).toBe(200)
      const locked = yield* LocalCaptureServer.scoped({ apiKey: "phc_right" })
      expect((yield* post(locked.url, body({ api_key: "phc_wrong" }))).status).toBe(401)
      expect((yield* post(locked.url, body({ api_key: "phc_right" }))).status).toBe(200)
      expect(locked.events).toHaveLength(2)
    }))

  it.scopedLive("answers 400 for a malformed body or event and accepts none of its events", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped()
      const malformed: ReadonlyArray<Record<string, unknown>> = [
        event(3, { event: undefined }),
        event(3, { event: "" }),
        event(3, { distinct_id: undefined }),
        event(3, { uuid: undefined }),
        event(3, { uuid: "not-a-uuid" }),
        event(3, { timestamp: "yesterday-ish" }),
        event(3, { timestamp: 12 })
      ]
      for (const bad of malformed) {
        const answer = yield* post(server.url, body({ batch: [event(1), bad] }))
        expect(answer.status).toBe(400)
      }
      expect((yield* post(server.url, "{not json")).status).toBe(400)
      expect((yield* post(server.url, body({ batch: "nope" }))).status).toBe(400)
      expect(server.events).toHaveLength(0)
      // A missing timestamp is fine: PostHog stamps it on arrival.
      expect((yield* post(server.url, body({ batch: [event(1, { timestamp: undefined })] }))).status).toBe(200)
    }))

  it.scopedLive("answers 413 when the raw body exceeds the cap, measured before gunzip", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ maxBodyBytes: 300 })
      const big = body({ batch: Array.from({ length: 10 }, (_, i) => event(i)) })
      expect((yield* post(server.url, big)).status).toBe(413)
      // The same events gzipped fit under the cap.
      expect((yield* post(server.url, big, { gzip: true })).status).toBe(200)
      server.setMaxBodyBytes(10)
      expect((yield* post(server.url, big, { gzip: true })).status).toBe(413)
      expect(server.requests.map((r) => [r.status, r.eventCount])).toEqual([
        [413, 10],
        [200, 10],
        [413, 10]
      ])
    }))

  it.scopedLive("injects N x 5xx then recovers, and a fixed status until changed", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { failTimes: { count: 2 } } })
      const statuses: Array<number> = []
      for (let i = 0; i < 3; i++) statuses.push((yield* post(server.url, body())).status)
      expect(statuses).toEqual([503, 503, 200])
      expect(server.events).toHaveLength(2)

      server.setFaults({ failTimes: { count: 1, status: 502 } })
      expect((yield* post(server.url, body())).status).toBe(502)
      expect((yield* post(server.url, body())).status).toBe(200)

      server.setFaults({ alwaysStatus: 500 })
      for (let i = 0; i < 3; i++) expect((yield* post(server.url, body())).status).toBe(500)
      server.setFaults({ alwaysStatus: 400 })
      expect((yield* post(server.url, body())).status).toBe(400)
      server.setFaults({ alwaysStatus: 413 })
      expect((yield* post(server.url, body())).status).toBe(413)
      server.setFaults({})
      expect((yield* post(server.url, body())).status).toBe(200)
    }))

  it.scopedLive("drops connections without answering", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { dropConnections: 1 } })
      const first = yield* Effect.either(post(server.url, body()))
      expect(first._tag).toBe("Left")
      expect((yield* post(server.url, body())).status).toBe(200)
      server.setFaults({ dropConnections: true })
      for (let i = 0; i < 2; i++) expect((yield* Effect.either(post(server.url, body())))._tag).toBe("Left")
      expect(server.requests.map((r) => r.status)).toEqual(["dropped", 200, "dropped", "dropped"])
      expect(server.events).toHaveLength(2)
    }))

  it.scopedLive("answers late, and records a client that gave up as client-closed", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { delayMs: 300 } })
      const impatient = yield* Effect.either(post(server.url, body(), { timeoutMs: 50 }))
      expect(impatient._tag).toBe("Left")
      const started = Date.now()
      expect((yield* post(server.url, body())).status).toBe(200)
      expect(Date.now() - started).toBeGreaterThanOrEqual(250)
      expect(server.requests.map((r) => r.status)).toEqual(["client-closed", 200])
      expect(server.events).toHaveLength(2)
    }))

  it.scopedLive("reset forgets requests, events and faults", () =>
    Effect.gen(function*() {
      const server = yield* LocalCaptureServer.scoped({ faults: { alwaysStatus: 503 } })
      expect((yield* post(server.url, body())).status).toBe(503)
      server.reset()
      expect(server.requests).toHaveLength(0)
      expect((yield* post(server.url, body())).status).toBe(200)
      expect(server.events).toHaveLength(2)
    }))

  it.live("has a Promise API for non-Effect hosts, and close is idempotent", () =>
    Effect.gen(function*() {
      const server = yield* Effect.promise(() => startLocalCaptureServer({ faults: { delayMs: 10_000 } }))
      // A pending delayed answer does not hold close() up.
      const pending = Effect.runPromise(Effect.either(post(server.url, body())))
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
      yield* Effect.promise(() => server.close())
      yield* Effect.promise(() => server.close())
      expect((yield* Effect.promise(() => pending))._tag).toBe("Left")
      const refused = yield* Effect.either(post(server.url, body()))
      expect(refused._tag).toBe("Left")
    }))
})
