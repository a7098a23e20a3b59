/**
 * The SQL text of a table query, from its shape: the window as ranges on the
 * raw time column, the day as an integer offset, the distinct aggregates and a
 * chunk's rowid range. The compiler renders a table query here, and so do the
 * variants of it (a rowid chunk, a text-only distinct column), so a change to
 * the SQL is made once.
 *
 * Query shapes, and why (measured on a 1M-observation claude-mem database;
 * the numbers are in BENCHMARKS.md):
 *
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
 *   scans a covering index on it when there is one.
 *
 * @internal
 */
import type { DistinctColumn, QueryWindow, RowidRange, SqlParam, TableQuery } from "../../query/Query.js"
import { DAY_MS, dayStartMs } from "../../time/DayWindow.js"
import { SECONDS_THRESHOLD, sqlNormalizedEpochMs } from "../../time/Epoch.js"
import { quote } from "./identifiers.js"

/** What the SQL of a table query is made of. @internal */
export type TableShape = Pick<
  TableQuery,
  "table" | "timeColumn" | "floorMs" | "window" | "bucketColumns" | "valueColumns" | "distinctColumns" | "rowidRange"
>

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

const windowRanges = (floorMs: number, window: QueryWindow): WindowRanges => {
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

/**
 * The distinct values of a group, in two JSON arrays (see `DistinctColumn`).
 * `FILTER` keeps other storage classes out of each aggregate before any work
 * is done for them; `COLLATE BINARY` makes text distinct by bytes whatever the
 * column's collation (the in-memory oracle and the merge compare them the same
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
 * The SQL and parameters of a table query, from its shape.
 *
 * @internal
 */
export const renderTableQuery = (shape: TableShape): { readonly sql: string; readonly params: ReadonlyArray<SqlParam> } => {
  const ranges = windowRanges(shape.floorMs, shape.window)
  const select = [
    `${dayOffset(shape.timeColumn)} AS d`,
    ...shape.bucketColumns.map(({ alias, column }) => `${quote(column)} AS ${alias}`),
    "COUNT(*) AS n",
    // COUNT(col) counts non-NULL values; TOTAL(col) sums with NULL as 0 and never overflows.
    ...shape.valueColumns.map(({ aggregate, alias, column }) =>
      `${aggregate === "count" ? `COUNT(${quote(column)})` : `TOTAL(${quote(column)})`} AS ${alias}`
    ),
    ...shape.distinctColumns.flatMap(distinctAggregates)
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
 * `query` with its shape changed by `change` and its SQL rendered again (a
 * rowid chunk, a text-only distinct column).
 *
 * @internal
 */
export const reshape = <Q extends TableQuery>(query: Q, change: Partial<TableShape>): Q => {
  const next = { ...query, ...change }
  return { ...next, ...renderTableQuery(next) }
}
