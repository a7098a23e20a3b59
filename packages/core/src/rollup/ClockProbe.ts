/**
 * The clock probe: what the app's own activity says about the clock. Its
 * first-activity sources (the tables that tell when activity happens) are
 * counted in two ranges: at or after `now` plus a tolerance (activity the
 * clock says has not happened yet), and the days before it (the activity a
 * right clock would call recent). Both counts are ranges on the raw time
 * column, one per unit, so an index on it answers them without a scan. The
 * protocol's `ClockSanity` judges the answer.
 *
 * @since 0.1.0
 */
import { type ClockProbeQuery, numberOf, type Row, type SqlParam, type TableColumns } from "../query/Query.js"
import { DAY_MS, HOUR_MS } from "../time/DayWindow.js"
import { SECONDS_THRESHOLD } from "../time/Epoch.js"
import { catalog, missingReason } from "./internal/catalog.js"
import { quote } from "./internal/identifiers.js"
import type { RollupSpec, TimeSource } from "./RollupSpec.js"

/**
 * Rows stamped up to this long after `now` are not "in the future": the app
 * may write while the probe reads, and clocks drift a little.
 *
 * @since 0.1.0
 * @category constants
 */
export const FUTURE_TOLERANCE_MS = HOUR_MS

/**
 * How far back "recent" activity reaches.
 *
 * @since 0.1.0
 * @category constants
 */
export const RECENT_SPAN_MS = 7 * DAY_MS

/**
 * The id of the clock probe.
 *
 * @since 0.1.0
 * @category constants
 */
export const CLOCK_PROBE_ID = "clock-probe"

/** `COUNT(*)` of the rows of one source whose normalized epoch is in `[loMs, hiMs)`. */
const countInRange = (source: TimeSource, loMs: number, hiMs: number) => {
  const col = quote(source.timeColumn)
  const table = quote(source.table)
  const sHi = hiMs >= SECONDS_THRESHOLD * 1000 ? SECONDS_THRESHOLD : Math.min(SECONDS_THRESHOLD, Math.ceil(hiMs / 1000) + 1)
  return {
    sql: `(SELECT COUNT(*) FROM ${table} WHERE (${col} >= ? AND ${col} < ?) OR ` +
      `(${col} >= ? AND ${col} < ? AND ${col} * 1000 >= ? AND ${col} * 1000 < ?))`,
    params: [Math.max(loMs, SECONDS_THRESHOLD), hiMs, Math.floor(loMs / 1000) - 1, sHi, loMs, hiMs] as ReadonlyArray<SqlParam>
  }
}

/**
 * Compiles the clock probe around `nowMs`, or `null` when no first-activity
 * source exists. "Recent" starts no earlier than the floor.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compileClockProbe = (options: {
  readonly spec: RollupSpec
  readonly columns: TableColumns
  readonly floorMs: number
  readonly nowMs: number
}): ClockProbeQuery | null => {
  const db = catalog(options.columns)
  const sources = options.spec.firstActivity.filter((source) => missingReason(db, source.table, source.timeColumn) === undefined)
  if (sources.length === 0) return null
  const futureFromMs = options.nowMs + FUTURE_TOLERANCE_MS
  const recentFromMs = Math.max(options.floorMs, options.nowMs - RECENT_SPAN_MS)
  // Counts past the largest epoch a number can hold are past any clock.
  const future = sources.map((source) => countInRange(source, futureFromMs, Number.MAX_VALUE))
  const recent = sources.map((source) => countInRange(source, recentFromMs, futureFromMs))
  return {
    _tag: "ClockProbeQuery",
    id: CLOCK_PROBE_ID,
    sql: `SELECT ${future.map((part) => part.sql).join(" + ")} AS future_rows, ${recent.map((part) => part.sql).join(" + ")} AS recent_rows`,
    params: [...future.flatMap((part) => part.params), ...recent.flatMap((part) => part.params)],
    sources,
    futureFromMs,
    recentFromMs
  }
}

/**
 * What the probe found.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClockFacts {
  /** Rows stamped after now (plus the tolerance). */
  readonly futureRows: number
  /** Rows stamped in the days before now. */
  readonly recentRows: number
}

/**
 * Reads the probe's row (no row, or no source: nothing found).
 *
 * @since 0.1.0
 * @category decoding
 */
export const readClockProbe = (rows: ReadonlyArray<Row>): ClockFacts => ({
  futureRows: numberOf(rows[0]?.["future_rows"]) ?? 0,
  recentRows: numberOf(rows[0]?.["recent_rows"]) ?? 0
})
