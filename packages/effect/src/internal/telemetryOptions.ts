/**
 * Checking what a host hands live telemetry before anything starts: the
 * catalog against the app's base properties, the base properties themselves
 * (scrubbed, paths dropped), and the client tuning. A problem is a reason and
 * one line; `Telemetry` turns it into its public error.
 *
 * @internal
 */
import { type BackfillApp, type CaptureEvent, Scrub } from "@posthog-backfill/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as EventCatalog from "../EventCatalog.js"
import * as HttpHost from "../HttpHost.js"
import type { FetchFn } from "./fetchTypes.js"
import { untested } from "./pins.js"
import { CAPTURE_MODE_V1_MESSAGE, captureModeIsV1 } from "./wire.js"

/** What the live transport is tuned with, once checked. @internal */
export interface LiveTuning {
  readonly flushAt: number
  readonly flushInterval: number
  readonly maxQueueSize: number
  readonly maxBatchSize: number
  readonly fetchRetryCount: number
  readonly fetchRetryDelay: number
  readonly requestTimeout: number
  readonly shutdownTimeoutMs: number
  readonly geoip: boolean
  readonly fetch: FetchFn | undefined
  /** `false`: no request or timer of the transport holds the host's process open. */
  readonly keepAlive: boolean
}

/** @internal */
export interface OptionProblem {
  readonly reason: "CaptureModeV1" | "InvalidOptions" | "InvalidCatalog" | "Config"
  readonly message: string
}

const problem = (reason: OptionProblem["reason"], message: string) => Effect.fail<OptionProblem>({ reason, message })

/**
 * Client tuning. Defaults are posthog-node's own batching (20 events or 10 s,
 * 1000 queued at most, 3 retries 3 s apart, 10 s per request) and a 10 s
 * shutdown budget.
 *
 * @internal
 */
export interface ClientTuning {
  readonly flushAt?: number | undefined
  readonly flushInterval?: number | undefined
  readonly maxQueueSize?: number | undefined
  readonly maxBatchSize?: number | undefined
  readonly fetchRetryCount?: number | undefined
  readonly fetchRetryDelay?: number | undefined
  readonly requestTimeout?: number | undefined
  /** How long `shutdown` may take. Default 10000 ms. */
  readonly shutdownTimeoutMs?: number | undefined
  /** Let PostHog resolve a location from the request's IP. Default false (`$geoip_disable: true`). */
  readonly geoip?: boolean | undefined
  /** The transport underneath the acknowledgement observer. Default: `node:http(s)`, one connection per request. */
  readonly fetch?: FetchFn | undefined
  /**
   * Whether a background flush (its socket, its retry and timeout timers)
   * holds the host's process open. Default `true`. With `false` only an
   * awaited `flush()` or `shutdown()` does.
   */
  readonly keepAlive?: boolean | undefined
}

/** @internal */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

const PATH_LIKE = /[\\/]/

type Scalars = Readonly<Record<string, CaptureEvent.PropertyScalar>>

/**
 * The base properties that may ship: scrubbed against the app's whitelist,
 * and anything that looks like a path dropped, with one line per dropped key.
 */
const cleanBaseProperties = (app: BackfillApp.BackfillApp, given: Scalars) => {
  const scrubbed = Scrub.scrubProperties(app.baseProperties, given)
  const kept: Record<string, CaptureEvent.PropertyScalar> = {}
  const dropped: Array<string> = []
  for (const key of Object.keys(given)) {
    const value = scrubbed[key]
    if (value === undefined) {
      dropped.push(`${key} (not a base property of ${app.name}, or not a ${app.baseProperties[key] ?? "whitelisted"} value)`)
    } else if (typeof value === "string" && PATH_LIKE.test(value)) {
      dropped.push(`${key} (looks like a path)`)
    } else {
      kept[key] = value
    }
  }
  return { kept, dropped }
}

