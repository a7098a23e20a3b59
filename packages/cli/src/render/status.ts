/**
 * Where an install's backfill stands, for `plan`: one line per file of the
 * data dir that decides what the next `send` does (the marker, a pending
 * send, a schedule or a backoff, the lease, the live era), and the same as
 * JSON.
 *
 * @since 0.1.0
 */
import { type Backoff, DayWindow, type Lease, type Marker } from "@posthog-backfill/core"
import type { BackfillStatus } from "@posthog-backfill/effect"
import { formatCount } from "./summary.js"

const events = (count: number) => `${formatCount(count)} event${count === 1 ? "" : "s"}`

const markerLine = (marker: BackfillStatus.Status["marker"]): string => {
  switch (marker._tag) {
    case "Absent":
      return "none: the backfill has not run here"
    case "Present":
      return `done at ${marker.marker.completedAt} through ${marker.marker.throughDay} (${events(marker.marker.eventCount)}); ` +
        "a send does nothing"
    case "Unreadable":
      return `unreadable (${marker.reason}), which counts as done; a send does nothing`
  }
}

const attemptsLine = (attempts: BackfillStatus.Status["attempts"], nowMs: number): string => {
  if (attempts === undefined) return "none"
  const due = Date.parse(attempts.nextEligibleAt) <= nowMs
  if (attempts.attempts === 0) {
    return `the app scheduled its send for ${attempts.nextEligibleAt} (the rollout's spread)` + (due ? "; due now" : "")
  }
  return `${attempts.attempts} failed deliver${attempts.attempts === 1 ? "y" : "ies"}` +
    (due ? "; the next send retries" : `; next attempt ${attempts.nextEligibleAt} (send --force: now)`)
}

const leaseLine = (lease: BackfillStatus.Status["lease"]): string => {
  if (lease === undefined) return "free"
  const who = lease.holder === undefined ? "a file that holds no lease" : `pid ${lease.holder.pid} on ${lease.holder.host} since ${lease.holder.startedAt}`
  return lease.stale ? `left by ${who}, which is gone: the next send takes it over` : `held by ${who}: a send now stops (busy)`
}

/**
 * The status as label/value rows.
 *
 * @since 0.1.0
 * @category rendering
 */
export const statusRows = (status: BackfillStatus.Status, nowMs: number): ReadonlyArray<readonly [string, string]> => [
  ["marker", markerLine(status.marker)],
  [
    "pending send",
    status.pending === undefined
      ? "none"
      : `started ${status.pending.startedAt} through ${status.pending.throughDay}, not confirmed: the next send retries ` +
        "this same window"
  ],
  ["attempts", attemptsLine(status.attempts, nowMs)],
  ...(status.attempts?.lastFailure === undefined ? [] : [["last failure", status.attempts.lastFailure.error] as const]),
  ["lease", leaseLine(status.lease)],
  [
    "live era",
    status.liveSince === undefined
      ? "none recorded"
      : `since ${status.liveSince}: the backfill ends ${DayWindow.dayBefore(status.liveSince)}`
  ]
]

/**
 * The status as `plan --json` prints it (`null` for what is absent).
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusJson {
  readonly marker:
    | ({ readonly state: "done" } & Marker.BackfillMarker)
    | { readonly state: "unreadable"; readonly reason: string }
    | { readonly state: "absent" }
  readonly pending: Marker.PendingSend | null
  readonly attempts: Backoff.AttemptRecord | null
  readonly lease: { readonly holder: Lease.LeaseRecord | null; readonly stale: boolean } | null
  readonly liveSince: string | null
}

/**
 * @since 0.1.0
 * @category rendering
 */
export const statusJson = (status: BackfillStatus.Status): StatusJson => ({
  marker: status.marker._tag === "Present"
    ? { state: "done", ...status.marker.marker }
    : status.marker._tag === "Unreadable"
    ? { state: "unreadable", reason: status.marker.reason }
    : { state: "absent" },
  pending: status.pending ?? null,
  attempts: status.attempts ?? null,
  lease: status.lease === undefined ? null : { holder: status.lease.holder ?? null, stale: status.lease.stale },
  liveSince: status.liveSince ?? null
})
