/**
 * The one PostHog wire both transports use (the backfill's short-lived client
 * and live telemetry's long-lived one): the facts about posthog-node the sink
 * relies on, the `fetch` wrapper that observes acknowledgements, the refusals,
 * and the accounting after `shutdown()`.
 *
 * Facts (posthog-node 5.70.0 / @posthog/core 1.67.3 source):
 * - `options.fetch` replaces the transport for every request the client makes
 *   (posthog-node `src/client.ts`, `fetch()`); `/batch/` bodies are gzipped with
 *   `node:zlib` into a `Uint8Array` unless compression is off, and carry
 *   `{api_key, batch, sent_at, historical_migration?}` (@posthog/core
 *   `src/posthog-core-stateless.ts`, `sendBatch`).
 * - A write succeeds only on a 2xx answer (`fetchWithRetry`, `successful-write`).
 * - `shutdown()` catches fetch errors and only prints them (`logFlushError`), and
 *   resolves without error when its budget runs out (`raceWithTimeout`).
 * - `POSTHOG_CAPTURE_MODE=v1` in `process.env` at construction switches the
 *   client to `/i/v1/analytics/events` with another body.
 *
 * Why the injected `fetch` rather than the `flush` event: `_flush` emits `flush`
 * only when every batch of that flush succeeded, with all of them together, and
 * the event says what the SDK believes it sent, not what the server answered.
 * The wrapper sees each request as it goes on the wire and the status the
 * server answered to it, so an acknowledgement is recorded only for uuids a 2xx
 * response actually covered. It is also the one place to refuse a request this
 * library cannot vouch for (another endpoint, a body whose
 * `historical_migration` is not what the client was made for).
 *
 * @internal
 */
import { PostHogPersistedProperty } from "@posthog/core"
import type { PostHog, PostHogOptions } from "posthog-node"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Zlib from "node:zlib"

/** @internal */
export type FetchFn = NonNullable<PostHogOptions["fetch"]>

/**
 * Why `POSTHOG_CAPTURE_MODE=v1` is refused, in one line.
 *
 * @internal
 */
export const CAPTURE_MODE_V1_MESSAGE =
  "POSTHOG_CAPTURE_MODE=v1 is set: posthog-node would send to its Capture V1 endpoint with a different body instead " +
  "of /batch/, where delivery cannot be confirmed. Unset POSTHOG_CAPTURE_MODE (or set it to v0) and run again."

/**
 * Whether `POSTHOG_CAPTURE_MODE=v1` is set, read through Effect's `Config`
 * (so a test can swap the provider) before any client exists.
 *
 * @internal
 */
export const captureModeIsV1: Effect.Effect<boolean, string> = Config.option(Config.string("POSTHOG_CAPTURE_MODE")).pipe(
  Effect.mapError((cause) => `Could not read POSTHOG_CAPTURE_MODE: ${cause}`),
  Effect.map((mode) => Option.isSome(mode) && mode.value.trim().toLowerCase() === "v1")
)

/** One line for an error posthog-node emitted or threw. @internal */
export const describe = (error: unknown): string => {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause
    const inner = (error as { error?: unknown }).error ?? cause
    const suffix = inner instanceof Error ? ` (${inner.name}: ${inner.message})` : ""
    return `${error.name}: ${error.message}${suffix}`
  }
  return String(error)
}

/** @internal */
export interface CarriedBatch {
  readonly uuids: ReadonlyArray<string>
  readonly historicalMigration: unknown
}

/** Reads a `/batch/` body as posthog-node put it on the wire. @internal */
export const readBatch = async (body: unknown): Promise<CarriedBatch> => {
  let bytes: Uint8Array
  if (typeof body === "string") {
    bytes = Buffer.from(body, "utf8")
  } else if (body instanceof Uint8Array) {
    bytes = body
  } else if (typeof Blob !== "undefined" && body instanceof Blob) {
    bytes = new Uint8Array(await body.arrayBuffer())
  } else {
    throw new Error(`unsupported request body type ${typeof body}`)
  }
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
  const text = Buffer.from(gzipped ? Zlib.gunzipSync(bytes) : bytes).toString("utf8")
  const json = JSON.parse(text) as { batch?: unknown; historical_migration?: unknown }
  if (!Array.isArray(json.batch)) throw new Error("the body has no batch array")
  const uuids = json.batch.flatMap((entry: unknown) => {
    const uuid = typeof entry === "object" && entry !== null ? (entry as { uuid?: unknown }).uuid : undefined
    return typeof uuid === "string" ? [uuid] : []
  })
  return { uuids, historicalMigration: json.historical_migration }
}

/** @internal */
export interface WireOptions {
  /** The one URL requests may go to: `<origin><path>/batch/` of the parsed host. */
  readonly batchUrl: string
  /** The transport underneath. Default: the global `fetch`. */
  readonly fetch: FetchFn | undefined
  /** What every body's `historical_migration` must be: `true` for the backfill, not `true` for live events. */
  readonly historicalMigration: boolean
  /** A 2xx answer covered these uuids. */
  readonly onAcknowledged: (uuids: ReadonlyArray<string>) => void
  /** The server answered a request with this status (any status). */
  readonly onAnswered?: ((status: number) => void) | undefined
  /** A request was refused before it left (the reason is also thrown to posthog-node). */
  readonly onRefused: (why: string) => void
  /** Aborts every request of this wire (besides `close`). */
  readonly signal?: AbortSignal | undefined
}

