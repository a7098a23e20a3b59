/**
 * The queries the core compiles and the rows they return: the one vocabulary
 * every compiler (`rollup/`) and every runner (a SQLite connection, a worker
 * pool, an in-memory oracle) shares. A leaf: it imports nothing else of the
 * core, so a new kind of query is a new member here and a compiler of its own,
 * never an edit to another compiler.
 *
 * @since 0.1.0
 */

/**
 * A bound value.
 *
 * @since 0.1.0
 * @category models
 */
export type SqlParam = string | number

/**
 * A row as a SQLite driver returns it.
 *
 * @since 0.1.0
 * @category models
 */
export type Row = Readonly<Record<string, unknown>>

/**
 * The rows of one compiled query, matched by its `id`.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryResult {
  readonly id: string
  readonly rows: ReadonlyArray<Row>
}

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
 * The whole UTC days a table query reads, `installDay ..= lastFullDay`
 * (`YYYY-MM-DD`; a shippable `DayWindow` is one).
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryWindow {
  readonly installDay: string
  readonly lastFullDay: string
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
 * A half-open range of rowids, `from <= rowid < to`, read through `alias`. A
 * missing bound is unbounded on that side.
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
 * A value column of a table query: `COUNT(column)` or `TOTAL(column)`.
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
 * A free-text column a table query groups by: its raw value comes back under
 * `alias` and is mapped to a closed enum by the merge, never shipped.
 *
 * @since 0.1.0
 * @category models
 */
export interface BucketColumn {
  readonly alias: string
  readonly column: string
}

/**
 * A column of a table query whose distinct values (per day group) feed the
 * distinct count `key`, computed once over the union of its sources by the
 * merge. The values come back as JSON arrays: `alias` holds the distinct text
 * and integer values, `typedAlias` holds real and blob values written as SQL
 * literals (`quote()`: exact for reals, `X'..'` for blobs, which JSON cannot
 * hold), possibly repeated. Text values are compared as bytes
 * (`COLLATE BINARY`), whatever the column's collation.
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
   * reads (see `rollup/IndexProbes.ts`): its values are collected by one plain
   * `DISTINCT` aggregate, without the per-row storage-class filters, and
   * `typedAlias` is not selected.
   */
  readonly textOnly?: boolean | undefined
}

/**
 * The aggregate query of one table: it reads the table once. Its result rows
 * carry `d` (the day, as an offset in days from the window's first day), the
 * bucket columns (`b0`, `b1`, ...), `n` (`COUNT(*)`), the value columns
 * (`v0`, ...) and, per distinct column, two JSON arrays of the group's
 * distinct values (`x0`: text and integers, `y0`: reals and blobs as SQL
 * literals).
 *
 * @since 0.1.0
 * @category models
 */
export interface TableQuery extends CompiledQuery {
  readonly _tag: "TableQuery"
  readonly table: string
  readonly timeColumn: string
  readonly floorMs: number
  readonly window: QueryWindow
  /** Every key this table produces on a day it has rows (zero-filled). */
  readonly keys: ReadonlyArray<string>
  /** Keys that equal `n`. */
  readonly countKeys: ReadonlyArray<string>
  readonly valueColumns: ReadonlyArray<ValueColumn>
  readonly bucketColumns: ReadonlyArray<BucketColumn>
  readonly distinctColumns: ReadonlyArray<DistinctColumn>
  /** Set on a chunk of a table query: only the rows whose rowid is in this range. Absent: every row. */
  readonly rowidRange?: RowidRange | undefined
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
  readonly sources: ReadonlyArray<{ readonly table: string; readonly timeColumn: string }>
  readonly floorMs: number
}

/**
 * The clock probe: how much of the activity in the first-activity sources
 * lies after a given instant, and how much in the days before it. One row
 * with `future_rows` (normalized epoch at or after `futureFromMs`) and
 * `recent_rows` (from `recentFromMs` up to `futureFromMs`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClockProbeQuery extends CompiledQuery {
  readonly _tag: "ClockProbeQuery"
  readonly sources: ReadonlyArray<{ readonly table: string; readonly timeColumn: string }>
  readonly futureFromMs: number
  readonly recentFromMs: number
}

/**
 * The rowid-bounds query of a table: one row with `lo` and `hi`, its smallest
 * and largest rowid (both NULL for an empty table), read from the two ends of
 * the table's b-tree without a scan.
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
 * The query that lists, for every table, the columns that lead an index that
 * covers every row (not partial, not on an expression), with the index's
 * collation for that column.
 *
 * @since 0.1.0
 * @category models
 */
export interface IndexedColumnsQuery extends CompiledQuery {
  readonly _tag: "IndexedColumnsQuery"
}

/**
 * The storage classes at the two ends of an indexed column: one row with `lo`
 * and `hi`, the `typeof` of the column's smallest and largest value (`"null"`
 * when the column holds no value).
 *
 * @since 0.1.0
 * @category models
 */
export interface StorageClassesQuery extends CompiledQuery {
  readonly _tag: "StorageClassesQuery"
  readonly table: string
  readonly column: string
}

/**
 * Any compiled query: what a runner must answer.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyQuery =
  | TableQuery
  | FirstActivityQuery
  | ClockProbeQuery
  | RowidBoundsQuery
  | IndexedColumnsQuery
  | StorageClassesQuery

/**
 * A number from a driver's value: drivers return numbers, bigints
 * (safe-integer mode) or NULL; anything that is not a finite number is
 * `undefined`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const numberOf = (value: unknown): number | undefined => {
  const n = typeof value === "bigint" ? Number(value) : value
  return typeof n === "number" && Number.isFinite(n) ? n : undefined
}
