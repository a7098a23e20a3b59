/**
 * The live transport: one long-lived posthog-node client in normal ingestion
 * mode (batched, background flushes), with acknowledgements observed on the
 * wire through its injected `fetch`, exactly like the backfill sink: a uuid
 * counts as acknowledged only when a request carrying it got a 2xx answer.
 *
 * What the transport still holds (for the engine's ledger) is: uuids handed to
 * `capture` that posthog-node has not enqueued yet (its `capture` prepares the
 * message asynchronously and emits `capture` once enqueued), its persisted
 * queue, and the requests in flight. The wire settles every batch (delivered,
 * or failed after its retries), so posthog-node drops it from its queue
 * either way; it drops the oldest event when the queue is full.
 *
 * @internal
 */
import type { CaptureEvent } from "@posthog-backfill/core"
import type { PostHog } from "posthog-node"
import type { Transport, TransportEvents } from "./telemetryEngine.js"
import type { LiveTuning } from "./telemetryOptions.js"
import { captureMessage, clientTransportOptions, describe, makeWire, queuedUuids, shutdownAndAccount, silence } from "./wire.js"

/** @internal */
export const makeLiveTransport = (
  PostHogClient: typeof PostHog,
  target: { readonly apiKey: string; readonly host: string },
  tuning: LiveTuning,
  events: TransportEvents
): Transport => {
  const awaitingEnqueue = new Set<string>()
  const retry = { count: tuning.fetchRetryCount, delayMs: tuning.fetchRetryDelay, timeoutMs: tuning.requestTimeout }
  const wire = makeWire({
    batchUrl: `${target.host}/batch/`,
    fetch: tuning.fetch,
    historicalMigration: false,
    retry,
    keepAlive: tuning.keepAlive,
    onAcknowledged: events.acknowledged,
    onFailed: events.failed
  })
  const client = new PostHogClient(target.apiKey, {
    host: target.host,
    flushAt: tuning.flushAt,
    flushInterval: tuning.flushInterval,
    maxQueueSize: tuning.maxQueueSize,
    maxBatchSize: tuning.maxBatchSize,
    disableGeoip: !tuning.geoip,
    ...clientTransportOptions(wire, retry)
  })
  // posthog-node's logger speaks only in its debug mode (off) and on a shutdown timeout, which the accounting reports.
  silence(client, () => undefined)
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
