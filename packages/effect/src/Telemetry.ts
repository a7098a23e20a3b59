/**
 * Typed live events: the app's catalog ({@link EventCatalog}) captured through
 * one long-lived posthog-node client in normal ingestion mode, sharing the
 * backfill's consent, debug printing, whitelist and delivery confirmation.
 *
 * `capture` never fails and never throws into the host. In order:
 *
 * 1. the event must be the catalog's own definition and its payload must pass
 *    the schema (excess keys rejected): every capture, no path skips it; an
 *    invalid event is dropped and reported through the Logger with the
 *    schema's message (`Invalid`);
 * 2. consent off (the same rules as the backfill) -> `NoConsent`;
 * 3. a dedupe key already delivered, or in flight -> `Duplicate`;
 * 4. `<PREFIX>_DEBUG=1` -> the event is printed to stderr, nothing is sent
 *    or written (no install id is created) -> `DryRun`;
 * 5. no API key -> `Disabled`;
 * 6. queued with the app's base properties (version, os, arch, runtime,
 *    locale: never paths or host names) -> `Queued`.
 *
 * A dedupe key is recorded as delivered only when a 2xx answer acknowledged
 * its event; a failed delivery releases it, so a retry can send again. Use
 * {@link Service.track} to capture only after the work an event describes
 * succeeded. Delivered keys are kept in bounded memory (the most recent
 * `maxDedupeKeys`).
 *
 * `shutdown` sends what is queued within a bounded time and reports, from
 * what the server answered, how many events were acknowledged and how many
 * were not. The layer shuts down when its scope closes, so queued events are
 * not lost when a host forgets.
 *
 * @since 0.1.0
 */
import * as LiveOutbox from "./LiveOutbox.js"
import type { BackfillApp, CaptureEvent, ConsentRules } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { Consent } from "./Consent.js"
import type * as EventCatalog from "./EventCatalog.js"
import { InstallId } from "./InstallId.js"
import { LiveSince } from "./LiveSince.js"
import { makeLiveTransport } from "./internal/liveTransport.js"
import { type Behaviour, makeRecordingTransport } from "./internal/recordingTransport.js"
import * as engine from "./internal/telemetryEngine.js"
import {
  type ClientTuning,
  DEFAULT_SHUTDOWN_TIMEOUT_MS as defaultShutdownTimeoutMs,
  liveTarget,
  type OptionProblem,
  prepare
} from "./internal/telemetryOptions.js"

/**
 * The outcome of one capture: `Queued` (handed to the client), `Invalid`
 * (dropped, schema message), `Duplicate` (its dedupe key was already
 * captured), `NoConsent`, `DryRun` (printed, not sent), `Disabled` (no API
 * key, shut down, or the install id could not be stored).
 *
 * @since 0.1.0
 * @category models
 */
export type CaptureResult = engine.CaptureResult

/**
 * Constructors and matchers of {@link CaptureResult}.
 *
 * @since 0.1.0
 * @category models
 */
export const CaptureResult: typeof engine.CaptureResult = engine.CaptureResult

/**
 * Positive delivery accounting, from what the server answered:
 *
 * - `captured`: events handed to the client;
 * - `acknowledged`: those a 2xx answer covered;
 * - `pending`: still queued or in flight (0 after a completed shutdown unless
 *   it ran out of time or the network was down);
 * - `unacknowledged`: captured but not acknowledged (failed, dropped, or
 *   still pending), with their uuids (the most recent 1000);
 * - `errors`: what posthog-node and the transport reported (the most recent 100);
 * - `delivered`: every captured event acknowledged.
 *
 * @since 0.1.0
 * @category models
 */
export type TelemetryReport = engine.TelemetryReport

/**
 * @since 0.1.0
 * @category models
 */
export interface CaptureOptions {
  /** Required for events whose catalog entry declares a dedupe key; refused otherwise. Never sent. */
  readonly dedupeKey?: string | undefined
}

