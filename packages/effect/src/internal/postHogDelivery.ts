/**
 * One send through a dedicated, short-lived posthog-node client, with
 * acknowledgements observed on the wire (`wire.ts`). Promise-based on
 * purpose: the public `PostHogSink` module wraps it in an Effect.
 *
 * @internal
 */
import type { CaptureEvent } from "@posthog-backfill/core"
import type { FetchFn } from "./fetchTypes.js"
import { captureMessage, clientTransportOptions, describe, makeWire, shutdownAndAccount, silence, type WireOptions } from "./wire.js"

/** @internal */
export interface Tuning {
  readonly fetchRetryCount: number
  readonly fetchRetryDelay: number
  readonly requestTimeout: number
  readonly shutdownTimeoutMs: number
  readonly fetch: FetchFn | undefined
  /** `false`: nothing of the send holds the host's process open. */
  readonly keepAlive: boolean
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
  /** Every status the server answered, in order. */
  readonly statuses: ReadonlyArray<number>
}

/**
 * The wire retries a failed write `fetchRetryCount` times after a fixed
 * `fetchRetryDelay`, and each attempt may take up to `requestTimeout`
 * (posthog-node's own tuning names and defaults; `wire.ts`).
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

/**
 * Captures `events` through a fresh client and shuts it down; never rejects
 * for delivery problems (they end up in `errors` and `delivered: false`).
 *
 * @internal
 */
export const deliver = async (
  events: ReadonlyArray<CaptureEvent.CaptureEvent>,
  target: Target,
  tuning: Tuning,
  signal: AbortSignal,
  onRetry?: WireOptions["onRetry"]
): Promise<Outcome> => {
  const acknowledged = new Set<string>()
  const errors: Array<string> = []
  const statuses: Array<number> = []
  const retry = { count: tuning.fetchRetryCount, delayMs: tuning.fetchRetryDelay, timeoutMs: tuning.requestTimeout }
  const wire = makeWire({
    batchUrl: `${target.host}/batch/`,
    fetch: tuning.fetch,
    historicalMigration: target.historicalMigration,
    retry,
    keepAlive: tuning.keepAlive,
    onAcknowledged: (uuids) => uuids.forEach((uuid) => acknowledged.add(uuid)),
    onFailed: (why) => errors.push(why),
    onAnswered: (status) => statuses.push(status),
    onRetry,
    signal
  })
  // posthog-node loads with the first send: a run that stops at a gate, and a plan, never pay for it.
  const { PostHog } = await import("posthog-node")
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
    ...clientTransportOptions(wire, retry)
  })
  // posthog-node's logger speaks only in its debug mode (off) and on a shutdown timeout, which the accounting reports.
  silence(client, () => undefined)
  client.on("error", (error: unknown) => {
    errors.push(describe(error))
  })
  for (const event of events) client.capture(captureMessage(event))

  errors.push(...(await shutdownAndAccount(client, wire, tuning.shutdownTimeoutMs)))
  if (signal.aborted) errors.push("the send was interrupted")

  return { ...account(events, acknowledged, errors.slice(), statuses), requests: wire.requests() }
}

/**
 * What sending `events` amounts to, given the uuids the server acknowledged:
 * delivered only when every event was and nothing went wrong.
 *
 * @internal
 */
export const account = (
  events: ReadonlyArray<{ readonly uuid: string }>,
  acknowledged: ReadonlySet<string>,
  errors: ReadonlyArray<string>,
  statuses: ReadonlyArray<number>
): Omit<Outcome, "requests"> => {
  const unacknowledgedUuids = events.map((event) => event.uuid).filter((uuid) => !acknowledged.has(uuid))
  return {
    expected: events.length,
    acknowledged: events.length - unacknowledgedUuids.length,
    unacknowledgedUuids,
    errors,
    delivered: unacknowledgedUuids.length === 0 && errors.length === 0,
    statuses
  }
}
