/**
 * Where an install's backfill stands, read from its data dir without writing
 * anything: the marker, a pending send (the window a retry pins), the
 * attempt record (a schedule or a backoff, and until when), the lease (held,
 * or left by a process that is gone), the live era's first day. The CLI's
 * `plan` shows it; a host can show it in its own diagnostics.
 *
 * @since 0.1.0
 */
import type { Backoff, Marker } from "@posthog-backfill/core"
import * as Effect from "effect/Effect"
import { AttemptLog } from "./AttemptLog.js"
import { LiveSince } from "./LiveSince.js"
import { MarkerStore, type MarkerReadError } from "./MarkerStore.js"
import { type Holding, SendLease, type SendLeaseError } from "./SendLease.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Status {
  readonly marker: Marker.MarkerState
  /** A send that started and was not confirmed: the retry sends this same window. */
  readonly pending: Marker.PendingSend | undefined
  /** A schedule (`attempts` 0) or a backoff after failed deliveries. */
  readonly attempts: Backoff.AttemptRecord | undefined
  readonly lease: Holding | undefined
  /** The day live telemetry began: the backfill ends the day before. */
  readonly liveSince: string | undefined
}

/**
 * Reads the status. Writes nothing, takes no lease.
 *
 * @since 0.1.0
 * @category reading
 */
export const read: Effect.Effect<Status, MarkerReadError | SendLeaseError, MarkerStore | AttemptLog | SendLease | LiveSince> = Effect.gen(
  function*() {
    const markers = yield* MarkerStore
    return {
      marker: yield* markers.read,
      pending: yield* markers.readPending,
      attempts: yield* Effect.flatMap(AttemptLog, (log) => log.read),
      lease: yield* Effect.flatMap(SendLease, (lease) => lease.peek),
      liveSince: yield* Effect.flatMap(LiveSince, (live) => live.read)
    }
  }
)
