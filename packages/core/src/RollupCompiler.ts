/**
 * The rollup compiler: spec + the columns the database really has + the day
 * window -> SQLite SQL. Aggregation happens inside SQLite (`GROUP BY` day, one
 * query per table that reads the table exactly once, normalization per row,
 * floor and window as predicates); only day-level rows come back. Identifiers
 * are validated and quoted, values are bound parameters.
 *
 * Query shapes, and why (measured on a 1M-observation claude-mem database;
 * the numbers are in BENCHMARKS.md):
 *
 * - **One scan per table.** A cross-table distinct count is not a query of its
 *   own (that re-read the two biggest tables): each table query also collects
 *   the distinct values of its day groups, and the merge unions them across
 *   tables in code. What dominates the cost of a rollup is reading the rows and
 *   SQLite's `GROUP BY` sort, so every row is read and sorted once.
 * - **The window is a pair of ranges on the raw time column** (one for
 *   millisecond values, one for second values), exactly equivalent to
 *   "normalized epoch >= floor and its UTC day in the window" (a property test
 *   runs both on SQLite), instead of computing a `date()` string per row.
 * - **The day is an integer offset** from the window's first day, not a
 *   `date()` string: cheaper to compute per row, and an integer sort key. The
 *   merge turns it back into `YYYY-MM-DD` and checks the window as strings.
 * - **The time column is written `+"col"`** in table queries that read other
 *   columns: the window covers nearly every row, so a scan in table order beats
 *   an index walk with a table lookup per row (which SQLite otherwise picks for
 *   the range predicates). A table query that reads only the time column still
 *   scans a covering index on it when there is one (SQLite picks the smaller
 *   b-tree by itself), and the first-activity query seeks the time index.
 *
 * @since 0.1.0
 */
