/**
 * The test oracle: runs the core's compiled queries over plain row arrays,
 * with the same semantics as the SQL the compiler emits (normalization per
 * row, the floor, whole-day window, `COUNT`, `TOTAL`, distinct values per
 * group, `MIN`, `COALESCE` priority), written independently of the SQL (days
 * from `utcDay`, the window compared as strings), and returning rows of the
 * same shape. The compiler is checked against real SQLite through it, and
 * tests swap it in as an activity source (`MemorySource`).
 *
 * It reads queries by their shape (`Query.AnyQuery`), never their SQL text.
 *
 * @since 0.1.0
 */
import { DayWindow, Epoch, type Query } from "@posthog-backfill/core"

type AnyQuery = Query.AnyQuery
type ClockProbeQuery = Query.ClockProbeQuery
type FirstActivityQuery = Query.FirstActivityQuery
type QueryWindow = Query.QueryWindow
type Row = Query.Row
type RowidBoundsQuery = Query.RowidBoundsQuery
type RowidRange = Query.RowidRange
type StorageClassesQuery = Query.StorageClassesQuery
type TableColumns = Query.TableColumns
type TableQuery = Query.TableQuery
const { DAY_MS, dayStartMs, isDayInWindow, isDayRepresentable, utcDay } = DayWindow
const { normalizeEpochMs } = Epoch

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
  // Written out here, not taken from the core: the oracle stays independent of what it checks.
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
const dayOf = (row: Row, timeColumn: string, floorMs: number, window: QueryWindow): string | undefined => {
  const ms = epochOf(row, timeColumn, floorMs)
  if (ms === undefined || !isDayRepresentable(ms)) return undefined
  const day = utcDay(ms)
  return isDayInWindow(day, window) ? day : undefined
}

/** SQLite groups values by type and value; NULL is its own group. */
const groupKey = (values: ReadonlyArray<unknown>): string =>
  JSON.stringify(values.map((v) => (isNull(v) ? null : [typeof v, typeof v === "bigint" ? String(v) : v])))

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, "0"))

/** A blob as SQLite's `quote()` writes it: `X'0A1B'`. */
const blobLiteral = (bytes: Uint8Array): string => {
  let hex = ""
  for (const byte of bytes) hex += HEX[byte]
  return `X'${hex}'`
}

/**
 * The distinct values of a group, split the way the compiled SQL splits them:
 * text and integers as they are, reals and blobs as SQL literals.
 */
interface DistinctValues {
  readonly plain: Map<string, unknown>
  readonly typed: Set<string>
}

const addDistinct = (values: DistinctValues, value: unknown) => {
  if (isNull(value)) return
  if (typeof value === "number" && !Number.isInteger(value)) values.typed.add(String(value))
  else if (value instanceof Uint8Array) values.typed.add(blobLiteral(value))
  else {
    const plain = typeof value === "bigint" ? Number(value) : value
    values.plain.set(groupKey([plain]), plain)
  }
}

/** The day offset of an in-window day from the window's first day. */
const dayOffset = (day: string, window: QueryWindow): number =>
  Math.round((dayStartMs(day) - dayStartMs(window.installDay)) / DAY_MS)

/**
 * In memory a row's rowid is its position plus one (the rowids SQLite gives
 * rows inserted in that order into an empty table).
 */
const inRowidRange = (position: number, range: RowidRange | undefined): boolean => {
  const rowid = position + 1
  return range === undefined || ((range.from === undefined || rowid >= range.from) && (range.to === undefined || rowid < range.to))
}

