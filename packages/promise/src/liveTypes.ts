/**
 * The models of live events for the facade, in plain TypeScript (nothing of
 * Effect): the field kinds, events and catalogs, capture results, reports and
 * options. `live.ts` re-exports them; the engine imports them from here.
 *
 * @since 0.1.0
 */
import type { BackfillApp, CaptureEvent, ConsentRules } from "@posthog-backfill/core"
import type { HostLogger, LogLevel } from "./types.js"

/**
 * The kind of one property of a live event.
 *
 * @since 0.1.0
 * @category fields
 */
export type Field =
  | { readonly kind: "count"; readonly optional: boolean }
  | { readonly kind: "amount"; readonly optional: boolean }
  | { readonly kind: "base2"; readonly optional: boolean }
  | { readonly kind: "boolean"; readonly optional: boolean }
  | { readonly kind: "oneOf"; readonly values: readonly [string, ...Array<string>]; readonly optional: boolean }


type ValueOf<F extends Field> = F extends { readonly kind: "oneOf"; readonly values: infer V extends ReadonlyArray<string> } ? V[number]
  : F extends { readonly kind: "boolean" } ? boolean
  : number

/**
 * The payload an event's fields describe.
 *
 * @since 0.1.0
 * @category models
 */
export type PayloadOf<E extends LiveEvent> = E extends LiveEvent<string, infer Fields> ?
    & { readonly [K in keyof Fields as Fields[K] extends { readonly optional: true } ? never : K]: ValueOf<Fields[K]> }
    & { readonly [K in keyof Fields as Fields[K] extends { readonly optional: true } ? K : never]?: ValueOf<Fields[K]> }
  : never

/**
 * One live event.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveEvent<Name extends string = string, Fields extends Readonly<Record<string, Field>> = Readonly<Record<string, Field>>> {
  readonly _tag: "LiveEvent"
  readonly name: Name
  readonly fields: Fields
  /** What identifies one occurrence (e.g. "the compaction request id"); when set, every capture must pass one. */
  readonly dedupeKey?: string | undefined
  readonly description?: string | undefined
}

/**
 * An app's live events.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveCatalog {
  readonly _tag: "LiveCatalog"
  readonly events: ReadonlyArray<LiveEvent>
}

/**
 * What a capture did.
 *
 * @since 0.1.0
 * @category models
 */
export type CaptureResult =
  | { readonly _tag: "Queued"; readonly uuid: string }
  | { readonly _tag: "Invalid"; readonly message: string }
  | { readonly _tag: "Duplicate"; readonly dedupeKey: string }
  | { readonly _tag: "NoConsent"; readonly consent: ConsentRules.ConsentDecision }
  | { readonly _tag: "DryRun"; readonly event: CaptureEvent.CaptureEvent }
  | { readonly _tag: "Disabled"; readonly reason: string }

/**
 * Positive delivery accounting: `captured`, `acknowledged` (a 2xx answer
 * covered them), `pending` (queued or in flight), `unacknowledged` (and
 * their uuids), `errors`, `delivered` (every captured event acknowledged).
 *
 * @since 0.1.0
 * @category models
 */
export interface TelemetryReport {
  readonly captured: number
  readonly acknowledged: number
  readonly pending: number
  readonly unacknowledged: number
  readonly unacknowledgedUuids: ReadonlyArray<string>
  readonly errors: ReadonlyArray<string>
  readonly delivered: boolean
  /** Events an earlier run left in the outbox, sent again with their uuids (counted in `acknowledged`/`pending` too). */
  readonly replayed: number
  /**
   * After shutdown: the unacknowledged events kept in the data dir's outbox
   * (`<config>.outbox.json`) for the next start, and the oldest dropped past
   * its bound (1000 events).
   */
  readonly outbox: { readonly kept: number; readonly dropped: number }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CaptureOptions {
  /** Required for events that declare a dedupe key; refused otherwise. Never sent. */
  readonly dedupeKey?: string | undefined
}

/**
 * posthog-node's batching and retries for live events.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  readonly flushAt?: number | undefined
  readonly flushInterval?: number | undefined
  readonly maxQueueSize?: number | undefined
  readonly maxBatchSize?: number | undefined
  readonly fetchRetryCount?: number | undefined
  readonly fetchRetryDelay?: number | undefined
  readonly requestTimeout?: number | undefined
  readonly shutdownTimeoutMs?: number | undefined
  /** Let PostHog resolve a location from the request's IP. Default false. */
  readonly geoip?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LiveTelemetryOptions {
  readonly app: BackfillApp.BackfillApp
  readonly catalog: LiveCatalog
  /** The app's data dir (its config file: consent, install id, notice version). */
  readonly dataDir: string
  /** Without one, captures are validated, gated and printed in debug mode, but never sent. */
  readonly apiKey?: string | undefined
  /** Default PostHog US cloud. */
  readonly host?: string | undefined
  /**
   * The app's version: the base properties are then this process's own
   * (`version`, `os`, `os_version`, `arch`, `runtime`, `runtime_version`, `locale`).
   */
  readonly version?: string | undefined
  /** Base properties to use instead (scrubbed against the app's whitelist). */
  readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>> | undefined
  /** The environment consent is read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  readonly client?: ClientOptions | undefined
  readonly maxDedupeKeys?: number | undefined
  /** Receives every message. Default: none; nothing is printed into the host. */
  readonly logger?: HostLogger | undefined
  /** The least severe level handed to `logger`. Default `"Debug"`. */
  readonly logLevel?: LogLevel | undefined
  /** Whether background flushes hold the host's process open. Default `false` (an awaited `flush`/`shutdown` does). */
  readonly keepAlive?: boolean | undefined
}

/**
 * The live telemetry of an app. Nothing rejects because of telemetry.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveTelemetry {
  /** Validates and captures one event. Never rejects. */
  readonly capture: <E extends LiveEvent>(event: E, payload: PayloadOf<E>, options?: CaptureOptions) => Promise<CaptureResult>
  /**
   * Runs `work`; only when it resolves, captures the event built from its
   * result, then resolves that result. Rejects only with `work`'s own error.
   */
  readonly track: <A, E extends LiveEvent>(
    work: () => A | PromiseLike<A>,
    event: E,
    payload: (result: A) => PayloadOf<E>,
    options?: CaptureOptions
  ) => Promise<A>
  /** Sends what is queued now and reports the running totals. Never rejects. */
  readonly flush: () => Promise<TelemetryReport>
  /** Sends what is queued within the budget, stops, and reports. Await it before exiting. Never rejects. */
  readonly shutdown: () => Promise<TelemetryReport>
  /** The versioned first-run notice in the app's config file. Never rejects. */
  readonly notice: {
    readonly shouldShow: (version: number) => Promise<boolean>
    readonly markShown: (version: number) => Promise<boolean>
    readonly showOnce: (notice: { readonly version: number; readonly text: string }, show: (text: string) => void | PromiseLike<void>) => Promise<boolean>
  }
}
