/**
 * The rollup compiler: spec + the columns the database really has + the day
 * window -> one aggregate query per table. Aggregation happens inside SQLite
 * (`GROUP BY` day, each table read exactly once, normalization per row, floor
 * and window as predicates); only day-level rows come back. Identifiers are
 * validated and quoted, values are bound parameters. The SQL text itself is
 * rendered in `internal/tableSql.ts`.
 *
 * **One scan per table.** A cross-table distinct count is not a query of its
 * own (that re-read the two biggest tables): each table query also collects
 * the distinct values of its day groups, and the merge unions them across
 * tables in code. What dominates the cost of a rollup is reading the rows and
 * SQLite's `GROUP BY` sort, so every row is read and sorted once.
 *
 * @since 0.1.0
 */
import type { BucketColumn, DistinctColumn, TableColumns, TableQuery, ValueColumn } from "../query/Query.js"
import type { ClosedEnum } from "../events/ClosedEnum.js"
import type { ShippableWindow } from "../time/DayWindow.js"
import { type Catalog, catalog, missingReason } from "./internal/catalog.js"
import { sameName } from "./internal/identifiers.js"
import { renderTableQuery, type TableShape } from "./internal/tableSql.js"
import {
  assertValidRollupSpec,
  type DistinctSource,
  type Metric,
  metricColumn,
  metricKeys,
  type RollupSpec,
  specKeys,
  type TableRollup
} from "./RollupSpec.js"

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
 * A bucket column of a rollup's table query, with the closed enum the merge
 * maps its raw values to.
 *
 * @since 0.1.0
 * @category models
 */
export interface RollupBucketColumn extends BucketColumn {
  readonly enum: ClosedEnum
}

/**
 * A table query of a rollup plan: what any runner needs, plus the closed enum
 * of each bucket column, which only the merge reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface RollupTableQuery extends TableQuery {
  readonly bucketColumns: ReadonlyArray<RollupBucketColumn>
}

/**
 * Everything the shell needs to run for the rollups of one window: one query
 * per table.
 *
 * @since 0.1.0
 * @category models
 */
export interface RollupPlan {
  readonly window: ShippableWindow
  readonly queries: ReadonlyArray<RollupTableQuery>
  /** Every key the plan can produce, in spec order. */
  readonly keys: ReadonlyArray<string>
  readonly dropped: ReadonlyArray<DroppedKey>
}

/** What one table query computes: a table and time column, its metrics, its distinct columns. */
interface TableWork {
  readonly id: string
  readonly table: string
  readonly timeColumn: string
  readonly metrics: Array<Metric>
  readonly distinct: Array<{ readonly key: string; readonly column: string }>
}

const compileTable = (work: TableWork, floorMs: number, window: ShippableWindow): RollupTableQuery => {
  const bucketColumns: Array<RollupBucketColumn> = []
  const valueColumns: Array<ValueColumn> = []
  const countKeys: Array<string> = []
  for (const metric of work.metrics) {
    if (metric._tag === "Buckets") bucketColumns.push({ alias: `b${bucketColumns.length}`, column: metric.column, enum: metric.enum })
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
  const distinctColumns: Array<DistinctColumn> = work.distinct.map(({ column, key }, i) => ({
    key,
    column,
    alias: `x${i}`,
    typedAlias: `y${i}`
  }))
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
    bucketColumns,
    ...renderTableQuery(shape),
    keys: work.metrics.flatMap(metricKeys),
    countKeys
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
  return { window: options.window, queries, keys: specKeys(spec).filter((key) => produced.has(key)), dropped }
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