/**
 * The live-event service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Validates and captures one event. Never fails. */
  readonly capture: <E extends EventCatalog.AnyEvent>(
    event: E,
    payload: EventCatalog.PayloadOf<E>,
    options?: CaptureOptions
  ) => Effect.Effect<CaptureResult>
  /**
   * Runs `work`; only when it succeeds, builds the payload from its result
   * and captures it. A failing `work` captures nothing and records no dedupe
   * key; its error is returned unchanged. A throwing `payload` is reported as
   * an invalid event, never thrown.
   */
  readonly track: <A, E, R, Ev extends EventCatalog.AnyEvent>(
    work: Effect.Effect<A, E, R>,
    event: Ev,
    payload: (result: A) => EventCatalog.PayloadOf<Ev>,
    options?: CaptureOptions
  ) => Effect.Effect<A, E, R>
  /**
   * Whether an event with this dedupe key was delivered or is on its way in
   * this process: a handler checks it before doing the work a repeated
   * request would repeat (a capture with the key would be a `Duplicate`).
   */
  readonly isCaptured: (dedupeKey: string) => Effect.Effect<boolean>
  /** Sends what is queued now and reports the running totals. Never fails. */
  readonly flush: Effect.Effect<TelemetryReport>
  /** Sends what is queued within the shutdown budget, stops, and reports. Idempotent; later captures are `Disabled`. */
  readonly shutdown: Effect.Effect<TelemetryReport>
}

/**
 * The service key.
 *
 * @since 0.1.0
 * @category tags
 */
export class Telemetry extends Context.Tag("@posthog-backfill/effect/Telemetry")<Telemetry, Service>() {}

/**
 * Why the service could not be built:
 *
 * - `CaptureModeV1`: `POSTHOG_CAPTURE_MODE=v1` would switch posthog-node to another endpoint and body.
 * - `InvalidOptions`: the host is not an http(s) URL, or a tuning value is out of range.
 * - `InvalidCatalog`: a payload key collides with a base property.
 * - `Config`: the environment could not be read.
 *
 * @since 0.1.0
 * @category errors
 */
export class TelemetryError extends Data.TaggedError("TelemetryError")<{
  readonly reason: "CaptureModeV1" | "InvalidOptions" | "InvalidCatalog" | "Config"
  readonly message: string
}> {}

/**
 * Client tuning. Defaults are posthog-node's own batching (20 events or 10 s,
 * 1000 queued at most, 3 retries 3 s apart, 10 s per request) and a 10 s
 * shutdown budget.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientOptions = ClientTuning

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The app: its consent prefix, uuid namespace and base-property whitelist (shared with the backfill). */
  readonly app: BackfillApp.BackfillApp
  readonly catalog: EventCatalog.Catalog
  /** The PostHog project API key. Without one nothing is sent (captures still validate, gate and print). */
  readonly apiKey?: string | undefined
  /** Default PostHog US cloud. */
  readonly host?: string | undefined
  /** The app's base properties (version, os, ...), scrubbed against `app.baseProperties`. */
  readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>> | undefined
  /** Delivered dedupe keys kept in memory. Default 10000. */
  readonly maxDedupeKeys?: number | undefined
  readonly client?: ClientOptions | undefined
}

/**
 * The default shutdown budget.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS: number = defaultShutdownTimeoutMs

const fromProblem = (problem: OptionProblem) => new TelemetryError(problem)

const toService = (core: engine.Engine): Service => ({
  capture: (event, payload, options) => core.capture(event, payload, options),
  track: (work, event, payload, options) =>
    Effect.tap(work, (result) =>
      Effect.suspend(() => {
        let built: unknown
        try {
          built = payload(result)
        } catch (error) {
          const message = `${event.name}: building the payload threw: ${error instanceof Error ? error.message : String(error)}`
          return Effect.logWarning(`dropped an invalid live event: ${message}`)
        }
        return core.capture(event, built, options)
      })),
  isCaptured: core.isCaptured,
  flush: core.flush,
  shutdown: core.shutdown
})

/**
 * The live service over a long-lived posthog-node client, shut down when the
 * scope closes. Consent and the install id come from the `Consent` and
 * `InstallId` services (the backfill's own).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, TelemetryError, Consent | InstallId | LiveSince | Scope.Scope> =>
  Effect.gen(function*() {
    const consent = yield* Consent
    const installIds = yield* InstallId
    const liveSince = yield* LiveSince
    const prepared = yield* Effect.mapError(prepare(options), fromProblem)
    const target = yield* Effect.mapError(liveTarget(options), fromProblem)
    // posthog-node loads only when events can be sent.
    const PostHog = target === undefined ? undefined : yield* Effect.promise(() => import("posthog-node").then((module) => module.PostHog))
    const core = yield* engine.makeEngine({
      app: options.app,
      catalog: options.catalog,
      baseProperties: prepared.baseProperties,
      consent: consent.resolve,
      installId: installIds,
      transport: target === undefined || PostHog === undefined
        ? undefined
        : (events) => makeLiveTransport(PostHog, { apiKey: target.apiKey, host: target.host }, target.tuning, events),
      disabledReason: "no PostHog API key was given, so live events are validated and gated but not sent",
      maxDedupeKeys: prepared.maxDedupeKeys,
      outbox: yield* LiveOutbox.LiveOutbox,
      recordLiveSince: (day) =>
        liveSince.record(day).pipe(
          Effect.tap((recorded) => Effect.logDebug(`live telemetry began ${recorded}: the backfill ends the day before`)),
          Effect.catchAll((error) => Effect.logWarning(`could not record when live telemetry began: ${error.message}`)),
          Effect.asVoid
        )
    })
    yield* Effect.addFinalizer(() => core.shutdown)
    return toService(core)
  })

/**
 * The live service as a scoped layer: closing it shuts the client down
 * (queued events are sent within the budget).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Telemetry, TelemetryError, Consent | InstallId | LiveSince> =>
  Layer.scoped(Telemetry, make(options))

/**
 * What a recording transport does with queued events on `flush` / `shutdown`:
 * `Acknowledge` them all (the default), `Reject` them (dropped, with this
 * error, as after exhausted retries), or `Hold` them (never answered, as when
 * the network is down).
 *
 * @since 0.1.0
 * @category models
 */
