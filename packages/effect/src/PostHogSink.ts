/**
 * The sink every event leaves through: one `send` per batch of events, each on
 * a dedicated, short-lived `posthog-node` client, answered by a
 * {@link DeliveryReport} that says `delivered: true` only when delivery was
 * positively confirmed (every uuid carried by a request that got a 2xx answer,
 * and no `error` emitted). `shutdown()` resolving proves nothing in
 * posthog-node 5.70, so the report never relies on it.
 *
 * `layer` is the real sink; `makeRecording` / `layerRecording` are a recording
 * fake for tests that can deliver, fail or acknowledge only some uuids.
 *
 * @since 0.1.0
 */
import * as BackfillProgress from "./BackfillProgress.js"
import { type CaptureEvent as CaptureEventModule, EventId } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as HttpHost from "./HttpHost.js"
import * as internal from "./internal/postHogDelivery.js"
import type { FetchFn } from "./internal/fetchTypes.js"
import { untested } from "./internal/pins.js"
import { CAPTURE_MODE_V1_MESSAGE, captureModeIsV1 } from "./internal/wire.js"

type CaptureEvent = CaptureEventModule.CaptureEvent

/**
 * Where and how to send.
 *
 * @since 0.1.0
 * @category models
 */
export interface SendOptions {
  /** The PostHog project API key (`phc_...`). */
  readonly apiKey: string
  /** The PostHog host, e.g. `https://us.i.posthog.com`, or a local capture server's url. */
  readonly host: string
  /** Send through PostHog's historical-migration ingestion (`historical_migration: true`). */
  readonly historicalMigration: boolean
}

/**
 * The outcome of one `send`. `delivered` is true only when every expected uuid
 * was carried by a request that got a 2xx answer and the client emitted no
 * `error`; anything else (a dropped connection, a timeout, exhausted retries, a
 * 4xx, a shutdown that ran out of time) leaves it false.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeliveryReport {
  /** Number of events handed to `send`. */
  readonly expected: number
  /** Number of those events a 2xx answer acknowledged. */
  readonly acknowledged: number
  /** The uuids no 2xx answer acknowledged, in input order. */
  readonly unacknowledgedUuids: ReadonlyArray<string>
  /** Every `error` the client emitted and every problem the sink noticed. */
  readonly errors: ReadonlyArray<string>
  /** Positively confirmed delivery: all acknowledged and no error. */
  readonly delivered: boolean
  /** Every HTTP status the server answered (none: the network failed or timed out). */
  readonly statuses: ReadonlyArray<number>
}

/**
 * Why `send` refused to run. Delivery problems are not errors: they are
 * reported in a {@link DeliveryReport} with `delivered: false`.
 *
 * - `CaptureModeV1`: `POSTHOG_CAPTURE_MODE=v1` would switch posthog-node to another endpoint and body.
 * - `InvalidOptions`: an empty API key, or a host `HttpHost.parse` refuses.
 * - `InvalidEvents`: an event posthog-node would silently alter (an invalid or duplicate uuid,
 *   an invalid `Date`, an empty event name or distinct id).
 * - `Config`: the configuration could not be read.
 * - `UntestedDependency`: the host's tree resolved another posthog-node or @posthog/core
 *   than the exact versions this library is tested with (the message says which, and how to fix it).
 * - `Unexpected`: posthog-node threw where it should not.
 *
 * @since 0.1.0
 * @category errors
 */
export class PostHogSinkError extends Data.TaggedError("PostHogSinkError")<{
  readonly reason: "CaptureModeV1" | "InvalidOptions" | "InvalidEvents" | "Config" | "UntestedDependency" | "Unexpected"
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * The sink's interface.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Sends `events` through a dedicated client and reports what was positively
   * acknowledged. Fails only when it refuses to send at all.
   */
  readonly send: (
    events: ReadonlyArray<CaptureEvent>,
    options: SendOptions
  ) => Effect.Effect<DeliveryReport, PostHogSinkError>
  /**
   * The checks `send` starts with that need no events (the capture mode, the
   * key, the host), so a caller can refuse before it writes anything.
   */
  readonly check: (options: SendOptions) => Effect.Effect<void, PostHogSinkError>
}

