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
import { PostHog } from "posthog-node"
import type { Transport, TransportEvents } from "./telemetryEngine.js"
import { captureMessage, describe, type FetchFn, makeWire, queuedUuids, shutdownAndAccount } from "./wire.js"

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
  const awaitingEnqueue = new Set<string>()
  const wire = makeWire({
    batchUrl: `${target.host}/batch/`,
    fetch: tuning.fetch,
    historicalMigration: false,
    onAcknowledged: events.acknowledged,
    onRefused: events.failed
  })
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
    fetch: wire.fetch
  })
  client.on("capture", (message: unknown) => {
    const uuid = typeof message === "object" && message !== null ? (message as { uuid?: unknown }).uuid : undefined
    if (typeof uuid === "string") awaitingEnqueue.delete(uuid)
  })
  client.on("error", (error: unknown) => {
    events.failed(describe(error))
  })

  return {
    enqueue: (event: CaptureEvent.CaptureEvent) => {
      awaitingEnqueue.add(event.uuid)
      client.capture(captureMessage(event))
    },
    flush: () => client.flush().catch(() => undefined),
    shutdown: () => shutdownAndAccount(client, wire, tuning.shutdownTimeoutMs, () => awaitingEnqueue.size),
    pendingUuids: () => {
      const held = new Set<string>(awaitingEnqueue)
      for (const uuid of queuedUuids(client)) held.add(uuid)
      for (const uuids of wire.inFlight()) for (const uuid of uuids) held.add(uuid)
      return held
    }
  }
}
