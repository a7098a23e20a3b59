/**
 * Parallel reads of one table: a table query split into chunks by rowid, so
 * several connections (the worker threads of a file source) scan and group
 * parts of one table at the same time.
 *
 * Why rowid ranges: a table's rows are stored in rowid order, so a rowid range
 * is a contiguous stretch of the table that SQLite seeks to and reads alone,
 * and the chunks together read every row exactly once: the first chunk has no
 * lower bound, the last no upper bound (rows added after the bounds were read
 * still fall in one chunk), and each inner boundary is the upper bound of one
 * chunk and the lower bound of the next. The merge adds chunks up like any
 * rows of one query. Apps insert rows as they happen, so a chunk also covers a
 * stretch of days and returns few day-level rows; rows in any other order are
 * counted just the same, at the cost of more day-level rows per chunk (bounded
 * by `maxChunks`).
 *
 * @since 0.1.0
 */
import { numberOf, type Row, type RowidAlias, type RowidBoundsQuery, type RowidRange, type TableColumns, type TableQuery } from "../query/Query.js"
import { catalog } from "./internal/catalog.js"
import { quote } from "./internal/identifiers.js"
import { reshape } from "./internal/tableSql.js"

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
 * The same table query restricted to a rowid range: its rows are the rows the
 * whole query would return for the table's rows in that range. The chunks of
 * a partition of the rowids add up, in the merge, to the whole query.
 *
 * @since 0.1.0
 * @category compiling
 */
export const tableQueryInRange = <Q extends TableQuery>(query: Q, range: RowidRange): Q => {
  if (!ROWID_ALIASES.includes(range.alias)) throw new Error(`tableQueryInRange: "${range.alias}" is not a rowid alias`)
  for (const bound of [range.from, range.to]) {
    if (bound !== undefined && !Number.isFinite(bound)) throw new Error(`tableQueryInRange: rowid bound ${bound} is not a finite number`)
  }
  return reshape(query, { rowidRange: range })
}

/**
 * The smallest and largest rowid of a table.
 *
 * @since 0.1.0
 * @category models
 */
export interface RowidBounds {
  readonly lo: number
  readonly hi: number
}

/**
 * How a table is cut: into at least `parts` chunks (the connections that read
 * at once) when it holds at least `2 * minChunkRows` rowids, more chunks of
 * about `minChunkRows` on a larger table (small chunks even out the
 * connections' work: one never waits long for the other), never more than
 * `maxChunks`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChunkOptions {
  readonly parts: number
  readonly minChunkRows?: number | undefined
  readonly maxChunks?: number | undefined
}

/**
 * The default chunk size in rowids. A chunk's `GROUP BY` sorts its rows in
 * memory when they fit the connection's sorter budget (its page cache: 4 MiB
 * with the file sources' read pragmas, about 80,000 rows of a claude-mem
 * observations chunk), and spills sorted runs to temp files when they do not.
 * Measured on the benchmark's 1M-observation database with two workers, chunks
 * of 8k to 64k rows cost the same per row; smaller chunks also split the
 * mid-size tables, so no single large query is left running alone at the end.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MIN_CHUNK_ROWS = 32_768

/**
 * The default most chunks per table: a table of up to about 8M rows is cut
 * into chunks of {@link DEFAULT_MIN_CHUNK_ROWS} (each sorted in memory); larger
 * tables get larger chunks. It also bounds the day-level rows of a table whose
 * rows are not in time order (every chunk may then return every day and
 * bucket); those rows are merged as they arrive, so they cost time, not
 * memory.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_CHUNKS = 256

/**
 * Reads the rowid-bounds query's row; `null` for an empty table (or an answer
 * that is not two finite numbers).
 *
 * @since 0.1.0
 * @category decoding
 */
export const readRowidBounds = (rows: ReadonlyArray<Row>): RowidBounds | null => {
  const lo = numberOf(rows[0]?.["lo"])
  const hi = numberOf(rows[0]?.["hi"])
  return lo !== undefined && hi !== undefined && lo <= hi ? { lo, hi } : null
}

/**
 * The rowid ranges a table with these bounds is cut into: a partition of all
 * rowids (see the module doc), one unbounded range when the table is too small
 * to split.
 *
 * @since 0.1.0
 * @category compiling
 */
export const rowidChunks = (
  bounds: RowidBounds,
  options: ChunkOptions
): ReadonlyArray<{ readonly from?: number; readonly to?: number }> => {
  const minChunkRows = Math.max(1, options.minChunkRows ?? DEFAULT_MIN_CHUNK_ROWS)
  const maxChunks = Math.max(1, Math.floor(options.maxChunks ?? DEFAULT_MAX_CHUNKS))
  const span = bounds.hi - bounds.lo + 1
  const parts = Math.floor(options.parts)
  if (!(parts > 1) || !(span >= 2 * minChunkRows)) return [{}]
  const count = Math.min(maxChunks, Math.max(parts, Math.ceil(span / minChunkRows)))
  // Inner boundaries, strictly increasing (huge rowids lose precision as
  // numbers: equal neighbours are dropped, the ranges still cover everything).
  const boundaries: Array<number> = []
  for (let i = 1; i < count; i++) {
    const boundary = Math.floor(bounds.lo + (span * i) / count)
    if (boundary > bounds.lo && boundary > (boundaries.at(-1) ?? -Infinity)) boundaries.push(boundary)
  }
  return [undefined, ...boundaries].map((from, i) => {
    const to = boundaries[i]
    return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }
  })
}

/**
 * A table query as chunks to run at once (see the module doc): the query
 * itself when the table is too small to split (or empty), else one query per
 * rowid range, each with the query's id.
 *
 * @since 0.1.0
 * @category compiling
 */
export const splitTableQuery = <Q extends TableQuery>(
  query: Q,
  boundsQuery: RowidBoundsQuery,
  bounds: RowidBounds | null,
  options: ChunkOptions
): ReadonlyArray<Q> => {
  if (bounds === null) return [query]
  const chunks = rowidChunks(bounds, options)
  if (chunks.length === 1) return [query]
  return chunks.map((chunk) => tableQueryInRange(query, { alias: boundsQuery.alias, ...chunk } satisfies RowidRange))
}