/**
 * The service key.
 *
 * @since 0.1.0
 * @category tags
 */
export class PostHogSink extends Context.Tag("@posthog-backfill/effect/PostHogSink")<PostHogSink, Service>() {}

/**
 * Client tuning. Defaults are posthog-node's own, so production keeps its
 * retry behaviour; tests shrink the delays without skipping retries.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Retries after a failed attempt (posthog-node `fetchRetryCount`). Default 3. */
  readonly fetchRetryCount?: number | undefined
  /** Fixed delay between attempts in ms (posthog-node `fetchRetryDelay`). Default 3000. */
  readonly fetchRetryDelay?: number | undefined
  /** Per-attempt timeout in ms (posthog-node `requestTimeout`). Default 10000. */
  readonly requestTimeout?: number | undefined
  /**
   * The budget handed to `shutdown(ms)`. Defaults to {@link shutdownBudgetMs} of
   * the tuning above, which is longer than the worst-case retry time. A shorter
   * budget is honoured, and running out of it reports `delivered: false`.
   */
  readonly shutdownTimeoutMs?: number | undefined
  /** The transport underneath the acknowledgement observer. Default: `node:http(s)`, one connection per request. */
  readonly fetch?: FetchFn | undefined
  /**
   * Whether a send in flight (its socket, its retry and timeout timers) holds
   * the host's process open. Default `true`. `false` lets a short-lived host
   * exit mid-send; the pending send makes its next start the same send.
   */
  readonly keepAlive?: boolean | undefined
}

/**
 * posthog-node's defaults: 3 retries, 3 s apart, 10 s per attempt.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: {
  readonly fetchRetryCount: number
  readonly fetchRetryDelay: number
  readonly requestTimeout: number
} = { fetchRetryCount: 3, fetchRetryDelay: 3_000, requestTimeout: 10_000 }

/**
 * The worst time posthog-node can spend on one batch:
 * `(retries + 1) x requestTimeout + retries x retryDelay` (49 s with the defaults).
 *
 * @since 0.1.0
 * @category utils
 */
export const worstCaseBatchMs: (tuning: {
  readonly fetchRetryCount: number
  readonly fetchRetryDelay: number
  readonly requestTimeout: number
}) => number = internal.worstCaseBatchMs

/**
 * The default shutdown budget: {@link worstCaseBatchMs} plus a margin of 25%
 * (at least 5 s). Every send is a single batch, so this outlasts its retries.
 *
 * @since 0.1.0
 * @category utils
 */
export const shutdownBudgetMs: (tuning: {
  readonly fetchRetryCount: number
  readonly fetchRetryDelay: number
  readonly requestTimeout: number
}) => number = internal.defaultShutdownBudgetMs

const fail = (reason: PostHogSinkError["reason"], message: string, cause?: unknown) =>
  Effect.fail(new PostHogSinkError(cause === undefined ? { reason, message } : { reason, message, cause }))

/** `POSTHOG_CAPTURE_MODE=v1` is refused before any client exists (see `internal/wire.ts`). */
const refuseCaptureModeV1 = captureModeIsV1.pipe(
  Effect.mapError((message) => new PostHogSinkError({ reason: "Config", message })),
  Effect.flatMap((v1) => (v1 ? fail("CaptureModeV1", CAPTURE_MODE_V1_MESSAGE) : Effect.void))
)

/** Where a send goes: the key and the parsed host, or why not. */
const checkTarget = (options: SendOptions): Effect.Effect<HttpHost.Host, PostHogSinkError> => {
  if (options.apiKey.trim() === "") {
    return fail("InvalidOptions", "The PostHog API key is empty: posthog-node would disable itself and drop every event. Pass the project API key.")
  }
  return Either.match(HttpHost.parse(options.host), {
    onLeft: (why) => fail("InvalidOptions", HttpHost.describeRefusal("The PostHog host", options.host, why)),
    onRight: (host) => Effect.succeed(host)
  })
}

