/**
 * The rollup compiler: spec + the columns the database really has + the day
 * window -> SQLite SQL. Aggregation happens inside SQLite (`GROUP BY day`, one
 * query per table that reads the table once, normalization inside the
 * aggregate, floor and window as predicates); only day-level rows come back.
 * Identifiers are validated and quoted, values are bound parameters.
 *
 * @since 0.1.0
 */
import type { ShippableWindow } from "./DayWindow.js"
import { sqlNormalizedEpochMs } from "./Epoch.js"
import {
  assertValidRollupSpec,
  type BucketsMetric,
  type CountNotNullMetric,
  type DistinctSource,
  type Metric,
  metricColumn,
  metricKeys,
  type RollupSpec,
  type SumMetric,
  type TableRollup,
  type TimeSource
} from "./RollupSpec.js"

/**
 * The tables and columns a database has, as `PRAGMA table_info` reports them.
 * A table that is absent from the record does not exist. Names compare
 * case-insensitively, like SQLite's.
 *
 * @since 0.1.0
 * @category models
 */
export type TableColumns = Readonly<Record<string, ReadonlyArray<string>>>

/**
 * A bound value.
 *
 * @since 0.1.0
 * @category models
 */
export type SqlParam = string | number

/**
 * A query for the shell to run. `id` is stable across runs and names what the
 * query is for, so results can be matched back to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface CompiledQuery {
  readonly id: string
  readonly sql: string
  readonly params: ReadonlyArray<SqlParam>
}

/**
 * A key the compiler left out, and why (a missing table or column). Logged by
 * the shell, never thrown.
 *
 * @since 0.1.0
 * @category models
 */
export interface DroppedKey {
  readonly key: string
  readonly reason: string
}

/**
 * The aggregate query of one table. Its result rows carry `day`, the bucket
 * columns (`b0`, `b1`, ...), `n` (`COUNT(*)`) and the value columns.
 *
 * @since 0.1.0
 * @category models
 */
export interface TableQuery extends CompiledQuery {
  readonly _tag: "TableQuery"
  readonly table: string
  readonly timeColumn: string
  readonly floorMs: number
  readonly window: ShippableWindow
  /** Every key this table produces on a day it has rows (zero-filled). */
  readonly keys: ReadonlyArray<string>
  /** Keys that equal `n`. */
  readonly countKeys: ReadonlyArray<string>
  /** Keys read from a value column: `COUNT(column)` or `TOTAL(column)`. */
  readonly valueColumns: ReadonlyArray<ValueColumn>
  /** Bucket columns: the raw value comes back under `alias` and is mapped in code. */
  readonly bucketColumns: ReadonlyArray<{ readonly alias: string; readonly metric: BucketsMetric }>
}

/**
 * A value column of a table query.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValueColumn {
  readonly alias: string
  readonly key: string
  readonly column: string
  readonly aggregate: "count" | "sum"
}

/**
 * The per-day `COUNT(DISTINCT ...)` over the union of several tables. Result
 * rows carry `day` and `n`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DistinctQuery extends CompiledQuery {
  readonly _tag: "DistinctQuery"
  readonly key: string
  /** The sources that exist in the database (missing ones are left out). */
  readonly sources: ReadonlyArray<DistinctSource>
  readonly floorMs: number
  readonly window: ShippableWindow
}

/**
 * The first-activity query. Its one result row carries `first_activity_ms`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FirstActivityQuery extends CompiledQuery {
  readonly _tag: "FirstActivityQuery"
  /** The time sources that exist, in priority order. */
  readonly sources: ReadonlyArray<TimeSource>
  readonly floorMs: number
}

/**
 * Any compiled query.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyQuery = TableQuery | DistinctQuery | FirstActivityQuery

/**
 * Everything the shell needs to run for the rollups of one window.
 *
 * @since 0.1.0
 * @category models
 */
export interface RollupPlan {
  readonly window: ShippableWindow
  readonly queries: ReadonlyArray<TableQuery | DistinctQuery>
  /** Every key the plan can produce, in spec order. */
  readonly keys: ReadonlyArray<string>
  readonly dropped: ReadonlyArray<DroppedKey>
}

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

