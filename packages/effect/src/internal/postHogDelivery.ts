/**
 * One send through a dedicated, short-lived posthog-node client, with
 * acknowledgements observed on the wire. Promise-based on purpose: the public
 * `PostHogSink` module wraps it in an Effect.
 *
 * Facts this relies on (posthog-node 5.70.0 / @posthog/core 1.67.3 source):
 * - `options.fetch` replaces the transport for every request the client makes
 *   (posthog-node `src/client.ts`, `fetch()`); `/batch/` bodies are gzipped with
 *   `node:zlib` into a `Uint8Array` unless compression is off (`src/gzip.node.ts`,
 *   `src/entrypoints/index.node.ts`), and carry `{api_key, batch, sent_at,
 *   historical_migration?}` (@posthog/core `src/posthog-core-stateless.ts`,
 *   `sendBatch`).
 * - A write succeeds only on a 2xx answer (`fetchWithRetry`, `successful-write`).
 * - `shutdown()` catches fetch errors and only prints them (`logFlushError`), and
 *   resolves without error when its budget runs out (`raceWithTimeout`).
 *
 * Why the injected `fetch` rather than the `flush` event: `_flush` emits `flush`
 * only when every batch of that flush succeeded, with all of them together; a
 * flush that sent one half (2xx) and failed the other (say after a 413 split)
 * emits nothing, and the event says what the SDK believes it sent, not what the
 * server answered. The wrapper sees each request as it goes on the wire and the
 * status the server answered to it, so an acknowledgement is recorded only for
 * uuids a 2xx response actually covered. It is also the one place to refuse a
 * request this sink cannot vouch for (another endpoint, a body without
 * `historical_migration: true` when one was asked for).
 *
 * @internal
 */
import type { CaptureEvent } from "@posthog-backfill/core"
import { PostHogPersistedProperty } from "@posthog/core"
import { PostHog } from "posthog-node"
import type { PostHogOptions } from "posthog-node"
import * as Zlib from "node:zlib"

/** @internal */
export type FetchFn = NonNullable<PostHogOptions["fetch"]>

/** @internal */
export interface Tuning {
  readonly fetchRetryCount: number
  readonly fetchRetryDelay: number
  readonly requestTimeout: number
  readonly shutdownTimeoutMs: number
  readonly fetch: FetchFn | undefined
}

/** @internal */
export interface Target {
  readonly apiKey: string
  readonly host: string
  readonly historicalMigration: boolean
}

/** @internal */
export interface Outcome {
  readonly expected: number
  readonly acknowledged: number
  readonly unacknowledgedUuids: ReadonlyArray<string>
  readonly errors: ReadonlyArray<string>
  readonly delivered: boolean
  readonly requests: number
}

/**
 * posthog-node retries a failed write `retryCount` times after a fixed
 * `retryDelay`, and each attempt may take up to `requestTimeout`
 * (`retriable` in @posthog/core `src/utils/index.ts`, `fetchWithRetry`).
 *
 * @internal
 */
export const worstCaseBatchMs = (t: Pick<Tuning, "fetchRetryCount" | "fetchRetryDelay" | "requestTimeout">): number =>
  (t.fetchRetryCount + 1) * t.requestTimeout + t.fetchRetryCount * t.fetchRetryDelay

/**
 * The whole send is one batch (batch size above the event count), so the
 * worst case is one batch's retry stack; the margin covers compression, the
 * extra requests of a 413 split and timer slack.
 *
 * @internal
 */
export const defaultShutdownBudgetMs = (t: Pick<Tuning, "fetchRetryCount" | "fetchRetryDelay" | "requestTimeout">): number => {
  const worst = worstCaseBatchMs(t)
  return worst + Math.max(5_000, Math.ceil(worst * 0.25))
}

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

/**
 * Captures `events` through a fresh client and shuts it down; never rejects
 * for delivery problems (they end up in `errors` and `delivered: false`).
 *
 * @internal
 */
