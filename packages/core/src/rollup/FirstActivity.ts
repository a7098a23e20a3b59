/**
 * When activity started: the first-activity query and its answer. The spec's
 * time sources are tried in priority order (sessions first; a fallback only
 * when the sources before it yield nothing), never a cross-table MIN:
 * backdated artifact rows in a secondary table would bake a wrong install date
 * into undeletable data. Rows below the floor are ignored.
 *
 * @since 0.1.0
 */
import { type FirstActivityQuery, numberOf, type Row, type SqlParam, type TableColumns } from "../query/Query.js"
import { SECONDS_THRESHOLD } from "../time/Epoch.js"
import { catalog, missingReason } from "./internal/catalog.js"
import { quote } from "./internal/identifiers.js"
import { assertValidRollupSpec, type RollupSpec, type TimeSource } from "./RollupSpec.js"

/**
 * The first-activity query and what was left out of it. `query` is `null` when
 * no time source exists in the database (then there is no first activity).
 *
 * @since 0.1.0
 * @category models
 */
export interface FirstActivityPlan {
  readonly query: FirstActivityQuery | null
  readonly skipped: ReadonlyArray<string>
}

/**
 * The id of the first-activity query.
 *
 * @since 0.1.0
 * @category constants
 */
export const FIRST_ACTIVITY_ID = "first-activity"

/**
 * Compiles the first-activity query: the first time source that yields a
 * value wins, through `COALESCE`, so a fallback table is read only when the
 * sources before it yield nothing.
 *
 * Each source is the smaller of two minimums, one per unit: over
 * second-valued rows `MIN("col" * 1000)` (normalized inside the aggregate),
 * over millisecond-valued rows `MIN("col")` (already normalized). Both are
 * restricted by ranges on the raw column, so an index on it answers them with a
 * seek (milliseconds) and a short range scan (seconds) instead of a scan of the
 * table; without an index the result is the same, from a scan.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compileFirstActivity = (options: {
  readonly spec: RollupSpec
  readonly columns: TableColumns
  readonly floorMs: number
}): FirstActivityPlan => {
  const spec = assertValidRollupSpec(options.spec)
  const db = catalog(options.columns)
  const skipped: Array<string> = []
  const subqueries: Array<string> = []
  const params: Array<SqlParam> = []
  const sources: Array<TimeSource> = []
  for (const source of spec.firstActivity) {
    const reason = missingReason(db, source.table, source.timeColumn)
    if (reason !== undefined) {
      skipped.push(reason)
      continue
    }
    sources.push(source)
    const sub = firstActivitySubquery(source, options.floorMs)
    subqueries.push(sub.sql)
    params.push(...sub.params)
  }
  if (subqueries.length === 0) return { query: null, skipped }
  const value = subqueries.length === 1 ? subqueries[0] : `COALESCE(${subqueries.join(", ")})`
  return {
    query: {
      _tag: "FirstActivityQuery",
      id: FIRST_ACTIVITY_ID,
      sql: `SELECT ${value} AS first_activity_ms`,
      params,
      sources,
      floorMs: options.floorMs
    },
    skipped
  }
}

const firstActivitySubquery = (source: TimeSource, floorMs: number) => {
  const col = quote(source.timeColumn)
  const table = quote(source.table)
  const seconds =
    `SELECT MIN(${col} * 1000) AS v FROM ${table} WHERE ${col} >= ? AND ${col} < ${SECONDS_THRESHOLD} AND ${col} * 1000 >= ?`
  // The upper bound keeps text and blob values out (SQLite sorts them after every number).
  const millis = `SELECT MIN(${col}) AS v FROM ${table} WHERE ${col} >= ? AND ${col} <= ?`
  return {
    sql: `(SELECT MIN(v) FROM (${seconds} UNION ALL ${millis}))`,
    params: [
      Math.floor(floorMs / 1000) - 1,
      floorMs,
      Math.max(floorMs, SECONDS_THRESHOLD),
      Number.MAX_VALUE
    ] as ReadonlyArray<SqlParam>
  }
}

/**
 * Reads the first activity (ms) from the first-activity query's rows; `null`
 * when there is none or the value is not a finite number.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readFirstActivity = (rows: ReadonlyArray<Row>): number | null =>
  numberOf(rows[0]?.["first_activity_ms"]) ?? null
