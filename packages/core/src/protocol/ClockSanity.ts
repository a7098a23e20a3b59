/**
 * Clock sanity: a backfill refuses to run on a clock it cannot trust, because
 * a wrong clock would ship a wrong window, or latch an empty marker and lose
 * the history for good. It refuses when
 *
 * - `now` is before the project floor (no activity can be that old and still
 *   count), or before the install day (the app was used after "now");
 * - the activity itself says the clock is behind: at least
 *   {@link MIN_FUTURE_ROWS} rows, and at least {@link FUTURE_SHARE} of the
 *   recent ones, lie after `now` (see `rollup/ClockProbe.ts`).
 *
 * A few stray rows dated in the future are corrupt data, not a wrong clock:
 * under both thresholds they are dropped (they are outside every window) and
 * reported, so one bad row can never block a backfill forever. A refusal
 * writes nothing; the next start looks again.
 *
 * @since 0.1.0
 */
import type { ClockFacts } from "../rollup/ClockProbe.js"
import { utcDay } from "../time/DayWindow.js"

/**
 * Fewer rows after `now` than this are stray data, whatever their share.
 *
 * @since 0.1.0
 * @category constants
 */
export const MIN_FUTURE_ROWS = 5

/**
 * The share of the recent activity (the rows after `now` among those after
 * it and those of the week before) at which the activity, not the rows, is
 * believed: 10%. A right clock sees none (up to the tolerance); a clock a day
 * behind on an app used daily sees about one in seven; a single corrupt row
 * among a week of use is far below it.
 *
 * @since 0.1.0
 * @category constants
 */
export const FUTURE_SHARE = 0.1

/**
 * The judgement.
 *
 * @since 0.1.0
 * @category models
 */
export type ClockJudgement =
  | { readonly _tag: "Sane"; readonly strayFutureRows: number }
  | { readonly _tag: "Behind"; readonly reason: string }

/**
 * Judges the clock from `nowMs`, the floor, the first activity and the probe.
 *
 * @since 0.1.0
 * @category clock
 */
export const judgeClock = (facts: {
  readonly nowMs: number
  readonly floorMs: number
  readonly firstActivityMs: number | null
  readonly probe: ClockFacts
}): ClockJudgement => {
  const now = new Date(facts.nowMs).toISOString()
  if (facts.nowMs < facts.floorMs) {
    return { _tag: "Behind", reason: `the clock says ${now}, before the project floor ${new Date(facts.floorMs).toISOString()}` }
  }
  if (facts.firstActivityMs !== null && facts.firstActivityMs > facts.nowMs) {
    return { _tag: "Behind", reason: `the clock says ${now}, before the app's first activity on ${utcDay(facts.firstActivityMs)}` }
  }
  const { futureRows, recentRows } = facts.probe
  const share = futureRows / Math.max(1, futureRows + recentRows)
  if (futureRows >= MIN_FUTURE_ROWS && share >= FUTURE_SHARE) {
    return {
      _tag: "Behind",
      reason: `the clock says ${now}, but ${futureRows} activity rows (${Math.round(share * 100)}% of the recent ones) are ` +
        "dated after it: the clock is behind"
    }
  }
  return { _tag: "Sane", strayFutureRows: futureRows }
}
