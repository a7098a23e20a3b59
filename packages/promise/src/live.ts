/**
 * `@posthog-backfill/promise/live`: typed live events for any host, with or
 * without Effect. Events are declared with plain field kinds (the kinds are
 * the whitelist: counts, amounts, base-2 buckets, booleans, closed enums);
 * the engine loads on the first call that needs it.
 *
 * ```ts
 * import { Base2, Presets } from "@posthog-backfill/promise"
 * import { createLiveTelemetry, defineCatalog, defineEvent, field } from "@posthog-backfill/promise/live"
 *
 * const CompactionCompleted = defineEvent("compaction_completed", {
 *   duration_b2: field.base2(),
 *   input_tokens_b2: field.base2(),
 *   compaction_source: field.oneOf("manual", "idle", "auto")
 * }, { dedupeKey: "the compaction request id" })
 *
 * const telemetry = createLiveTelemetry({ app, dataDir, apiKey, version: "1.4.0", catalog: defineCatalog([CompactionCompleted]) })
 * await telemetry.capture(CompactionCompleted, { duration_b2: Base2.bucketBase2(3.2), input_tokens_b2: 4096, compaction_source: "manual" }, { dedupeKey: id })
 * await telemetry.shutdown()
 * ```
 *
 * @since 0.1.0
 */
import { type BackfillApp, type CaptureEvent, type ConsentRules, RollupSpec } from "@posthog-backfill/core"
import { loadEngine } from "./internal/loadEngine.js"
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

/**
 * The field kinds.
 *
 * @since 0.1.0
 * @category fields
 */
export const field = {
  /** A whole number >= 0. */
  count: () => ({ kind: "count", optional: false }) as const,
  /** A finite number >= 0 (a size, a duration). */
  amount: () => ({ kind: "amount", optional: false }) as const,
  /** A value `Base2.bucketBase2` produced (0 or a power of two). */
  base2: () => ({ kind: "base2", optional: false }) as const,
  boolean: () => ({ kind: "boolean", optional: false }) as const,
  /** One of these strings (a closed enum). */
  oneOf: <const V extends readonly [string, ...Array<string>]>(...values: V) => ({ kind: "oneOf", values, optional: false }) as const,
  /** The field may be left out. */
  optional: <F extends Field>(inner: F) => ({ ...inner, optional: true }) as const
}

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
 * Defining an event or a catalog went wrong; the message lists every problem.
 *
 * @since 0.1.0
 * @category errors
 */
export class LiveCatalogError extends Error {
  override readonly name = "LiveCatalogError"
  constructor(readonly problems: ReadonlyArray<string>) {
    super(`Invalid event catalog: fix these and try again:\n- ${problems.join("\n- ")}`)
  }
}

const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/

/**
 * Defines an event: a snake_case name, plain property keys (no `$`, none of
 * the backfill's own keys), and a kind per property.
 *
 * @throws LiveCatalogError naming every problem.
 * @since 0.1.0
 * @category constructors
 */
export const defineEvent = <const Name extends string, const Fields extends Readonly<Record<string, Field>>>(
  name: Name,
  fields: Fields,
  options: { readonly dedupeKey?: string | undefined; readonly description?: string | undefined } = {}
): LiveEvent<Name, Fields> => {
  const problems: Array<string> = []
  if (!EVENT_NAME.test(name)) problems.push(`event name ${JSON.stringify(name)} must be snake_case (a-z, 0-9, _), at most 64 characters`)
  for (const [key, kind] of Object.entries(fields)) {
    if (!RollupSpec.isPropertyKey(key)) problems.push(`event ${name}: property ${JSON.stringify(key)} is not a plain key (no $)`)
    if (RollupSpec.RESERVED_KEYS.includes(key)) problems.push(`event ${name}: property "${key}" is reserved for the backfill`)
    if (kind.kind === "oneOf" && kind.values.length === 0) problems.push(`event ${name}: property "${key}" needs at least one value`)
  }
  if (options.dedupeKey !== undefined && options.dedupeKey.trim() === "") {
    problems.push(`event ${name}: dedupeKey, when set, says what identifies one occurrence (e.g. "the request id")`)
  }
  if (problems.length > 0) throw new LiveCatalogError(problems)
  return { _tag: "LiveEvent", name, fields, dedupeKey: options.dedupeKey, description: options.description }
}

/**
 * Defines the catalog; event names must be unique.
 *
 * @throws LiveCatalogError naming every problem.
 * @since 0.1.0
 * @category constructors
 */
export const defineCatalog = (events: ReadonlyArray<LiveEvent>): LiveCatalog => {
  const seen = new Set<string>()
  const problems = events.flatMap((event) => (seen.has(event.name) ? [`event ${event.name} is defined twice`] : (seen.add(event.name), [])))
  if (problems.length > 0) throw new LiveCatalogError(problems)
  return { _tag: "LiveCatalog", events: events.slice() }
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

type Engine = Awaited<ReturnType<typeof loadEngine>>
type Live = ReturnType<Engine["createLive"]>

/**
 * Starts live telemetry for an app's data dir. Returns at once; the engine
 * and the client start on first use.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createLiveTelemetry = (options: LiveTelemetryOptions): LiveTelemetry => {
  let live: Promise<Live | string> | undefined
  const started = (): Promise<Live | string> =>
    (live ??= loadEngine()
      .then((engine) => engine.createLive(options))
      .catch((error: unknown) => `posthog-backfill could not start live telemetry: ${error instanceof Error ? error.message : String(error)}`))
  const emptyReport = (reason: string): TelemetryReport => ({
    captured: 0,
    acknowledged: 0,
    pending: 0,
    unacknowledged: 0,
    unacknowledgedUuids: [],
    errors: [reason],
    delivered: true,
    replayed: 0,
    outbox: { kept: 0, dropped: 0 }
  })
  const capture: LiveTelemetry["capture"] = async (event, payload, captureOptions) => {
    const target = await started()
    return typeof target === "string" ? { _tag: "Disabled", reason: target } : target.capture(event, payload, captureOptions)
  }
  return {
    capture,
    track: async (work, event, payload, captureOptions) => {
      const result = await work()
      const target = await started()
      if (typeof target !== "string") await target.capture(event, () => payload(result), captureOptions)
      return result
    },
    flush: async () => {
      const target = await started()
      return typeof target === "string" ? emptyReport(target) : target.flush()
    },
    shutdown: async () => {
      const target = await started()
      return typeof target === "string" ? emptyReport(target) : target.shutdown()
    },
    notice: {
      shouldShow: async (version) => {
        const target = await started()
        return typeof target === "string" ? false : target.notice.shouldShow(version)
      },
      markShown: async (version) => {
        const target = await started()
        return typeof target === "string" ? false : target.notice.markShown(version)
      },
      showOnce: async (notice, show) => {
        const target = await started()
        return typeof target === "string" ? false : target.notice.showOnce(notice, show)
      }
    }
  }
}