const validateEvents = (events: ReadonlyArray<CaptureEvent>): Effect.Effect<void, PostHogSinkError> => {
  const seen = new Set<string>()
  for (const [index, event] of events.entries()) {
    const where = `event #${index} (${JSON.stringify(event.event)})`
    if (event.event === "") return fail("InvalidEvents", `${where} has an empty event name.`)
    if (event.distinctId === "") return fail("InvalidEvents", `${where} has an empty distinctId.`)
    if (!EventId.isUuid(event.uuid)) {
      return fail("InvalidEvents", `${where} has uuid ${JSON.stringify(event.uuid)}, which posthog-node would silently replace with a random one. Pass an RFC 4122 uuid.`)
    }
    if (seen.has(event.uuid)) return fail("InvalidEvents", `${where} repeats uuid ${event.uuid}. Every event needs its own uuid.`)
    seen.add(event.uuid)
    if (!(event.timestamp instanceof Date) || Number.isNaN(event.timestamp.getTime())) {
      return fail("InvalidEvents", `${where} has an invalid timestamp. Pass a valid Date.`)
    }
  }
  return Effect.void
}

/** The versions posthog-node and @posthog/core resolved to, checked once per process. */
let pinsChecked: Promise<ReadonlyArray<string>> | undefined
const refuseUntested = Effect.flatMap(Effect.promise(() => (pinsChecked ??= untested())), (problems) =>
  problems.length === 0 ? Effect.void : fail("UntestedDependency", `${problems.join("; ")}.`))

/** The checks of `check`: the dependencies' versions, the capture mode, the key and the host. */
const checkOptions = (options: SendOptions) => Effect.zipRight(Effect.zipRight(refuseUntested, refuseCaptureModeV1), checkTarget(options))

/** The checks both the real and the recording sink run before anything else, in this order. */
const preflight = (events: ReadonlyArray<CaptureEvent>, options: SendOptions) =>
  Effect.zipLeft(checkOptions(options), validateEvents(events))

const emptyReport: DeliveryReport = { expected: 0, acknowledged: 0, unacknowledgedUuids: [], errors: [], delivered: true, statuses: [] }

const unique = (items: ReadonlyArray<string>): ReadonlyArray<string> => Array.from(new Set(items))

