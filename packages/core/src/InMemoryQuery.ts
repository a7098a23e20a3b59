/**
 * Runs compiled queries over plain row arrays, with the same semantics as the
 * SQL the compiler emits (normalization per row, the floor, whole-day window,
 * `COUNT`, `TOTAL`, `COUNT(DISTINCT)`, `MIN`, `COALESCE` priority). It backs
 * the in-memory activity source (hosts whose data is not in SQLite, and tests),
 * and the compiler is checked against real SQLite through it.
 *
 * @since 0.1.0
 */
import { isDayInWindow, isDayRepresentable, type ShippableWindow, utcDay } from "./DayWindow.js"
import { normalizeEpochMs } from "./Epoch.js"
import type { AnyQuery, DistinctQuery, FirstActivityQuery, TableColumns, TableQuery } from "./RollupCompiler.js"
import type { Row } from "./RollupMerge.js"

/**
 * Rows per table. Table and column names are matched case-insensitively.
 *
 * @since 0.1.0
 * @category models
 */
export type TableRows = Readonly<Record<string, ReadonlyArray<Row>>>

const findTable = (tables: TableRows, name: string): ReadonlyArray<Row> => {
  const wanted = name.toLowerCase()
  for (const [table, rows] of Object.entries(tables)) if (table.toLowerCase() === wanted) return rows
  return []
}

/** Reads a column case-insensitively; a missing column reads as NULL. */
const read = (row: Row, column: string): unknown => {
  if (Object.hasOwn(row, column)) return row[column]
  const wanted = column.toLowerCase()
  for (const key of Object.keys(row)) if (key.toLowerCase() === wanted) return row[key]
  return null
}

const asNumber = (value: unknown): number | undefined => {
  const n = typeof value === "bigint" ? Number(value) : value
  return typeof n === "number" && Number.isFinite(n) ? n : undefined
}

const isNull = (value: unknown): boolean => value === null || value === undefined

/** The normalized epoch of a row, when it is a number at or above the floor. */
const epochOf = (row: Row, timeColumn: string, floorMs: number): number | undefined => {
  const raw = asNumber(read(row, timeColumn))
  if (raw === undefined) return undefined
  const ms = normalizeEpochMs(raw)
  return ms >= floorMs ? ms : undefined
}

/** The UTC day of an in-window row, or undefined. */
const dayOf = (row: Row, timeColumn: string, floorMs: number, window: ShippableWindow): string | undefined => {
  const ms = epochOf(row, timeColumn, floorMs)
  if (ms === undefined || !isDayRepresentable(ms)) return undefined
  const day = utcDay(ms)
  return isDayInWindow(day, window) ? day : undefined
}

/** SQLite groups values by type and value; NULL is its own group. */
const groupKey = (values: ReadonlyArray<unknown>): string =>
  JSON.stringify(values.map((v) => (isNull(v) ? null : [typeof v, typeof v === "bigint" ? String(v) : v])))

const runTable = (query: TableQuery, tables: TableRows): ReadonlyArray<Row> => {
  const groups = new Map<string, Record<string, unknown>>()
  for (const row of findTable(tables, query.table)) {
    const day = dayOf(row, query.timeColumn, query.floorMs, query.window)
    if (day === undefined) continue
    const bucketValues = query.bucketColumns.map(({ metric }) => {
      const value = read(row, metric.column)
      return isNull(value) ? null : value
    })
    const key = groupKey([day, ...bucketValues])
    let group = groups.get(key)
    if (group === undefined) {
      group = { day, n: 0 }
      query.bucketColumns.forEach(({ alias }, i) => (group![alias] = bucketValues[i]))
      for (const { alias } of query.valueColumns) group[alias] = 0
      groups.set(key, group)
    }
    group["n"] = (group["n"] as number) + 1
    for (const { aggregate, alias, column } of query.valueColumns) {
      const value = read(row, column)
      const amount = aggregate === "count" ? (isNull(value) ? 0 : 1) : (asNumber(value) ?? 0)
      group[alias] = (group[alias] as number) + amount
    }
  }
  return [...groups.values()]
}

const runDistinct = (query: DistinctQuery, tables: TableRows): ReadonlyArray<Row> => {
  const days = new Map<string, Set<string>>()
  for (const source of query.sources) {
    for (const row of findTable(tables, source.table)) {
      const day = dayOf(row, source.timeColumn, query.floorMs, query.window)
      if (day === undefined) continue
      let values = days.get(day)
      if (values === undefined) days.set(day, (values = new Set()))
      const value = read(row, source.column)
      if (!isNull(value)) values.add(groupKey([value]))
    }
  }
  return [...days].map(([day, values]) => ({ day, n: values.size }))
}

const runFirstActivity = (query: FirstActivityQuery, tables: TableRows): ReadonlyArray<Row> => {
  for (const source of query.sources) {
    let min: number | undefined
    for (const row of findTable(tables, source.table)) {
      const ms = epochOf(row, source.timeColumn, query.floorMs)
      if (ms !== undefined && (min === undefined || ms < min)) min = ms
    }
    if (min !== undefined) return [{ first_activity_ms: min }]
  }
  return [{ first_activity_ms: null }]
}

/**
 * Runs one compiled query over row arrays and returns rows shaped like
 * SQLite's answer to its SQL.
 *
 * @since 0.1.0
 * @category running
 */
export const runQueryInMemory = (query: AnyQuery, tables: TableRows): ReadonlyArray<Row> => {
  switch (query._tag) {
    case "TableQuery":
      return runTable(query, tables)
    case "DistinctQuery":
      return runDistinct(query, tables)
    case "FirstActivityQuery":
      return runFirstActivity(query, tables)
  }
}

/**
 * The columns of in-memory tables: the union of the keys of their rows, plus
 * any declared explicitly (an empty table has no rows to show its columns).
 *
 * @since 0.1.0
 * @category running
 */
export const columnsOfRows = (tables: TableRows, declared: TableColumns = {}): TableColumns => {
  const columns: Record<string, Array<string>> = {}
  for (const [table, rows] of Object.entries(tables)) {
    const names = new Set(declared[table] ?? [])
    for (const row of rows) for (const key of Object.keys(row)) names.add(key)
    columns[table] = [...names]
  }
  for (const [table, names] of Object.entries(declared)) columns[table] ??= [...names]
  return columns
}