/** The id of the first-activity query. */
const FIRST_ACTIVITY_ID = "first-activity"

/** Double-quotes a validated identifier. */
const quote = (identifier: string): string => `"${identifier}"`

/** Case-insensitive view over {@link TableColumns}. */
interface Catalog {
  readonly hasTable: (table: string) => boolean
  readonly hasColumn: (table: string, column: string) => boolean
}

const catalog = (columns: TableColumns): Catalog => {
  const byTable = new Map<string, Set<string>>()
  for (const [table, names] of Object.entries(columns)) {
    byTable.set(table.toLowerCase(), new Set(names.map((name) => name.toLowerCase())))
  }
  return {
    hasTable: (table) => byTable.has(table.toLowerCase()),
    hasColumn: (table, column) => byTable.get(table.toLowerCase())?.has(column.toLowerCase()) ?? false
  }
}

/** The normalized epoch and its UTC day, as SQL over one table's time column. */
const timeExpressions = (timeColumn: string) => {
  const epochMs = sqlNormalizedEpochMs(quote(timeColumn))
  return { epochMs, day: `date(${epochMs} / 1000, 'unixepoch')` }
}

/**
 * The in-window predicate shared by every rollup query: the floor on the
 * normalized epoch, then whole UTC days compared as `YYYY-MM-DD` strings.
 */
const windowPredicate = (timeColumn: string, floorMs: number, window: ShippableWindow) => {
  const { day, epochMs } = timeExpressions(timeColumn)
  return {
    sql: `${epochMs} >= ? AND ${day} BETWEEN ? AND ?`,
    params: [floorMs, window.installDay, window.lastFullDay] as ReadonlyArray<SqlParam>
  }
}

const missingReason = (db: Catalog, table: string, column: string | undefined): string | undefined => {
  if (!db.hasTable(table)) return `table ${table} is missing`
  if (column !== undefined && !db.hasColumn(table, column)) return `column ${table}.${column} is missing`
  return undefined
}

const compileTable = (
  table: TableRollup,
  db: Catalog,
  floorMs: number,
  window: ShippableWindow,
  dropped: Array<DroppedKey>
): TableQuery | undefined => {
  const tableMissing = missingReason(db, table.table, table.timeColumn)
  const available: Array<Metric> = []
  for (const metric of table.metrics) {
    const reason = tableMissing ?? missingReason(db, table.table, metricColumn(metric))
    if (reason === undefined) available.push(metric)
    else for (const key of metricKeys(metric)) dropped.push({ key, reason })
  }
  if (available.length === 0) return undefined

  const { day } = timeExpressions(table.timeColumn)
  const select: Array<string> = [`${day} AS day`]
  const groupBy: Array<string> = ["day"]
  const bucketColumns: Array<{ alias: string; metric: BucketsMetric }> = []
  const valueColumns: Array<ValueColumn> = []
  const countKeys: Array<string> = []

  for (const metric of available) {
    if (metric._tag === "Buckets") {
      const alias = `b${bucketColumns.length}`
      select.push(`${quote(metric.column)} AS ${alias}`)
      groupBy.push(alias)
      bucketColumns.push({ alias, metric })
    }
  }
  select.push("COUNT(*) AS n")
  for (const metric of available) {
    if (metric._tag === "Count") countKeys.push(metric.key)
    else if (metric._tag !== "Buckets") {
      const alias = `v${valueColumns.length}`
      select.push(`${valueAggregate(metric)} AS ${alias}`)
      valueColumns.push({
        alias,
        key: metric.key,
        column: metric.column,
        aggregate: metric._tag === "CountNotNull" ? "count" : "sum"
      })
    }
  }
  const where = windowPredicate(table.timeColumn, floorMs, window)
  return {
    _tag: "TableQuery",
    id: `table:${table.table}`,
    table: table.table,
    timeColumn: table.timeColumn,
    floorMs,
    window,
    sql: `SELECT ${select.join(", ")} FROM ${quote(table.table)} WHERE ${where.sql} GROUP BY ${groupBy.join(", ")}`,
    params: where.params,
    keys: available.flatMap(metricKeys),
    countKeys,
    valueColumns,
    bucketColumns
  }
}