const runTable = (query: TableQuery, tables: TableRows): ReadonlyArray<Row> => {
  const groups = new Map<string, { row: Record<string, unknown>; distinct: Array<DistinctValues> }>()
  for (const [position, row] of findTable(tables, query.table).entries()) {
    if (!inRowidRange(position, query.rowidRange)) continue
    const day = dayOf(row, query.timeColumn, query.floorMs, query.window)
    if (day === undefined) continue
    const bucketValues = query.bucketColumns.map(({ column }) => {
      const value = read(row, column)
      return isNull(value) ? null : value
    })
    const key = groupKey([day, ...bucketValues])
    let group = groups.get(key)
    if (group === undefined) {
      const fresh: Record<string, unknown> = { d: dayOffset(day, query.window), n: 0 }
      query.bucketColumns.forEach(({ alias }, i) => (fresh[alias] = bucketValues[i]))
      for (const { alias } of query.valueColumns) fresh[alias] = 0
      group = { row: fresh, distinct: query.distinctColumns.map(() => ({ plain: new Map(), typed: new Set() })) }
      groups.set(key, group)
    }
    const out = group.row
    out["n"] = (out["n"] as number) + 1
    for (const { aggregate, alias, column } of query.valueColumns) {
      const value = read(row, column)
      const amount = aggregate === "count" ? (isNull(value) ? 0 : 1) : (asNumber(value) ?? 0)
      out[alias] = (out[alias] as number) + amount
    }
    query.distinctColumns.forEach(({ column }, i) => addDistinct(group!.distinct[i]!, read(row, column)))
  }
  return [...groups.values()].map(({ distinct, row }) => {
    query.distinctColumns.forEach(({ alias, typedAlias }, i) => {
      row[alias] = JSON.stringify([...distinct[i]!.plain.values()])
      row[typedAlias] = JSON.stringify([...distinct[i]!.typed])
    })
    return row
  })
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

/** The rows of the sources at or after `futureFromMs`, and from `recentFromMs` up to it (normalized per row). */
const runClockProbe = (query: ClockProbeQuery, tables: TableRows): ReadonlyArray<Row> => {
  let future = 0
  let recent = 0
  for (const source of query.sources) {
    for (const row of findTable(tables, source.table)) {
      const raw = asNumber(read(row, source.timeColumn))
      if (raw === undefined) continue
      const ms = normalizeEpochMs(raw)
      if (ms >= query.futureFromMs) future += 1
      else if (ms >= query.recentFromMs) recent += 1
    }
  }
  return [{ future_rows: future, recent_rows: recent }]
}

const runRowidBounds = (query: RowidBoundsQuery, tables: TableRows): ReadonlyArray<Row> => {
  const count = findTable(tables, query.table).length
  return [count === 0 ? { lo: null, hi: null } : { lo: 1, hi: count }]
}

/** SQLite's storage class of a value, and the order of the classes in a sort. */
const storageClass = (value: unknown): "null" | "integer" | "real" | "text" | "blob" => {
  if (value === null || value === undefined) return "null"
  if (typeof value === "bigint") return "integer"
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "real"
  if (typeof value === "string") return "text"
  return "blob"
}
const CLASS_RANK = { null: 0, integer: 1, real: 1, text: 2, blob: 3 } as const

/**
 * The storage classes of a column's two ends. Numbers of both classes sort
 * together (by value), so among them the smallest or largest value decides.
 */
const runStorageClasses = (query: StorageClassesQuery, tables: TableRows): ReadonlyArray<Row> => {
  const values = findTable(tables, query.table).map((row) => read(row, query.column)).filter((v) => storageClass(v) !== "null")
  const rank = (value: unknown) => CLASS_RANK[storageClass(value)]
  const end = (better: (a: unknown, b: unknown) => boolean) =>
    values.length === 0 ? "null" : storageClass(values.reduce((best, value) => (better(value, best) ? value : best)))
  const numeric = (value: unknown) => Number(value)
  const less = (a: unknown, b: unknown) => rank(a) < rank(b) || (rank(a) === 1 && rank(b) === 1 && numeric(a) < numeric(b))
  return [{ lo: end(less), hi: end((a, b) => less(b, a)) }]
}

/**
 * Runs one compiled query over row arrays and returns rows shaped like
 * SQLite's answer to its SQL. Row arrays have no indexes: the
 * indexed-columns query answers no rows.
 *
 * @since 0.1.0
 * @category running
 */
export const runQueryInMemory = (query: AnyQuery, tables: TableRows): ReadonlyArray<Row> => {
  switch (query._tag) {
    case "TableQuery":
      return runTable(query, tables)
    case "FirstActivityQuery":
      return runFirstActivity(query, tables)
    case "ClockProbeQuery":
      return runClockProbe(query, tables)
    case "RowidBoundsQuery":
      return runRowidBounds(query, tables)
    case "IndexedColumnsQuery":
      return []
    case "StorageClassesQuery":
      return runStorageClasses(query, tables)
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
