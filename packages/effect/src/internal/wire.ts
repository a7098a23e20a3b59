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
 * - A write succeeds only on a 2xx answer (`fetchWithRetry`, `successful-write`);
 *   a 413 halves the batch (`flush`); retries wait on plain `setTimeout`s
 *   (`retriable`), which keep a host's process alive.
 * - `shutdown()` and background flushes catch fetch errors and print them on
 *   the console's error stream (`logFlushError`), and `shutdown()` resolves without error
 *   when its budget runs out (`raceWithTimeout`). Its other messages go
 *   through a logger bound to `console` at construction (`_logger`).
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
import type { PostHog, PostHogOptions } from "posthog-node"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Zlib from "node:zlib"
import type { FetchFn, FetchInit, FetchResponse } from "./fetchTypes.js"
import { makeHttpFetch } from "./httpFetch.js"

export type { FetchFn } from "./fetchTypes.js"

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
    // A plain Error's name says nothing ("Error: connect ECONNREFUSED ...").
    return `${error.name === "Error" ? "" : `${error.name}: `}${error.message}${suffix}`
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

/**
 * How the wire retries a batch: posthog-node's own retry loop waits on timers
 * that keep a host's process alive, so the client is made with no retries and
 * the wire retries instead, on timers that follow `keepAlive`.
 *
 * @internal
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly count: number
  /** The wait before each retry. */
  readonly delayMs: number
  /** How long one attempt may take. */
  readonly timeoutMs: number
}

/** @internal */
export interface WireOptions {
  /** The one URL requests may go to: `<origin><path>/batch/` of the parsed host. */
  readonly batchUrl: string
  /** The transport underneath. Default: `node:http(s)` (`httpFetch.ts`). */
  readonly fetch: FetchFn | undefined
  /** What every body's `historical_migration` must be: `true` for the backfill, not `true` for live events. */
  readonly historicalMigration: boolean
  readonly retry: RetryPolicy
  /** `false`: no socket or timer of the wire holds the host's process open. */
  readonly keepAlive: boolean
  /** A 2xx answer covered these uuids. */
  readonly onAcknowledged: (uuids: ReadonlyArray<string>) => void
  /** The server answered a request with this status (any status, every attempt). */
  readonly onAnswered?: ((status: number) => void) | undefined
  /** A batch could not be delivered (refused before it left, or every attempt failed); one line. */
  readonly onFailed: (why: string) => void
  /** Attempt `attempt` of `of` failed with `last`; the next starts after `waitMs`. */
  readonly onRetry?: ((retry: { readonly attempt: number; readonly of: number; readonly waitMs: number; readonly last: string }) => void) | undefined
  /** Aborts every request of this wire (besides `close`). */
  readonly signal?: AbortSignal | undefined
}

