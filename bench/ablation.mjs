// @ts-check
/**
 * What each choice bought: the rollup SQL alone (first activity + every
 * rollup query, run inline on one connection, no merge or events), as the
 * previous compiler wrote it and as it is now, with and without the read
 * pragmas and the text-only distinct columns the index probes prove. bench/run.mjs runs it once, at the largest size up to 1M, for the
 * "Where the time goes" table of BENCHMARKS.md.
 */
import { DayWindow, FirstActivity, IndexProbes, Presets, RollupCompiler } from "@posthog-backfill/core"
import { NodeActivitySource } from "@posthog-backfill/effect"
import Database from "better-sqlite3"

const NORM = (/** @type {string} */ col) => `(CASE WHEN "${col}" < 1000000000000 THEN "${col}" * 1000 ELSE "${col}" END)`
const DAY = (/** @type {string} */ col) => `date(${NORM(col)} / 1000, 'unixepoch')`
const WHERE = (/** @type {string} */ col) => `${NORM(col)} >= ? AND ${DAY(col)} BETWEEN ? AND ?`

/**
 * The claude-mem queries exactly as the previous compiler (before this
 * change) wrote them: a `date()` string per row as the day, the window on the
 * normalized epoch and the day string, one query per table and a separate
 * UNION ALL query for the distinct project count (a second scan of
 * observations and sdk_sessions), first activity as MIN over the normalized
 * epoch of every row.
 *
 * @param {number} floor
 * @param {{ installDay: string, lastFullDay: string }} window
 */
export const previousQueries = (floor, window) => {
  const w = [floor, window.installDay, window.lastFullDay]
  return [
    {
      sql: `SELECT ${DAY("created_at_epoch")} AS day, "type" AS b0, COUNT(*) AS n, COUNT("agent_type") AS v0 FROM "observations" WHERE ${WHERE("created_at_epoch")} GROUP BY day, b0`,
      params: w
    },
    {
      sql: `SELECT ${DAY("started_at_epoch")} AS day, "status" AS b0, "platform_source" AS b1, COUNT(*) AS n FROM "sdk_sessions" WHERE ${WHERE("started_at_epoch")} GROUP BY day, b0, b1`,
      params: w
    },
    {
      sql: `SELECT ${DAY("created_at_epoch")} AS day, COUNT(*) AS n, TOTAL("discovery_tokens") AS v0 FROM "session_summaries" WHERE ${WHERE("created_at_epoch")} GROUP BY day`,
      params: w
    },
    { sql: `SELECT ${DAY("created_at_epoch")} AS day, COUNT(*) AS n FROM "user_prompts" WHERE ${WHERE("created_at_epoch")} GROUP BY day`, params: w },
    {
      sql:
        `SELECT day, COUNT(DISTINCT v) AS n FROM (SELECT ${DAY("created_at_epoch")} AS day, "project" AS v FROM "observations" WHERE ${WHERE("created_at_epoch")} ` +
        `UNION ALL SELECT ${DAY("started_at_epoch")} AS day, "project" AS v FROM "sdk_sessions" WHERE ${WHERE("started_at_epoch")}) GROUP BY day`,
      params: [...w, ...w]
    }
  ]
}

const previousFirstActivity = (/** @type {number} */ floor) => ({
  sql:
    `SELECT COALESCE((SELECT MIN(${NORM("started_at_epoch")}) FROM "sdk_sessions" WHERE ${NORM("started_at_epoch")} >= ?), ` +
    `(SELECT MIN(${NORM("created_at_epoch")}) FROM "observations" WHERE ${NORM("created_at_epoch")} >= ?)) AS first_activity_ms`,
  params: [floor, floor]
})

/**
 * @param {string} file
 * @param {number} nowMs
 * @param {number} rounds
 * @param {(line: string) => void} log
 */
export const ablation = (file, nowMs, rounds, log) => {
  /** @param {ReadonlyArray<string>} pragmas */
  const open = (pragmas) => {
    const db = new Database(file, { readonly: true })
    for (const pragma of pragmas) db.pragma(pragma)
    return db
  }
  const plain = open([])
  /** @type {Record<string, Array<string>>} */
  const columns = {}
  for (const { name } of /** @type {Array<{ name: string }>} */ (plain.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all())) {
    columns[name] = /** @type {Array<{ name: string }>} */ (plain.prepare(`PRAGMA table_info("${name}")`).all()).map((c) => c.name)
  }
  const first = FirstActivity.compileFirstActivity({ spec: Presets.claudeMem.spec, columns, floorMs: Presets.claudeMem.floorMs }).query
  if (first === null) throw new Error("ablation: no first-activity source")
  const window = DayWindow.dayWindow({ nowMs, firstActivityMs: FirstActivity.readFirstActivity(/** @type {any} */ (plain.prepare(first.sql).all(...first.params))) })
  if (window.installDay === null) throw new Error("ablation: nothing to plan")
  const shippable = /** @type {{ installDay: string, lastFullDay: string }} */ (window)
  const tableQueries = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns, window: shippable, floorMs: Presets.claudeMem.floorMs }).queries
  const current = [first, ...tableQueries]
  // The distinct columns the ends of their indexes prove text-only, as Backfill.collect probes them.
  const indexed = IndexProbes.readIndexedColumns(/** @type {any} */ (plain.prepare(IndexProbes.compileIndexedColumns().sql).all()))
  const proven = IndexProbes.compileTextOnlyProbes(tableQueries, indexed).filter((probe) => IndexProbes.readTextOnly(/** @type {any} */ (plain.prepare(probe.sql).all())))
  const textOnly = [
    first,
    ...tableQueries.map((query) => IndexProbes.withTextOnlyDistinct(query, proven.filter((p) => p.table === query.table).map((p) => p.column)))
  ]
  const previous = [previousFirstActivity(Presets.claudeMem.floorMs), ...previousQueries(Presets.claudeMem.floorMs, shippable)]
  const variants = [
    { name: "previous query shapes, default connection", db: plain, queries: previous },
    { name: "one scan per table, default connection", db: plain, queries: current },
    { name: "+ query_only, threads = 1", db: open(["query_only = 1", "threads = 1"]), queries: current },
    { name: "+ cache_size = -4000 (the shipped READ_PRAGMAS)", db: open(NodeActivitySource.READ_PRAGMAS), queries: current },
    { name: "+ text-only distinct columns (index probes)", db: open(NodeActivitySource.READ_PRAGMAS), queries: textOnly }
  ]
  /** @type {Array<Array<number>>} */
  const times = variants.map(() => [])
  for (let round = 0; round < rounds; round++) {
    variants.forEach((variant, i) => {
      const started = performance.now()
      for (const q of variant.queries) variant.db.prepare(q.sql).all(...q.params)
      times[i]?.push(performance.now() - started)
    })
    log(`ablation round ${round + 1}/${rounds}: ${times.map((t) => t.at(-1)?.toFixed(0)).join(" / ")} ms`)
  }
  for (const variant of variants) variant.db.close()
  const median = (/** @type {Array<number>} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
  return variants.map((variant, i) => ({ name: variant.name, queries: variant.queries.length, ms: median(times[i] ?? []) }))
}