import { dayStartMs, DAY_MS, type ShippableWindow } from "./DayWindow.js"
import { SECONDS_THRESHOLD, sqlNormalizedEpochMs } from "./Epoch.js"
import type { IndexedColumnsQuery, StorageClassesQuery } from "./IndexProbes.js"
import { quote, sameName } from "./internal/identifiers.js"
import {
  assertValidRollupSpec,
  type BucketsMetric,
  type DistinctSource,
  type Metric,
  metricColumn,
  metricKeys,
  type RollupSpec,
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
 * The aggregate query of one table: it reads the table once. Its result rows
 * carry `d` (the day, as an offset in days from the window's first day), the
 * bucket columns (`b0`, `b1`, ...), `n` (`COUNT(*)`), the value columns
 * (`v0`, ...) and, per distinct column, two JSON arrays of the group's distinct
 * values (`x0`: text and integers, `y0`: reals and blobs as SQL literals).
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
  /** Columns whose distinct values feed a distinct count over several tables. */
  readonly distinctColumns: ReadonlyArray<DistinctColumn>
  /**
   * Set on a chunk of a table query (see `splitTableQuery`): the query reads
   * only the rows whose rowid is in this range. Absent: every row.
   */
  readonly rowidRange?: RowidRange | undefined
}

/**
 * A half-open range of rowids, `from <= rowid < to`, read through `alias` (one
 * of SQLite's names for the rowid: `rowid`, `_rowid_` or `oid`). A missing
 * bound is unbounded on that side.
 *
 * @since 0.1.0
 * @category models
 */
export interface RowidRange {
  readonly alias: RowidAlias
  readonly from?: number | undefined
  readonly to?: number | undefined
}

/**
 * SQLite's names for a table's rowid. A name is shadowed when the table
 * declares a column of that name.
 *
 * @since 0.1.0
 * @category models
 */
export type RowidAlias = "rowid" | "_rowid_" | "oid"

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
 * A column of a table query whose distinct values (per day group) feed the
 * distinct count `key`, computed once over the union of its sources by the
 * merge. The values come back as JSON arrays: `alias` holds the distinct text
 * and integer values, `typedAlias` holds real and blob values written as SQL
 * literals (`quote()`: exact for reals, `X'..'` for blobs, which JSON cannot
 * hold), possibly repeated.
 * Text values are compared as bytes (`COLLATE BINARY`), whatever the column's
 * collation.
 *
 * @since 0.1.0
 * @category models
 */
export interface DistinctColumn {
  readonly key: string
  readonly column: string
  readonly alias: string
  readonly typedAlias: string
  /**
   * The column is known to hold only text (and NULL) in the snapshot the query
   * reads (see `IndexProbes.ts`): its values are collected by one plain
   * `DISTINCT` aggregate, without the per-row storage-class filters, and
   * `typedAlias` is not selected.
   */
  readonly textOnly?: boolean | undefined
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
 * The rowid-bounds query of a table: one row with `lo` and `hi`, its smallest
 * and largest rowid (both NULL for an empty table). SQLite answers it from the
 * two ends of the table's b-tree, without a scan.
 *
 * @since 0.1.0
 * @category models
 */
export interface RowidBoundsQuery extends CompiledQuery {
  readonly _tag: "RowidBoundsQuery"
  readonly table: string
  readonly alias: RowidAlias
}

/**
 * Any compiled query.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyQuery = TableQuery | FirstActivityQuery | RowidBoundsQuery | IndexedColumnsQuery | StorageClassesQuery

/**
 * Everything the shell needs to run for the rollups of one window: one query
 * per table.
 *
 * @since 0.1.0
 * @category models
 */
export interface RollupPlan {
  readonly window: ShippableWindow
  readonly queries: ReadonlyArray<TableQuery>
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

/**
 * The window as half-open ranges of raw stored values, one per unit:
 * `[msLo, msHi)` over normalized milliseconds, with `msLo` the later of the
 * floor and the first day's midnight, `msHi` the midnight after the last day.
 *
 * A row is in the window exactly when (milliseconds) `col >= 1e12` and
 * `msLo <= col < msHi`, or (seconds) `col < 1e12` and `msLo <= col * 1000 < msHi`:
 * the same rule as "normalized epoch >= floor and `installDay <= utcDay <= lastFullDay`",
 * because whole UTC days are exactly the instants between two midnights.
 * The seconds range also carries loose bounds on the raw value (one second
 * wider on each side, so they never exclude a row the exact test keeps) that an
 * index on the column can serve.
 */
interface WindowRanges {
  /** Midnight of the window's first day: day offsets count from here. */
  readonly dayZeroMs: number
  readonly msLo: number
  readonly msHi: number
}

const windowRanges = (floorMs: number, window: ShippableWindow): WindowRanges => {
  const dayZeroMs = dayStartMs(window.installDay)
  return { dayZeroMs, msLo: Math.max(floorMs, dayZeroMs), msHi: dayStartMs(window.lastFullDay) + DAY_MS }
}

/**
 * The in-window predicate of a table query, over the raw time column. With
 * `sargable: false` the column is written `+"col"`, which keeps SQLite from
 * walking a time index with one table lookup per row (see the module doc).
 */
const windowPredicate = (timeColumn: string, ranges: WindowRanges, sargable: boolean) => {
  const col = sargable ? quote(timeColumn) : `+${quote(timeColumn)}`
  const sLo = Math.floor(ranges.msLo / 1000) - 1
  const sHi = Math.min(SECONDS_THRESHOLD, Math.ceil(ranges.msHi / 1000) + 1)
  return {
    sql:
      `((${col} >= ? AND ${col} < ?) OR ` +
      `(${col} >= ? AND ${col} < ? AND ${col} * 1000 >= ? AND ${col} * 1000 < ?))`,
    params: [Math.max(ranges.msLo, SECONDS_THRESHOLD), ranges.msHi, sLo, sHi, ranges.msLo, ranges.msHi] as ReadonlyArray<SqlParam>
  }
}

/**
 * The day offset of a row, as SQL: whole days from the window's first
 * midnight, over the normalized epoch (normalization per row). Rows that pass
 * the window predicate are at or after that midnight, so truncation is floor.
 */
const dayOffset = (timeColumn: string) =>
  `CAST((${sqlNormalizedEpochMs(quote(timeColumn))} - ?) / ${DAY_MS} AS INTEGER)`

const missingReason = (db: Catalog, table: string, column: string | undefined): string | undefined => {
  if (!db.hasTable(table)) return `table ${table} is missing`
  if (column !== undefined && !db.hasColumn(table, column)) return `column ${table}.${column} is missing`
  return undefined
}

/**
 * The distinct values of a group, in two JSON arrays (see {@link DistinctColumn}).
 * `FILTER` keeps other storage classes out of each aggregate before any work
 * is done for them; `COLLATE BINARY` makes text distinct by bytes whatever the
 * column's collation (the in-memory runner and the merge compare them the same
 * way). Reals and blobs (JSON holds no blob and rounds reals) are listed as
 * `quote()` literals without `DISTINCT`: a per-group `DISTINCT` costs for every
 * row, those values are absent from real data, and the merge dedupes.
 */
const distinctAggregates = ({ alias, column, textOnly, typedAlias }: DistinctColumn): ReadonlyArray<string> => {
  const col = quote(column)
  // Known to hold only text: the filters (a fifth of a large table query's cost) prove nothing.
  if (textOnly === true) return [`json_group_array(DISTINCT ${col} COLLATE BINARY) AS ${alias}`]
  return [
    `json_group_array(DISTINCT ${col} COLLATE BINARY) FILTER (WHERE typeof(${col}) IN ('text', 'integer')) AS ${alias}`,
    `json_group_array(quote(${col})) FILTER (WHERE typeof(${col}) IN ('real', 'blob')) AS ${typedAlias}`
  ]
}

/** What one table query computes: a table and time column, its metrics, its distinct columns. */
interface TableWork {
  readonly id: string
  readonly table: string
  readonly timeColumn: string
  readonly metrics: Array<Metric>
  readonly distinct: Array<{ readonly key: string; readonly column: string }>
}

const compileTable = (work: TableWork, floorMs: number, window: ShippableWindow): TableQuery => {
  const bucketColumns: Array<{ alias: string; metric: BucketsMetric }> = []
  const valueColumns: Array<ValueColumn> = []
  const countKeys: Array<string> = []
  const distinctColumns: Array<DistinctColumn> = []
  for (const metric of work.metrics) {
    if (metric._tag === "Buckets") bucketColumns.push({ alias: `b${bucketColumns.length}`, metric })
    else if (metric._tag === "Count") countKeys.push(metric.key)
    else {
      valueColumns.push({
        alias: `v${valueColumns.length}`,
        key: metric.key,
        column: metric.column,
        aggregate: metric._tag === "CountNotNull" ? "count" : "sum"
      })
    }
  }
  for (const { column, key } of work.distinct) {
    distinctColumns.push({ key, column, alias: `x${distinctColumns.length}`, typedAlias: `y${distinctColumns.length}` })
  }
  const shape: TableShape = {
    table: work.table,
    timeColumn: work.timeColumn,
    floorMs,
    window,
    bucketColumns,
    valueColumns,
    distinctColumns,
    rowidRange: undefined
  }
  return {
    _tag: "TableQuery",
    id: work.id,
    ...shape,
    ...renderTableQuery(shape),
    keys: work.metrics.flatMap(metricKeys),
    countKeys
  }
}

/** What the SQL of a table query is made of. */
type TableShape = Pick<
  TableQuery,
  "table" | "timeColumn" | "floorMs" | "window" | "bucketColumns" | "valueColumns" | "distinctColumns" | "rowidRange"
>

/** The SQL and parameters of a table query, from its shape. */
const renderTableQuery = (shape: TableShape): { readonly sql: string; readonly params: ReadonlyArray<SqlParam> } => {
  const ranges = windowRanges(shape.floorMs, shape.window)
  const select = [
    `${dayOffset(shape.timeColumn)} AS d`,
    ...shape.bucketColumns.map(({ alias, metric }) => `${quote(metric.column)} AS ${alias}`),
    "COUNT(*) AS n",
    // COUNT(col) counts non-NULL values; TOTAL(col) sums with NULL as 0 and never overflows.
    ...shape.valueColumns.map(({ aggregate, alias, column }) =>
      `${aggregate === "count" ? `COUNT(${quote(column)})` : `TOTAL(${quote(column)})`} AS ${alias}`
    ),
    ...shape.distinctColumns.flatMap((distinct) => distinctAggregates(distinct))
  ]
  const groupBy = ["d", ...shape.bucketColumns.map(({ alias }) => alias)]
  // A query that reads nothing but the time column may use an index on it: the
  // index is then covering, and SQLite scans (or seeks) it instead of the table.
  const timeOnly = shape.bucketColumns.length === 0 && shape.valueColumns.length === 0 &&
    shape.distinctColumns.length === 0
  const where = windowPredicate(shape.timeColumn, ranges, timeOnly)
  const range = rowidPredicate(shape.rowidRange)
  return {
    sql: `SELECT ${select.join(", ")} FROM ${quote(shape.table)} WHERE ${range.sql}${where.sql} GROUP BY ${groupBy.join(", ")}`,
    params: [ranges.dayZeroMs, ...range.params, ...where.params]
  }
}

/**
 * The rowid range of a chunk, as a predicate SQLite serves by seeking the
 * table's b-tree to the range's start. The alias is written bare: a bare rowid
 * name that the table lacks (a view, a `WITHOUT ROWID` table) is an error,
 * where a double-quoted one could silently become a string literal.
 */
const rowidPredicate = (range: RowidRange | undefined): { readonly sql: string; readonly params: ReadonlyArray<SqlParam> } => {
  if (range === undefined) return { sql: "", params: [] }
  const terms: Array<string> = []
  const params: Array<SqlParam> = []
  if (range.from !== undefined) {
    terms.push(`${range.alias} >= ?`)
    params.push(range.from)
  }
  if (range.to !== undefined) {
    terms.push(`${range.alias} < ?`)
    params.push(range.to)
  }
  return { sql: terms.map((term) => `${term} AND `).join(""), params }
}

/**
 * The same table query restricted to a rowid range: its rows are the rows the
 * whole query would return for the table's rows in that range. The chunks of
 * a partition of the rowids add up, in the merge, to the whole query.
 *
 * @since 0.1.0
 * @category compiling
 */
export const tableQueryInRange = (query: TableQuery, range: RowidRange): TableQuery => {
  if (!ROWID_ALIASES.includes(range.alias)) throw new Error(`tableQueryInRange: "${range.alias}" is not a rowid alias`)
  for (const bound of [range.from, range.to]) {
    if (bound !== undefined && !Number.isFinite(bound)) throw new Error(`tableQueryInRange: rowid bound ${bound} is not a finite number`)
  }
  const chunk = { ...query, rowidRange: range }
  return { ...chunk, ...renderTableQuery(chunk) }
}

/**
 * The same table query with the distinct columns named in `textOnly` read as
 * text-only (see {@link DistinctColumn}). Only for columns proven to hold no
 * number and no blob in the snapshot the query will read: a blob would fail
 * the query (JSON holds none) and a real would be rounded.
 *
 * @since 0.1.0
 * @category compiling
 */
export const withTextOnlyDistinct = (query: TableQuery, textOnly: ReadonlyArray<string>): TableQuery => {
  const named = (column: string) => textOnly.some((name) => sameName(name, column))
  if (!query.distinctColumns.some(({ column }) => named(column))) return query
  const shape = {
    ...query,
    distinctColumns: query.distinctColumns.map((distinct) => (named(distinct.column) ? { ...distinct, textOnly: true } : distinct))
  }
  return { ...shape, ...renderTableQuery(shape) }
}

/**
 * SQLite's names for the rowid, in the order they are tried.
 *
 * @since 0.1.0
 * @category constants
 */
export const ROWID_ALIASES: ReadonlyArray<RowidAlias> = ["rowid", "_rowid_", "oid"]

/**
 * The first name of the rowid that the table does not shadow with a declared
 * column, or `undefined` when it shadows all three (or does not exist).
 * Whether the table has a rowid at all (views and `WITHOUT ROWID` tables do
 * not) shows only when a query uses it.
 *
 * @since 0.1.0
 * @category compiling
 */
export const rowidAlias = (columns: TableColumns, table: string): RowidAlias | undefined => {
  const db = catalog(columns)
  if (!db.hasTable(table)) return undefined
  return ROWID_ALIASES.find((alias) => !db.hasColumn(table, alias))
}

/**
 * The query for the smallest and largest rowid of a table query's table, or
 * `null` when the table shadows every name of the rowid.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compileRowidBounds = (query: TableQuery, columns: TableColumns): RowidBoundsQuery | null => {
  const alias = rowidAlias(columns, query.table)
  if (alias === undefined) return null
  return {
    _tag: "RowidBoundsQuery",
    id: `${query.id}:rowids`,
    // Two subqueries: SQLite reads a lone MIN or MAX of the rowid from one end of
    // the b-tree, but scans the table for both in one SELECT.
    sql: `SELECT (SELECT MIN(${alias}) FROM ${quote(query.table)}) AS lo, (SELECT MAX(${alias}) FROM ${quote(query.table)}) AS hi`,
    params: [],
    table: query.table,
    alias
  }
}


/**
 * Compiles the rollup queries for a shippable window: one query per table,
 * which also collects the distinct values its table contributes to a distinct
 * count (a distinct source whose table has no metrics, or another time column
 * than the table's metrics, gets a query of its own). Keys whose table or
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
  const work: Array<TableWork> = []

  for (const table of spec.tables) {
    const item = tableWork(table, db, dropped)
    if (item !== undefined) work.push(item)
  }
  for (const distinct of spec.distinctCounts ?? []) {
    const reasons: Array<string> = []
    let available = 0
    for (const source of distinct.sources) {
      const reason =
        missingReason(db, source.table, source.timeColumn) ?? missingReason(db, source.table, source.column)
      if (reason !== undefined) {
        reasons.push(reason)
        continue
      }
      available += 1
      attachDistinct(work, spec.tables, distinct.key, source)
    }
    if (available === 0) dropped.push({ key: distinct.key, reason: reasons.join("; ") })
    else for (const reason of reasons) dropped.push({ key: distinct.key, reason: `${reason} (counted over the other tables)` })
  }

  const queries = work
    .filter((item) => item.metrics.length > 0 || item.distinct.length > 0)
    .map((item) => compileTable(item, options.floorMs, options.window))
  const produced = new Set(queries.flatMap((query) => [...query.keys, ...query.distinctColumns.map((d) => d.key)]))
  const keys = [
    ...spec.tables.flatMap((table) => table.metrics.flatMap(metricKeys)),
    ...(spec.distinctCounts ?? []).map((distinct) => distinct.key)
  ].filter((key) => produced.has(key))
  return { window: options.window, queries, keys, dropped }
}

/** The available metrics of a spec table (missing ones go to `dropped`), or undefined without its time column. */
const tableWork = (table: TableRollup, db: Catalog, dropped: Array<DroppedKey>): TableWork | undefined => {
  const tableMissing = missingReason(db, table.table, table.timeColumn)
  const metrics: Array<Metric> = []
  for (const metric of table.metrics) {
    const reason = tableMissing ?? missingReason(db, table.table, metricColumn(metric))
    if (reason === undefined) metrics.push(metric)
    else for (const key of metricKeys(metric)) dropped.push({ key, reason })
  }
  if (tableMissing !== undefined) return undefined
  return { id: `table:${table.table}`, table: table.table, timeColumn: table.timeColumn, metrics, distinct: [] }
}

/** Adds a distinct source to the query of its table and time column, creating one when there is none. */
const attachDistinct = (work: Array<TableWork>, tables: ReadonlyArray<TableRollup>, key: string, source: DistinctSource) => {
  const existing = work.find((item) => sameName(item.table, source.table) && sameName(item.timeColumn, source.timeColumn))
  if (existing !== undefined) {
    if (!existing.distinct.some((d) => d.key === key && sameName(d.column, source.column))) {
      existing.distinct.push({ key, column: source.column })
    }
    return
  }
  // The table has no metrics query with this time column: a query of its own,
  // named after the time column too when the table's metrics use another one.
  const clash = tables.some((table) => sameName(table.table, source.table))
  work.push({
    id: clash ? `table:${source.table}:${source.timeColumn}` : `table:${source.table}`,
    table: source.table,
    timeColumn: source.timeColumn,
    metrics: [],
    distinct: [{ key, column: source.column }]
  })
}

/**
 * Compiles the first-activity query: the first time source (in the spec's
 * priority order) that yields a value wins, through `COALESCE`, so a fallback
 * table is read only when the sources before it yield nothing. Rows below the
 * floor are ignored.
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
export const readFirstActivity = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>): number | null => {
  const value = rows[0]?.["first_activity_ms"]
  const ms = typeof value === "bigint" ? Number(value) : value
  return typeof ms === "number" && Number.isFinite(ms) ? ms : null
}
