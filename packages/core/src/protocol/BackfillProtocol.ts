/**
 * The backfill protocol as one pure transition, in XState's shape:
 * `start(input)` and `transition(state, result)` return the next state and the
 * one action the shell performs next; the shell feeds the action's result
 * back and holds nothing of its own. The state carries everything read so
 * far (marker, consent, install id, rollout, attempt record, lease, pending
 * send, live-era start, what the database said, the events, the delivery).
 *
 * The order, and why:
 *
 * 1. Sweep temp files a killed writer left; read the marker (any marker ->
 *    `AlreadyDone`); resolve consent (off -> `NoConsent`). Nothing is written
 *    before these, so a done or opted-out install costs a read or two.
 * 2. Outside a dry run: the sink's checks (a refused host or capture mode
 *    fails before anything is written); the install id (created when the
 *    rollout needs it) and the rollout (`NotInRollout`); the attempt record
 *    (a schedule not yet due -> `Scheduled`; a backoff not yet over ->
 *    `BackingOff`, unless forced); with no record, the first run that could
 *    send schedules it at the install's point of the spread (`Scheduled`);
 *    the start delay; then the one-sender lease (held by a live process ->
 *    `Busy`). Under the lease the marker and the attempts are read again:
 *    another process may have finished, or failed, while this one waited.
 * 3. The pending send (it pins the window and the install id) and the
 *    live-era start (while the day before it is not a whole day yet ->
 *    `Scheduled` for the moment it is, so no day falls between the two
 *    eras), then the database (`Collect`). A clock the activity
 *    contradicts -> `ClockRefused`, nothing written. A window with no day
 *    (no activity, an install younger than 60 h, or a live era that covers
 *    it all) -> the marker with eventCount 0.
 * 4. The events, built once with the install id they are sent under. A dry
 *    run prints them and stops; no API key stops; the pending send is
 *    recorded; then the send.
 * 5. A positively confirmed delivery -> the marker, then the pending send and
 *    the attempt record are cleared. Otherwise the failure is recorded (it
 *    sets the next eligible time) and the pending send stays, so the retry is
 *    the same send.
 *
 * Every stop after the lease was taken releases it first, and an action that
 * fails ends the run the same way (`Error`), so no exit path keeps the lease.
 *
 * @since 0.1.0
 */
import type { PlanSummary } from "../events/HistoricalEvents.js"
import { BEST_EFFORT, learn } from "./internal/learn.js"
import type { Action, Input, Result, State } from "./internal/model.js"
import * as internal from "./internal/next.js"

export type { Action, Collected, Decision, DeliveryFailure, Input, Result, State } from "./internal/model.js"
export { PLACEHOLDER_INSTALL_ID } from "./internal/model.js"

/**
 * The plan's summary, once the database has been read: the events built, or
 * none when the window holds no day.
 *
 * @since 0.1.0
 * @category getters
 */
export const summaryOf: (state: State) => PlanSummary | undefined = internal.summaryOf

/**
 * The live era's first day a window may end before: `day`, unless it lies
 * before the app's floor (recorded under a clock that was behind; ending the
 * window there would latch an empty marker) or after today (a clock that was
 * ahead), then none.
 *
 * @since 0.1.0
 * @category getters
 */
export const usableLiveSince: (floorMs: number, nowMs: number, day: string | undefined) => string | undefined =
  internal.usableLiveSince

/**
 * The first action of a run.
 *
 * @since 0.1.0
 * @category transition
 */
export const start = (input: Input): readonly [State, Action] => internal.next({ input, awaiting: { _tag: "SweepTemps" } })

/**
 * The next state and action, given the result of the last action.
 *
 * @throws Error when `result` does not answer the awaited action (a shell bug).
 * @since 0.1.0
 * @category transition
 */
export const transition = (state: State, result: Result): readonly [State, Action] => {
  if (result._tag === "Failed") {
    const assumed = BEST_EFFORT[state.awaiting._tag]
    // Tidying up never decides a run: the marker (or its absence) already has.
    if (assumed !== undefined) return internal.next(learn(state, assumed))
    if (state.awaiting._tag === "ReleaseLease") return internal.stopAfterFailedRelease(state, result.error)
    return internal.endWithError(state, result.error)
  }
  return internal.next(learn(state, result))
}