const checkCatalog = (app: BackfillApp.BackfillApp, catalog: EventCatalog.Catalog) => {
  const collisions = catalog.events.flatMap((event) =>
    event.keys.filter((key) => Object.hasOwn(app.baseProperties, key)).map((key) => `${event.name}.${key}`)
  )
  return collisions.length === 0
    ? Effect.void
    : problem(
      "InvalidCatalog",
      `payload keys collide with ${app.name}'s base properties: ${collisions.join(", ")}; rename them in the catalog`
    )
}

const positive = (name: string, value: number | undefined, fallback: number, min: number) =>
  value === undefined
    ? Effect.succeed(fallback)
    : Number.isSafeInteger(value) && value >= min
    ? Effect.succeed(value)
    : problem("InvalidOptions", `${name} must be a whole number >= ${min}, got ${value}`)

/**
 * The catalog, the base properties and the dedupe bound, checked (dropped
 * base properties are logged).
 *
 * @internal
 */
export const prepare = (options: {
  readonly app: BackfillApp.BackfillApp
  readonly catalog: EventCatalog.Catalog
  readonly baseProperties?: Scalars | undefined
  readonly maxDedupeKeys?: number | undefined
}) =>
  Effect.gen(function*() {
    yield* checkCatalog(options.app, options.catalog)
    const base = cleanBaseProperties(options.app, options.baseProperties ?? {})
    for (const line of base.dropped) yield* Effect.logWarning(`base property left out of live events: ${line}`)
    const maxDedupeKeys = yield* positive("maxDedupeKeys", options.maxDedupeKeys, 10_000, 1)
    return { baseProperties: base.kept, maxDedupeKeys }
  })

/**
 * Where and how the live client sends: `undefined` without an API key
 * (nothing can be sent); the host must be an http(s) URL, and
 * `POSTHOG_CAPTURE_MODE=v1` is refused before any client exists.
 *
 * @internal
 */
export const liveTarget = (options: {
  readonly apiKey?: string | undefined
  readonly host?: string | undefined
  readonly client?: ClientTuning | undefined
}) =>
  Effect.gen(function*() {
    const apiKey = options.apiKey?.trim() ?? ""
    if (apiKey === "") return undefined
    const given = options.host ?? HttpHost.DEFAULT_HOST
    const parsed = HttpHost.parse(given)
    if (Either.isLeft(parsed)) return yield* problem("InvalidOptions", HttpHost.describeRefusal("The PostHog host", given, parsed.left))
    const host = parsed.right.url
    const v1 = yield* captureModeIsV1.pipe(Effect.mapError((message): OptionProblem => ({ reason: "Config", message })))
    if (v1) return yield* problem("CaptureModeV1", CAPTURE_MODE_V1_MESSAGE)
    // Live events are sent anyway (they are not a one-time history), with a warning.
    for (const line of yield* Effect.promise(() => untested())) yield* Effect.logWarning(`${line}; live events are sent, but their delivery accounting is untested`)
    const client = options.client ?? {}
    const tuning: LiveTuning = {
      flushAt: yield* positive("client.flushAt", client.flushAt, 20, 1),
      flushInterval: yield* positive("client.flushInterval", client.flushInterval, 10_000, 0),
      maxQueueSize: yield* positive("client.maxQueueSize", client.maxQueueSize, 1_000, 1),
      maxBatchSize: yield* positive("client.maxBatchSize", client.maxBatchSize, 100, 1),
      fetchRetryCount: yield* positive("client.fetchRetryCount", client.fetchRetryCount, 3, 0),
      fetchRetryDelay: yield* positive("client.fetchRetryDelay", client.fetchRetryDelay, 3_000, 0),
      requestTimeout: yield* positive("client.requestTimeout", client.requestTimeout, 10_000, 1),
      shutdownTimeoutMs: yield* positive("client.shutdownTimeoutMs", client.shutdownTimeoutMs, DEFAULT_SHUTDOWN_TIMEOUT_MS, 1),
      geoip: client.geoip ?? false,
      fetch: client.fetch,
      keepAlive: client.keepAlive ?? true
    }
    return { apiKey, host, tuning }
  })