/** The observed transport of one client. @internal */
export interface Wire {
  readonly fetch: FetchFn
  /** Requests sent so far (every attempt). */
  readonly requests: () => number
  /** The uuids of the batches on the wire now. */
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

/** posthog-node's own rule (`isPostHogFetchRetryableError`): a timeout, 429 and 5xx pass by themselves. */
const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500

/**
 * The answer posthog-node gets for a batch the wire has settled: delivered or
 * not, the wire has accounted for it, so posthog-node must neither retry it
 * nor print anything about it.
 */
const settled = (): FetchResponse => new Response("{\"status\":\"Ok\"}", { status: 200 })

/** Waits `ms` on a timer that holds the process only when `keepAlive`; resolves early when `signal` aborts. */
const pause = (ms: number, keepAlive: boolean, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener("abort", done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    if (!keepAlive) timer.unref()
    signal.addEventListener("abort", done, { once: true })
  })

/** One attempt, bounded by `timeoutMs` on a timer that follows `keepAlive`. */
const attempt = async (
  base: FetchFn,
  url: string,
  init: FetchInit,
  options: { readonly timeoutMs: number; readonly keepAlive: boolean; readonly signal: AbortSignal }
): Promise<FetchResponse> => {
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs)
  if (!options.keepAlive) timer.unref()
  try {
    return await base(url, { ...init, signal: AbortSignal.any([options.signal, timeout.signal]) })
  } catch (cause) {
    throw timeout.signal.aborted ? timeout.signal.reason : cause
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The `fetch` to hand posthog-node: refuses anything but `POST <batchUrl>`
 * with the expected `historical_migration`, retries a batch by the policy,
 * and reports the uuids each 2xx answer covered. posthog-node only ever sees
 * a 2xx (the batch is settled, whatever happened to it) or a 413 for a batch
 * it can split, so it has nothing to retry and nothing to print.
 *
 * @internal
 */
export const makeWire = (options: WireOptions): Wire => {
  const base: FetchFn = options.fetch ?? makeHttpFetch({ keepAlive: options.keepAlive })
  const over = new AbortController()
  const stop = options.signal === undefined ? over.signal : AbortSignal.any([options.signal, over.signal])
  const inFlight = new Map<number, ReadonlyArray<string>>()
  let batches = 0
  let requests = 0

  const fail = (why: string): FetchResponse => {
    options.onFailed(why)
    return settled()
  }

  const observed: FetchFn = async (url, init) => {
    if (stop.aborted) return fail("the send is over (interrupted, or the client was shut down); the request was not sent")
    if (init.method !== "POST" || !isBatchUrl(url, options.batchUrl)) {
      return fail(`posthog-node tried ${init.method} ${url}, not ${options.batchUrl}; the request was not sent`)
    }
    let carried: CarriedBatch
    try {
      carried = await readBatch(init.body)
    } catch (cause) {
      return fail(`could not read the /batch/ body posthog-node built (${describe(cause)}); the request was not sent`)
    }
    if (options.historicalMigration && carried.historicalMigration !== true) {
      return fail("posthog-node built a /batch/ body without historical_migration: true; the request was not sent")
    }
    if (!options.historicalMigration && carried.historicalMigration === true) {
      return fail("posthog-node built a live /batch/ body with historical_migration: true; the request was not sent")
    }
    const id = batches++
    inFlight.set(id, carried.uuids)
    try {
      let last = "no attempt was made"
      const attempts = options.retry.count + 1
      for (let n = 0; n < attempts && !stop.aborted; n++) {
        if (n > 0) {
          options.onRetry?.({ attempt: n, of: attempts, waitMs: options.retry.delayMs, last })
          await pause(options.retry.delayMs, options.keepAlive, stop)
        }
        if (stop.aborted) break
        requests++
        let response: FetchResponse
        try {
          response = await attempt(base, url, init, { timeoutMs: options.retry.timeoutMs, keepAlive: options.keepAlive, signal: stop })
        } catch (cause) {
          last = describe(cause)
          continue
        }
        options.onAnswered?.(response.status)
        if (response.status >= 200 && response.status < 300) {
          options.onAcknowledged(carried.uuids)
          return response
        }
        // posthog-node splits a batch the server found too large; one event it cannot split.
        if (response.status === 413 && carried.uuids.length > 1) return response
        last = `HTTP ${response.status}`
        if (!isRetryableStatus(response.status)) break
      }
      if (stop.aborted) last = "the send was interrupted"
      return fail(`${last} (${carried.uuids.length} event(s) not delivered)`)
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
 * The options that leave retrying and timeouts to the wire: no retries of
 * posthog-node's own, and its own deadline (an unref'd timer) past the wire's
 * worst case, so it never cuts an attempt the wire still waits for.
 *
 * @internal
 */
export const clientTransportOptions = (wire: Wire, retry: RetryPolicy) => ({
  fetch: wire.fetch as NonNullable<PostHogOptions["fetch"]>,
  fetchRetryCount: 0,
  fetchRetryDelay: 0,
  requestTimeout: (retry.count + 1) * retry.timeoutMs + retry.count * retry.delayMs + 5_000,
  // A local app's events do not come from a server: posthog-node would add `$is_server: true` to every one.
  isServer: false
})

/**
 * Routes posthog-node's own console logger (bound to `console` when the
 * client is made; debug-only except a shutdown timeout) to `log`: the library
 * prints nothing into its host. posthog-node 5.70.0's `_logger`, checked by
 * the quiet tests.
 *
 * @internal
 */
export const silence = (client: PostHog, log: (message: string) => void): void => {
  const write = (...args: ReadonlyArray<unknown>) => log(args.map((arg) => (typeof arg === "string" ? arg : describe(arg))).join(" "))
  const logger = { debug: write, info: write, warn: write, error: write, critical: write, createLogger: () => logger }
  ;(client as unknown as { _logger: unknown })._logger = logger
}

/**
 * The uuids still in posthog-node's persisted queue.
 *
 * @internal
 */
export const queuedUuids = (client: PostHog): ReadonlyArray<string> => {
  // @posthog/core's PostHogPersistedProperty.Queue, spelled out: importing it would load @posthog/core with this module.
  const queue = client.getPersistedProperty("queue" as never) as
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
