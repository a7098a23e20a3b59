/**
 * The live transport: one long-lived posthog-node client in normal ingestion
 * mode (batched, background flushes), with acknowledgements observed on the
 * wire through its injected `fetch`, exactly like the backfill sink: a uuid
 * counts as acknowledged only when a request carrying it got a 2xx answer.
 *
 * What the transport still holds (for the engine's ledger) is: uuids handed to
 * `capture` that posthog-node has not enqueued yet (its `capture` prepares the
 * message asynchronously and emits `capture` once enqueued), its persisted
 * queue, and the requests in flight. posthog-node removes a batch from its
 * queue after a non-retryable failure or exhausted retries (and emits
 * `error`), keeps it on a network failure, and drops the oldest event when
 * the queue is full.
 *
 * @internal
 */
import type { CaptureEvent } from "@posthog-backfill/core"
import { PostHogPersistedProperty } from "@posthog/core"
import { PostHog } from "posthog-node"
import type { Transport, TransportEvents } from "./telemetryEngine.js"
import { type CarriedBatch, describe, type FetchFn, readBatch } from "./postHogDelivery.js"

/** @internal */
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
}

/** @internal */
export const makeLiveTransport = (
  target: { readonly apiKey: string; readonly host: string },
  tuning: LiveTuning,
  events: TransportEvents
): Transport => {
  const baseFetch: FetchFn = tuning.fetch ?? ((url, init) => fetch(url, init))
  const over = new AbortController()
  const awaitingEnqueue = new Set<string>()
  const inFlight = new Map<number, ReadonlyArray<string>>()
  let nextRequest = 0

  const refuse = (why: string): never => {
    events.failed(why)
    throw new Error(why)
  }

  const observedFetch: FetchFn = async (url, init) => {
    if (over.signal.aborted) throw new Error("the telemetry client is shut down")
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
    if (carried.historicalMigration === true) {
      return refuse("posthog-node built a live /batch/ body with historical_migration: true; the request was not sent")
    }
    const id = nextRequest++
    inFlight.set(id, carried.uuids)
    try {
      const signal = init.signal === undefined ? over.signal : AbortSignal.any([init.signal, over.signal])
      const response = await baseFetch(url, { ...init, signal })
      if (response.status >= 200 && response.status < 300) events.acknowledged(carried.uuids)
      return response
    } finally {
      inFlight.delete(id)
    }
  }

  const client = new PostHog(target.apiKey, {
    host: target.host,
    flushAt: tuning.flushAt,
    flushInterval: tuning.flushInterval,
    maxQueueSize: tuning.maxQueueSize,
    maxBatchSize: tuning.maxBatchSize,
    fetchRetryCount: tuning.fetchRetryCount,
    fetchRetryDelay: tuning.fetchRetryDelay,
    requestTimeout: tuning.requestTimeout,
    disableGeoip: !tuning.geoip,
    fetch: observedFetch
  })
  client.on("capture", (message: unknown) => {
    const uuid = typeof message === "object" && message !== null ? (message as { uuid?: unknown }).uuid : undefined
    if (typeof uuid === "string") awaitingEnqueue.delete(uuid)
  })
  client.on("error", (error: unknown) => {
    events.failed(describe(error))
  })

  const queued = (): ReadonlyArray<string> => {
    const queue = client.getPersistedProperty(PostHogPersistedProperty.Queue) as
      | ReadonlyArray<{ readonly message?: { readonly uuid?: unknown } }>
      | undefined
    return (queue ?? []).flatMap((item) => (typeof item.message?.uuid === "string" ? [item.message.uuid] : []))
  }

  return {
    enqueue: (event: CaptureEvent) => {
      awaitingEnqueue.add(event.uuid)
      client.capture({
        distinctId: event.distinctId,
        event: event.event,
        properties: { ...event.properties },
        timestamp: event.timestamp,
        uuid: event.uuid
      })
    },
    flush: () => client.flush().catch(() => undefined),
    shutdown: async () => {
      const problems: Array<string> = []
      const started = Date.now()
      try {
        await client.shutdown(tuning.shutdownTimeoutMs)
      } catch (cause) {
        problems.push(`posthog-node shutdown failed: ${describe(cause)}`)
      }
      const elapsed = Date.now() - started
      if (inFlight.size > 0 || elapsed >= tuning.shutdownTimeoutMs) {
        problems.push(
          `posthog-node shutdown ran out of its ${tuning.shutdownTimeoutMs} ms budget` +
            (inFlight.size > 0 ? ` with ${inFlight.size} request(s) still in flight` : "")
        )
      }
      const left = queued().length + awaitingEnqueue.size
      if (left > 0) problems.push(`${left} event(s) were still queued in posthog-node after shutdown`)
      // Nothing of this client may outlive the report.
      over.abort()
      return problems
    },
    pendingUuids: () => {
      const held = new Set<string>(awaitingEnqueue)
      for (const uuid of queued()) held.add(uuid)
      for (const uuids of inFlight.values()) for (const uuid of uuids) held.add(uuid)
      return held
    }
  }
}
