/**
 * Differential test: the compiler's SQL run by real SQLite and the same
 * compiled queries run over plain arrays must agree on every generated
 * database. This pins the SQL to the documented semantics (normalization per
 * row, floor, whole-day window, buckets, distinct over the union, sessions-first
 * first activity, the clock probe's two ranges) and proves the in-memory source exact.
 */
import { type BackfillApp, ClockProbe, DayWindow, FirstActivity, Presets, RollupCompiler, RollupMerge } from "@posthog-backfill/core"
import { columnsOfRows, runQueryInMemory, type TableRows } from "@posthog-backfill/testkit/InMemoryQuery"
import Database from "better-sqlite3"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { claudeMemRows, jobRunnerRows } from "./support/arbitraries.js"

/** Loads row arrays into a real SQLite database, one table per key. */
const toSqlite = (tables: TableRows): Database.Database => {
  const db = new Database(":memory:")
  for (const [table, rows] of Object.entries(tables)) {
    const columns = Object.keys(rows[0] ?? {})
    if (columns.length === 0) continue
    db.exec(`CREATE TABLE "${table}" (${columns.map((c) => `"${c}"`).join(", ")})`)
    const insert = db.prepare(`INSERT INTO "${table}" VALUES (${columns.map(() => "?").join(", ")})`)
    for (const row of rows) insert.run(...columns.map((c) => row[c] as unknown))
  }
  return db
}

const compare = (app: BackfillApp.BackfillApp, tables: TableRows, nowMs: number) => {
  const db = toSqlite(tables)
  try {
    const present = Object.fromEntries(Object.entries(tables).filter(([, rows]) => rows.length > 0))
    const columns = columnsOfRows(present)
    const first = FirstActivity.compileFirstActivity({ spec: app.spec, columns, floorMs: app.floorMs })
    const sqlFirst = first.query === null ? null : FirstActivity.readFirstActivity(db.prepare(first.query.sql).all(...first.query.params) as Array<Record<string, unknown>>)
    const memFirst = first.query === null ? null : FirstActivity.readFirstActivity(runQueryInMemory(first.query, present))
    expect(memFirst).toBe(sqlFirst)
    const probe = ClockProbe.compileClockProbe({ spec: app.spec, columns, floorMs: app.floorMs, nowMs })
    if (probe !== null) {
      const sqlClock = ClockProbe.readClockProbe(db.prepare(probe.sql).all(...probe.params) as Array<Record<string, unknown>>)
      expect(ClockProbe.readClockProbe(runQueryInMemory(probe, present))).toEqual(sqlClock)
    }
    const window = DayWindow.dayWindow({ nowMs, firstActivityMs: sqlFirst })
    if (!DayWindow.isShippable(window)) return
    const plan = RollupCompiler.compileRollup({ spec: app.spec, columns, window, floorMs: app.floorMs })
    const fromSql = RollupMerge.mergeRollups(plan, plan.queries.map((q) => ({ id: q.id, rows: db.prepare(q.sql).all(...q.params) as Array<Record<string, unknown>> })))
    const fromMemory = RollupMerge.mergeRollups(plan, plan.queries.map((q) => ({ id: q.id, rows: runQueryInMemory(q, present) })))
    expect(fromMemory).toEqual(fromSql)
  } finally {
    db.close()
  }
}

const now = fc.integer({ min: Date.UTC(2024, 0, 10), max: Date.UTC(2026, 8, 1) })

describe("compiled SQL vs the in-memory runner", () => {
  it("agree on the claude-mem preset for any database", () => {
    fc.assert(fc.property(claudeMemRows, now, (tables, nowMs) => compare(Presets.claudeMem, tables, nowMs)), { numRuns: 150 })
  })

  it("agree on the job-runner example app for any database", () => {
    fc.assert(fc.property(jobRunnerRows, now, (tables, nowMs) => compare(Presets.jobRunner, tables, nowMs)), { numRuns: 150 })
  })
})

describe("columns of in-memory tables", () => {
  it("unions row keys and declared columns", () => {
    expect(columnsOfRows({ a: [{ x: 1 }, { y: 2 }] }, { b: ["z"] })).toEqual({ a: ["x", "y"], b: ["z"] })
  })
})