export type RecordingBehaviour = Behaviour

/**
 * @since 0.1.0
 * @category models
 */
export interface RecordingOptions {
  readonly app: BackfillApp.BackfillApp
  readonly catalog: EventCatalog.Catalog
  readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>> | undefined
  /** Default: enabled by default, no debug. */
  readonly consent?: ConsentRules.ConsentDecision | undefined
  /** Default {@link RECORDING_INSTALL_ID}. */
  readonly installId?: string | undefined
  readonly maxDedupeKeys?: number | undefined
  readonly behaviour?: RecordingBehaviour | undefined
  /** Where unacknowledged events wait for the next start (e.g. `LiveOutbox.makeMemory()`). Default: nowhere. */
  readonly outbox?: LiveOutbox.Service | undefined
}

/**
 * A recording `Telemetry` and what it saw. The getters return snapshots.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recording {
  readonly service: Service
  /** Every event handed to the transport (after validation, consent, dedupe and debug), in order. */
  readonly events: ReadonlyArray<CaptureEvent.CaptureEvent>
  /** The uuids acknowledged so far. */
  readonly acknowledged: ReadonlyArray<string>
  /** The day the first event was acknowledged, once recorded. */
  readonly liveSince: string | undefined
  readonly setBehaviour: (behaviour: RecordingBehaviour) => void
  readonly setConsent: (decision: ConsentRules.ConsentDecision) => void
}

/**
 * The install id of a recording unless one is given.
 *
 * @since 0.1.0
 * @category constants
 */
export const RECORDING_INSTALL_ID = "00000000-0000-4000-8000-000000000001"

const defaultConsent: ConsentRules.ConsentDecision = { enabled: true, source: "default", reason: "telemetry is on by default", debug: false }

/**
 * A recording `Telemetry` for tests: the same pipeline (catalog, schema,
 * consent, dedupe, debug print, ledger) over an in-memory transport that
 * answers queued events on `flush` / `shutdown` as its behaviour says.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRecording = (options: RecordingOptions): Effect.Effect<Recording, TelemetryError> =>
  Effect.gen(function*() {
    const prepared = yield* Effect.mapError(prepare(options), fromProblem)
    let consent = options.consent ?? defaultConsent
    let liveSince: string | undefined
    const installId = options.installId ?? RECORDING_INSTALL_ID
    const transport = makeRecordingTransport(options.behaviour ?? { _tag: "Acknowledge" })
    const core = yield* engine.makeEngine({
      app: options.app,
      catalog: options.catalog,
      baseProperties: prepared.baseProperties,
      consent: Effect.sync(() => consent),
      installId: { current: Effect.succeed(installId), getOrCreate: Effect.succeed(installId) },
      transport: transport.make,
      disabledReason: "unused",
      maxDedupeKeys: prepared.maxDedupeKeys,
      outbox: options.outbox,
      recordLiveSince: (day) => Effect.sync(() => void (liveSince = day))
    })
    return {
      service: toService(core),
      get liveSince() {
        return liveSince
      },
      get events() {
        return transport.events()
      },
      get acknowledged() {
        return transport.acknowledged()
      },
      setBehaviour: transport.setBehaviour,
      setConsent: (next) => {
        consent = next
      }
    }
  })

/**
 * Provides a recording's service as the `Telemetry`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRecording = (recording: Recording): Layer.Layer<Telemetry> =>
  Layer.succeed(Telemetry, recording.service)