/** The observed transport of one client. @internal */
export interface Wire {
  readonly fetch: FetchFn
  /** Requests sent so far. */
  readonly requests: () => number
  /** The uuids of the requests on the wire now. */
  readonly inFlight: () => ReadonlyArray<ReadonlyArray<string>>
  /** Ends the wire: requests in flight are aborted, later ones fail at once. */
  readonly close: () => void
}

/** Whether `url` is exactly `expected` once parsed (no fragment; a query is ignored). */
const isBatchUrl = (url: string, expected: string): boolean => {
  try {
    const parsed = new URL(url)
    return parsed.hash === "" && `${parsed.origin}${parsed.pathname}` === expected
  } catch {
    return false
  }
}

/**
 * The `fetch` to hand posthog-node: refuses anything but `POST <batchUrl>`
 * with the expected `historical_migration`, and reports the uuids each 2xx
 * answer covered.
 *
 * @internal
 */
export const makeWire = (options: WireOptions): Wire => {
  const base: FetchFn = options.fetch ?? ((url, init) => fetch(url, init))
  const over = new AbortController()
  const stop = options.signal === undefined ? over.signal : AbortSignal.any([options.signal, over.signal])
  const inFlight = new Map<number, ReadonlyArray<string>>()
  let requests = 0

  const refuse = (why: string): never => {
    options.onRefused(why)
    throw new Error(why)
  }

  const observed: FetchFn = async (url, init) => {
    if (stop.aborted) throw new Error("the send is over (interrupted, or the client was shut down)")
    if (init.method !== "POST" || !isBatchUrl(url, options.batchUrl)) {
      return refuse(`posthog-node tried ${init.method} ${url}, not ${options.batchUrl}; the request was not sent`)
    }
    let carried: CarriedBatch
    try {
      carried = await readBatch(init.body)
    } catch (cause) {
      return refuse(`could not read the /batch/ body posthog-node built (${describe(cause)}); the request was not sent`)
    }
    if (options.historicalMigration && carried.historicalMigration !== true) {
      return refuse("posthog-node built a /batch/ body without historical_migration: true; the request was not sent")
    }
    if (!options.historicalMigration && carried.historicalMigration === true) {
      return refuse("posthog-node built a live /batch/ body with historical_migration: true; the request was not sent")
    }
    const id = requests++
    inFlight.set(id, carried.uuids)
    try {
      const signal = init.signal === undefined ? stop : AbortSignal.any([init.signal, stop])
      const response = await base(url, { ...init, signal })
      options.onAnswered?.(response.status)
      if (response.status >= 200 && response.status < 300) options.onAcknowledged(carried.uuids)
      return response
    } finally {
      inFlight.delete(id)
    }
  }

  return {
    fetch: observed,
    requests: () => requests,
    inFlight: () => Array.from(inFlight.values()),
    close: () => over.abort()
  }
}

/**
 * The uuids still in posthog-node's persisted queue.
 *
 * @internal
 */
export const queuedUuids = (client: PostHog): ReadonlyArray<string> => {
  const queue = client.getPersistedProperty(PostHogPersistedProperty.Queue) as
    | ReadonlyArray<{ readonly message?: { readonly uuid?: unknown } }>
    | undefined
  return (queue ?? []).flatMap((item) => (typeof item.message?.uuid === "string" ? [item.message.uuid] : []))
}

/**
 * Shuts the client down within `budgetMs` and returns the problems that make
 * its resolution no proof of delivery: a failure, a budget run out (or a
 * request still in flight), events still queued (`notEnqueued` counts, after
 * the shutdown, those handed to `capture` that never reached the queue). The wire is closed
 * afterwards: nothing of the client outlives the report.
 *
 * @internal
 */
export const shutdownAndAccount = async (
  client: PostHog,
  wire: Wire,
  budgetMs: number,
  notEnqueued: () => number = () => 0
): Promise<ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const started = Date.now()
  try {
    await client.shutdown(budgetMs)
  } catch (cause) {
    problems.push(`posthog-node shutdown failed: ${describe(cause)}`)
  }
  const elapsed = Date.now() - started
  const inFlight = wire.inFlight().length
  if (inFlight > 0 || elapsed >= budgetMs) {
    problems.push(
      `posthog-node shutdown ran out of its ${budgetMs} ms budget` +
        (inFlight > 0 ? ` with ${inFlight} request(s) still in flight` : "")
    )
  }
  const left = queuedUuids(client).length + notEnqueued()
  if (left > 0) problems.push(`${left} event(s) were still queued in posthog-node after shutdown`)
  wire.close()
  return problems
}

/**
 * posthog-node's `capture` message for an event.
 *
 * @internal
 */
export const captureMessage = (event: {
  readonly event: string
  readonly distinctId: string
  readonly uuid: string
  readonly timestamp: Date
  readonly properties: Readonly<Record<string, unknown>>
}) => ({
  distinctId: event.distinctId,
  event: event.event,
  properties: { ...event.properties },
  timestamp: event.timestamp,
  uuid: event.uuid
})