export const deliver = async (
  events: ReadonlyArray<CaptureEvent>,
  target: Target,
  tuning: Tuning,
  signal: AbortSignal
): Promise<Outcome> => {
  const baseFetch: FetchFn = tuning.fetch ?? ((url, init) => fetch(url, init))
  // Aborted once the report is taken: a shutdown that ran out of time leaves the SDK
  // working in the background, and nothing of this send may outlive it.
  const over = new AbortController()
  const stop = AbortSignal.any([signal, over.signal])
  const acknowledged = new Set<string>()
  const errors: Array<string> = []
  let inFlight = 0
  let requests = 0

  const refuse = (why: string): never => {
    errors.push(why)
    throw new Error(why)
  }

  const observedFetch: FetchFn = async (url, init) => {
    if (stop.aborted) throw new Error("the send is over (interrupted, or shutdown returned)")
    const path = url.split("?")[0] ?? url
    if (init.method !== "POST" || !path.endsWith("/batch/")) {
      return refuse(`posthog-node tried ${init.method} ${url}, not the /batch/ endpoint; the request was not sent`)
    }
    let carried: CarriedBatch
    try {
      carried = await readBatch(init.body)
    } catch (cause) {
      return refuse(`could not read the /batch/ body posthog-node built (${describe(cause)}); the request was not sent`)
    }
    if (target.historicalMigration && carried.historicalMigration !== true) {
      return refuse("posthog-node built a /batch/ body without historical_migration: true; the request was not sent")
    }
    inFlight += 1
    requests += 1
    try {
      const requestSignal = init.signal === undefined ? stop : AbortSignal.any([init.signal, stop])
      const response = await baseFetch(url, { ...init, signal: requestSignal })
      if (response.status >= 200 && response.status < 300) {
        for (const uuid of carried.uuids) acknowledged.add(uuid)
      }
      return response
    } finally {
      inFlight -= 1
    }
  }

  const client = new PostHog(target.apiKey, {
    host: target.host,
    historicalMigration: target.historicalMigration,
    // No background flush: the timer is armed on the first enqueue unless the interval is 0,
    // and a flushAt-triggered flush swallows its errors.
    flushInterval: 0,
    flushAt: events.length + 1,
    maxBatchSize: events.length + 1,
    // The queue drops its oldest event past maxQueueSize.
    maxQueueSize: events.length + 1,
    disableGeoip: false,
    fetchRetryCount: tuning.fetchRetryCount,
    fetchRetryDelay: tuning.fetchRetryDelay,
    requestTimeout: tuning.requestTimeout,
    fetch: observedFetch
  })
  client.on("error", (error: unknown) => {
    errors.push(describe(error))
  })

  for (const event of events) {
    client.capture({
      distinctId: event.distinctId,
      event: event.event,
      properties: { ...event.properties },
      timestamp: event.timestamp,
      uuid: event.uuid
    })
  }

  const started = Date.now()
  try {
    await client.shutdown(tuning.shutdownTimeoutMs)
  } catch (cause) {
    errors.push(`posthog-node shutdown failed: ${describe(cause)}`)
  }
  const elapsed = Date.now() - started

  const queued = (client.getPersistedProperty(PostHogPersistedProperty.Queue) as ReadonlyArray<unknown> | undefined)?.length ?? 0
  if (inFlight > 0 || elapsed >= tuning.shutdownTimeoutMs) {
    errors.push(
      `posthog-node shutdown ran out of its ${tuning.shutdownTimeoutMs} ms budget` +
        (inFlight > 0 ? ` with ${inFlight} request(s) still in flight` : "")
    )
  }
  if (queued > 0) errors.push(`${queued} event(s) were still queued in posthog-node after shutdown`)
  if (signal.aborted) errors.push("the send was interrupted")

  const unacknowledgedUuids = events.map((event) => event.uuid).filter((uuid) => !acknowledged.has(uuid))
  const outcome: Outcome = {
    expected: events.length,
    acknowledged: events.length - unacknowledgedUuids.length,
    unacknowledgedUuids,
    errors: errors.slice(),
    delivered: unacknowledgedUuids.length === 0 && errors.length === 0,
    requests
  }
  over.abort()
  return outcome
}
