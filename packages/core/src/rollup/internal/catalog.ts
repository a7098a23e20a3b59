/**
 * What a database has, as the compilers ask it: a case-insensitive view over
 * `TableColumns`, and the one sentence that says why a table or column a spec
 * names cannot be read (a missing one drops only the keys that need it).
 *
 * @internal
 */
import type { TableColumns } from "../../query/Query.js"

/** @internal */
export interface Catalog {
  readonly hasTable: (table: string) => boolean
  readonly hasColumn: (table: string, column: string) => boolean
}

/** @internal */
export const catalog = (columns: TableColumns): Catalog => {
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
 * Why `table` (or `table.column`) cannot be read, or `undefined` when it can.
 *
 * @internal
 */
export const missingReason = (db: Catalog, table: string, column: string | undefined): string | undefined => {
  if (!db.hasTable(table)) return `table ${table} is missing`
  if (column !== undefined && !db.hasColumn(table, column)) return `column ${table}.${column} is missing`
  return undefined
}
