// @ts-check
/**
 * The floor: what SQLite needs for one plain pass over the columns the plan
 * reads. Per table of the compiled plan, `SELECT count(*) FROM t WHERE ...`
 * with a predicate that touches exactly the columns that table's query reads
 * (the time column, the bucket, value and distinct columns), each one read
 * for every row: `ifnull(col, 0) IS NOT NULL` is true for every value, so
 * SQLite evaluates every term of the AND and reads each column of each row,
 * but sorts nothing, groups nothing and returns one row.
 */
import { Presets, RollupCompiler } from "@posthog-backfill/core"

/**
 * The floor queries of a database: one per table the plan reads.
 *
 * @param {Record<string, ReadonlyArray<string>>} columns the database's columns
 * @returns {Array<{ table: string, columns: Array<string>, sql: string }>}
 */
export const floorQueries = (columns) => {
  // The window does not change which columns are read.
  const plan = RollupCompiler.compileRollup({
    spec: Presets.claudeMem.spec,
    columns,
    window: { installDay: "2024-01-01", lastFullDay: "2030-01-01" },
    floorMs: Presets.claudeMem.floorMs
  })
  return plan.queries.map((query) => {
    const read = [
      query.timeColumn,
      ...query.bucketColumns.map((b) => b.column),
      ...query.valueColumns.map((v) => v.column),
      ...query.distinctColumns.map((d) => d.column)
    ].filter((column, i, all) => all.indexOf(column) === i)
    return {
      table: query.table,
      columns: read,
      sql: `SELECT count(*) AS n FROM "${query.table}" WHERE ${read.map((c) => `ifnull("${c}", 0) IS NOT NULL`).join(" AND ")}`
    }
  })
}

/**
 * Runs the floor queries; returns the rows passed.
 *
 * @param {import("better-sqlite3").Database} db
 * @param {ReturnType<typeof floorQueries>} queries
 */
export const runFloor = (db, queries) => queries.reduce((rows, q) => rows + /** @type {{ n: number }} */ (db.prepare(q.sql).get()).n, 0)
