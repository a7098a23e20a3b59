/**
 * Rollup merging: the rows the compiled queries returned -> one record per UTC
 * day. A table's keys are present on a day exactly when that table has at
 * least one in-window row that day, and then all of them are present,
 * zero-filled. Bucket values are mapped to their closed enum here; the raw
 * value never appears in the output. The result does not depend on row order.
 *
 * @since 0.1.0
 */
import { classifier } from "./ClosedEnum.js"
import { isDayInWindow } from "./DayWindow.js"
import type { DistinctQuery, RollupPlan, TableQuery } from "./RollupCompiler.js"

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
 * One day of activity: counters only.
 *
 * @since 0.1.0
 * @category models
 */
export interface DailyRollup {
  readonly day: string
  readonly counters: Readonly<Record<string, number>>
}

/** Drivers return numbers, bigints (safe-integer mode) or NULL. */
const toNumber = (value: unknown): number => {
  if (typeof value === "number") return Number.isFinite(value) ? value : 0
  if (typeof value === "bigint") return Number(value)
  return 0
}

type DayCounters = Map<string, number>

const add = (counters: DayCounters, key: string, amount: number) => counters.set(key, (counters.get(key) ?? 0) + amount)

const mergeTable = (query: TableQuery, rows: ReadonlyArray<Row>, dayOf: (row: Row) => DayCounters | undefined) => {
  const classifiers = query.bucketColumns.map(({ alias, metric }) => ({ alias, classify: classifier(metric.enum) }))
  for (const row of rows) {
    const counters = dayOf(row)
    if (counters === undefined) continue
    for (const key of query.keys) if (!counters.has(key)) counters.set(key, 0)
    const n = toNumber(row["n"])
    for (const key of query.countKeys) add(counters, key, n)
    for (const { alias, key } of query.valueColumns) add(counters, key, toNumber(row[alias]))
    for (const { alias, classify } of classifiers) {
      const key = classify(row[alias])
      if (key !== undefined) add(counters, key, n)
    }
  }
}

const mergeDistinct = (query: DistinctQuery, rows: ReadonlyArray<Row>, dayOf: (row: Row) => DayCounters | undefined) => {
  for (const row of rows) {
    const counters = dayOf(row)
    if (counters !== undefined) add(counters, query.key, toNumber(row["n"]))
  }
}

/**
 * Merges query results into one record per day, sorted by day. Rows whose day
 * is outside the plan's window are ignored (the SQL already excludes them;
 * this keeps the rule in one place for any source). Throws when a query of
 * the plan has no result: a silently missing table would ship wrong numbers.
 *
 * @since 0.1.0
 * @category merging
 */
export const mergeRollups = (plan: RollupPlan, results: ReadonlyArray<QueryResult>): ReadonlyArray<DailyRollup> => {
  const rowsById = new Map(results.map((result) => [result.id, result.rows]))
  const days = new Map<string, DayCounters>()
  const dayOf = (row: Row): DayCounters | undefined => {
    const day = row["day"]
    if (typeof day !== "string" || !isDayInWindow(day, plan.window)) return undefined
    let counters = days.get(day)
    if (counters === undefined) {
      counters = new Map()
      days.set(day, counters)
    }
    return counters
  }
  for (const query of plan.queries) {
    const rows = rowsById.get(query.id)
    if (rows === undefined) throw new Error(`mergeRollups: no result for query "${query.id}"`)
    if (query._tag === "TableQuery") mergeTable(query, rows, dayOf)
    else mergeDistinct(query, rows, dayOf)
  }
  return [...days.keys()].sort().map((day) => {
    const counters = days.get(day)!
    const ordered: Record<string, number> = {}
    for (const key of plan.keys) {
      const value = counters.get(key)
      if (value !== undefined) ordered[key] = value
    }
    return { day, counters: ordered }
  })
}