/**
 * The real sink over posthog-node. Each `send` creates its own client with
 * `historicalMigration` as asked, `flushInterval: 0`, `flushAt` /
 * `maxBatchSize` / `maxQueueSize` above the event count (no background flush,
 * one batch, nothing dropped), `disableGeoip: false`, the tuning above and a
 * shutdown budget longer than the worst-case retry time; captures every event
 * with its uuid and `Date` timestamp; shuts the client down; and reports what
 * the server acknowledged. Zero events send nothing and report delivered.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service> =>
  Effect.sync(() => {
    const fetchRetryCount = options.fetchRetryCount ?? defaults.fetchRetryCount
    const fetchRetryDelay = options.fetchRetryDelay ?? defaults.fetchRetryDelay
    const requestTimeout = options.requestTimeout ?? defaults.requestTimeout
    const tuning: internal.Tuning = {
      fetchRetryCount,
      fetchRetryDelay,
      requestTimeout,
      shutdownTimeoutMs: options.shutdownTimeoutMs ??
        internal.defaultShutdownBudgetMs({ fetchRetryCount, fetchRetryDelay, requestTimeout }),
      fetch: options.fetch,
      keepAlive: options.keepAlive ?? true
    }
    const send: Service["send"] = (events, sendOptions) =>
      Effect.gen(function*() {
        const host = yield* preflight(events, sendOptions)
        if (events.length === 0) {
          yield* Effect.logDebug("No events to send; no client created")
          return emptyReport
        }
        yield* Effect.logDebug(`Sending ${events.length} event(s) through a dedicated posthog-node client`)
        const progress = BackfillProgress.safely(yield* BackfillProgress.BackfillProgress)
        progress({ _tag: "Sending", events: events.length })
        const outcome = yield* Effect.tryPromise({
          try: (signal) =>
            internal.deliver(
              events,
              { apiKey: sendOptions.apiKey, host: host.url, historicalMigration: sendOptions.historicalMigration },
              tuning,
              signal,
              (retry) => progress({ _tag: "Retrying", ...retry })
            ),
          catch: (cause) =>
            new PostHogSinkError({ reason: "Unexpected", message: `posthog-node failed unexpectedly: ${String(cause)}`, cause })
        })
        const { requests, ...account } = outcome
        const report: DeliveryReport = { ...account, errors: unique(outcome.errors) }
        if (report.delivered) {
          yield* Effect.logInfo(`Delivered ${report.expected} event(s) in ${requests} request(s)`)
        } else {
          yield* Effect.logWarning(
            `Delivery not confirmed: ${report.acknowledged}/${report.expected} event(s) acknowledged`
          ).pipe(Effect.annotateLogs({ errors: report.errors.join(" | ") }))
        }
        return report
      }).pipe(
        Effect.annotateLogs({ module: "PostHogSink", host: sendOptions.host, historicalMigration: sendOptions.historicalMigration })
      )
    return PostHogSink.of({ send, check: (sendOptions) => Effect.asVoid(checkOptions(sendOptions)) })
  })

/**
 * The real sink as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<PostHogSink> => Layer.effect(PostHogSink, make(options))

/**
 * What a recording sink does on `send` (after the same preflight checks as the
 * real one):
 * - `Deliver`: acknowledge every event.
 * - `AcknowledgeOnly`: acknowledge only these uuids (`errors` added to the report).
 * - `Reject`: acknowledge nothing and report these errors.
 * - `Fail`: fail with this error.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordingBehaviour =
  | { readonly _tag: "Deliver" }
  | { readonly _tag: "AcknowledgeOnly"; readonly uuids: ReadonlyArray<string>; readonly errors?: ReadonlyArray<string> | undefined }
  | { readonly _tag: "Reject"; readonly errors: ReadonlyArray<string>; readonly statuses?: ReadonlyArray<number> | undefined }
  | { readonly _tag: "Fail"; readonly error: PostHogSinkError }

/**
 * One recorded `send` that passed the preflight checks.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedSend {
  readonly events: ReadonlyArray<CaptureEvent>
  readonly options: SendOptions
}

/**
 * A recording sink and what it saw. The getters return snapshots.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recording {
  /** The sink to provide (see {@link layerRecording}). */
  readonly service: Service
  /** Clients the real sink would have constructed: one per non-empty send that passed preflight. */
  readonly clientsConstructed: number
  /** Every send that passed preflight, in order. */
  readonly sends: ReadonlyArray<RecordedSend>
  /** Every event of those sends, in order. */
  readonly events: ReadonlyArray<CaptureEvent>
  /** Changes what later sends do. */
  readonly setBehaviour: (behaviour: RecordingBehaviour) => void
}

/**
 * A recording sink for tests. It runs the same preflight as the real sink
 * (`POSTHOG_CAPTURE_MODE=v1` and invalid input are refused before anything is
 * recorded), then records the send and answers as `behaviour` says.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRecording = (behaviour: RecordingBehaviour = { _tag: "Deliver" }): Effect.Effect<Recording> =>
  Effect.sync(() => {
    let current = behaviour
    let clients = 0
    const sends: Array<RecordedSend> = []
    const service = PostHogSink.of({
      check: (options) => Effect.asVoid(checkOptions(options)),
      send: (events, options) =>
        Effect.gen(function*() {
          yield* preflight(events, options)
          if (events.length === 0) return emptyReport
          clients += 1
          sends.push({ events: events.slice(), options: { ...options } })
          const now = current
          switch (now._tag) {
            case "Deliver":
              return internal.account(events, new Set(events.map((event) => event.uuid)), [], [200])
            case "AcknowledgeOnly":
              return internal.account(events, new Set(now.uuids), now.errors ?? [], [200])
            case "Reject":
              return internal.account(events, new Set(), now.errors, now.statuses ?? [])
            case "Fail":
              return yield* Effect.fail(now.error)
          }
        })
    })
    return {
      service,
      get clientsConstructed() {
        return clients
      },
      get sends() {
        return sends.slice()
      },
      get events() {
        return sends.flatMap((send) => send.events)
      },
      setBehaviour: (next) => {
        current = next
      }
    }
  })

/**
 * Provides a recording's sink as the `PostHogSink`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRecording = (recording: Recording): Layer.Layer<PostHogSink> => Layer.succeed(PostHogSink, recording.service)
