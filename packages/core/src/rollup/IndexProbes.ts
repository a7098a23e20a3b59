/**
 * Index probes: what the two ends of an index tell about a column, for free.
 *
 * SQLite orders every index by storage class first (NULL, then numbers, then
 * text, then blobs), whatever its collation. So when the smallest and the
 * largest non-NULL value of an indexed column are both text, the column holds
 * nothing but text and NULL, and SQLite finds both ends with one seek each.
 * A table query then collects that column's distinct values with one plain
 * `DISTINCT` aggregate instead of two filtered ones (`withTextOnlyDistinct`),
 * about a fifth off a large table's query.
 *
 * The answer is only as good as the snapshot it was read in: the shell uses it
 * only when the probes and the table queries read one snapshot of the file.
 *
 * @since 0.1.0
 */
import type { IndexedColumnsQuery, Row, StorageClassesQuery, TableQuery } from "../query/Query.js"
import { quote, sameName } from "./internal/identifiers.js"
import { reshape } from "./internal/tableSql.js"

/**
 * Per table (lower case), per column (lower case): the collations of the
 * indexes that column leads.
 *
 * @since 0.1.0
 * @category models
 */
export type IndexedColumns = ReadonlyMap<string, ReadonlyMap<string, ReadonlyArray<string>>>

/**
 * The id of the indexed-columns query.
 *
 * @since 0.1.0
 * @category constants
 */
export const INDEXED_COLUMNS_ID = "indexed-columns"

/**
 * Compiles the indexed-columns query.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compileIndexedColumns = (): IndexedColumnsQuery => ({
  _tag: "IndexedColumnsQuery",
  id: INDEXED_COLUMNS_ID,
  sql: "SELECT m.name AS table_name, x.name AS column_name, x.coll AS collation FROM sqlite_master AS m " +
    "JOIN pragma_index_list(m.name) AS l JOIN pragma_index_xinfo(l.name) AS x " +
    "WHERE m.type = 'table' AND l.partial = 0 AND x.seqno = 0 AND x.key = 1 AND x.name IS NOT NULL",
  params: []
})

/** A collation name that can be written bare after `COLLATE`. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Reads the indexed-columns query's rows (rows that are not well formed, or
 * whose collation is not a plain name, are skipped).
 *
 * @since 0.1.0
 * @category decoding
 */
export const readIndexedColumns = (rows: ReadonlyArray<Row>): IndexedColumns => {
  const byTable = new Map<string, Map<string, Array<string>>>()
  for (const row of rows) {
    const table = row["table_name"]
    const column = row["column_name"]
    const collation = row["collation"]
    if (typeof table !== "string" || typeof column !== "string" || typeof collation !== "string") continue
    if (!PLAIN_NAME.test(collation)) continue
    const columns = byTable.get(table.toLowerCase()) ?? new Map<string, Array<string>>()
    byTable.set(table.toLowerCase(), columns)
    const collations = columns.get(column.toLowerCase()) ?? []
    columns.set(column.toLowerCase(), collations)
    if (!collations.includes(collation)) collations.push(collation)
  }
  return byTable
}

/**
 * The storage-class probes for the distinct columns of `queries` that lead an
 * index: one per table and column. Each end is a `MIN` or `MAX` in the
 * index's own collation, which SQLite answers from the end of that index
 * without reading the table.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compileTextOnlyProbes = (
  queries: ReadonlyArray<TableQuery>,
  indexed: IndexedColumns
): ReadonlyArray<StorageClassesQuery> => {
  const probes = new Map<string, StorageClassesQuery>()
  for (const query of queries) {
    for (const { column } of query.distinctColumns) {
      const collation = indexed.get(query.table.toLowerCase())?.get(column.toLowerCase())?.[0]
      const id = `storage-classes:${query.table.toLowerCase()}.${column.toLowerCase()}`
      if (collation === undefined || probes.has(id)) continue
      const end = (aggregate: "MIN" | "MAX") =>
        `(SELECT typeof(${aggregate}(${quote(column)} COLLATE ${collation})) FROM ${quote(query.table)})`
      probes.set(id, {
        _tag: "StorageClassesQuery",
        id,
        sql: `SELECT ${end("MIN")} AS lo, ${end("MAX")} AS hi`,
        params: [],
        table: query.table,
        column
      })
    }
  }
  return [...probes.values()]
}

/**
 * True when a storage-class probe's answer proves the column holds only text
 * and NULL.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readTextOnly = (rows: ReadonlyArray<Row>): boolean => {
  const textOrNothing = (value: unknown) => value === "text" || value === "null"
  return rows.length === 1 && textOrNothing(rows[0]?.["lo"]) && textOrNothing(rows[0]?.["hi"])
}

/**
 * The table query with each of its distinct columns that one of `proven` (the
 * probes whose answer {@link readTextOnly} accepted) proved text-only read as
 * such (`withTextOnlyDistinct`).
 *
 * @since 0.1.0
 * @category compiling
 */
export const withProvenTextOnly = <Q extends TableQuery>(query: Q, proven: ReadonlyArray<StorageClassesQuery>): Q =>
  withTextOnlyDistinct(query, proven.filter((probe) => sameName(probe.table, query.table)).map((probe) => probe.column))

/**
 * The same table query with the distinct columns named in `textOnly` read as
 * text-only (see `DistinctColumn.textOnly`). Only for columns proven to hold
 * no number and no blob in the snapshot the query will read: a blob would fail
 * the query (JSON holds none) and a real would be rounded.
 *
 * @since 0.1.0
 * @category compiling
 */
export const withTextOnlyDistinct = <Q extends TableQuery>(query: Q, textOnly: ReadonlyArray<string>): Q => {
  const named = (column: string) => textOnly.some((name) => sameName(name, column))
  if (!query.distinctColumns.some(({ column }) => named(column))) return query
  return reshape(query, {
    distinctColumns: query.distinctColumns.map((distinct) => (named(distinct.column) ? { ...distinct, textOnly: true } : distinct))
  })
}