/** `COUNT(col)` counts non-NULL values; `TOTAL(col)` sums with NULL as 0 and never overflows. */
const valueAggregate = (metric: CountNotNullMetric | SumMetric): string =>
  metric._tag === "CountNotNull" ? `COUNT(${quote(metric.column)})` : `TOTAL(${quote(metric.column)})`

const compileDistinct = (
  key: string,
  sources: ReadonlyArray<DistinctSource>,
  db: Catalog,
  floorMs: number,
  window: ShippableWindow,
  dropped: Array<DroppedKey>
): DistinctQuery | undefined => {
  const parts: Array<string> = []
  const params: Array<SqlParam> = []
  const reasons: Array<string> = []
  const available: Array<DistinctSource> = []
  for (const source of sources) {
    const reason =
      missingReason(db, source.table, source.timeColumn) ?? missingReason(db, source.table, source.column)
    if (reason !== undefined) {
      reasons.push(reason)
      continue
    }
    available.push(source)
    const { day } = timeExpressions(source.timeColumn)
    const where = windowPredicate(source.timeColumn, floorMs, window)
    parts.push(`SELECT ${day} AS day, ${quote(source.column)} AS v FROM ${quote(source.table)} WHERE ${where.sql}`)
    params.push(...where.params)
  }
  if (parts.length === 0) {
    dropped.push({ key, reason: reasons.join("; ") })
    return undefined
  }
  for (const reason of reasons) dropped.push({ key, reason: `${reason} (counted over the other tables)` })
  return {
    _tag: "DistinctQuery",
    id: `distinct:${key}`,
    key,
    sources: available,
    floorMs,
    window,
    sql: `SELECT day, COUNT(DISTINCT v) AS n FROM (${parts.join(" UNION ALL ")}) GROUP BY day`,
    params
  }
}

/**
 * Compiles the rollup queries for a shippable window. Keys whose table or
 * column is missing are left out and listed in `dropped`; nothing throws for a
 * missing table or column. Throws `RollupSpecError` for an invalid spec.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compileRollup = (options: {
  readonly spec: RollupSpec
  readonly columns: TableColumns
  readonly window: ShippableWindow
  readonly floorMs: number
}): RollupPlan => {
  const spec = assertValidRollupSpec(options.spec)
  const db = catalog(options.columns)
  const dropped: Array<DroppedKey> = []
  const queries: Array<TableQuery | DistinctQuery> = []
  for (const table of spec.tables) {
    const query = compileTable(table, db, options.floorMs, options.window, dropped)
    if (query !== undefined) queries.push(query)
  }
  for (const distinct of spec.distinctCounts ?? []) {
    const query = compileDistinct(distinct.key, distinct.sources, db, options.floorMs, options.window, dropped)
    if (query !== undefined) queries.push(query)
  }
  const produced = new Set(queries.flatMap((query) => (query._tag === "TableQuery" ? query.keys : [query.key])))
  const keys = [
    ...spec.tables.flatMap((table) => table.metrics.flatMap(metricKeys)),
    ...(spec.distinctCounts ?? []).map((distinct) => distinct.key)
  ].filter((key) => produced.has(key))
  return { window: options.window, queries, keys, dropped }
}

/**
 * Compiles the first-activity query: the first time source (in the spec's
 * priority order) that yields a value wins, through `COALESCE`, so a fallback
 * table is read only when the sources before it yield nothing. Normalization
 * is inside `MIN`, rows below the floor are ignored. Sources whose table or
 * time column is missing are skipped.
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
    subqueries.push(firstActivitySubquery(source))
    params.push(options.floorMs)
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

const firstActivitySubquery = (source: TimeSource): string => {
  const { epochMs } = timeExpressions(source.timeColumn)
  return `(SELECT MIN(${epochMs}) FROM ${quote(source.table)} WHERE ${epochMs} >= ?)`
}

/**
 * Reads the first activity (ms) from the first-activity query's rows; `null`
 * when there is none or the value is not a finite number.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readFirstActivity = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>): number | null => {
  const value = rows[0]?.["first_activity_ms"]
  const ms = typeof value === "bigint" ? Number(value) : value
  return typeof ms === "number" && Number.isFinite(ms) ? ms : null
}
