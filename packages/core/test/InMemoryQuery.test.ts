/**
 * Differential test: the compiler's SQL run by real SQLite and the same
 * compiled queries run over plain arrays must agree on every generated
 * database. This pins the SQL to the documented semantics (normalization per
 * row, floor, whole-day window, buckets, distinct over the union, sessions-first
 * first activity) and proves the in-memory source exact.
 */
import {
  type BackfillApp,
  claudeMem,
  columnsOfRows,
  compileFirstActivity,
  compileRollup,
  dayWindow,
  isShippable,
  jobRunner,
  mergeRollups,
  readFirstActivity,
  runQueryInMemory,
  type TableRows
} from "@posthog-backfill/core"
import Database from "better-sqlite3"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const floorish = Date.UTC(2024, 0, 1)
const msEpoch = fc.integer({ min: floorish - 40 * 86_400_000, max: Date.UTC(2026, 6, 1) })
/** Milliseconds, the same instants in seconds, corrupt small values, NULL. */
const epoch = fc.oneof(
  { weight: 5, arbitrary: msEpoch },
  { weight: 3, arbitrary: msEpoch.map((ms) => Math.floor(ms / 1000)) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 86_400, 1_000_000) },
  { weight: 1, arbitrary: fc.constant(null) }
)
const text = (variants: ReadonlyArray<string>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...variants) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }, { weight: 1, arbitrary: fc.constant(null) })

const claudeMemRows = fc.record({
  observations: fc.array(
    fc.record({
      created_at_epoch: epoch,
      type: text(["bugfix", " Bugfix ", "DISCOVERY", "decision", "refactor", "feature"]),
      project: text(["alpha", "beta", "Alpha"]),
      agent_type: fc.option(fc.constantFrom("explore", "plan"), { nil: null }),
      discovery_tokens: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null })
    }),
    { maxLength: 60 }
  ),
  sdk_sessions: fc.array(
    fc.record({
      started_at_epoch: epoch,
      status: fc.constantFrom("active", "completed", "failed"),
      platform_source: text(["claude", " Codex", "gemini-cli", "GEMINI", "cursor"]),
      project: text(["alpha", "gamma"])
    }),
    { maxLength: 30 }
  ),
  session_summaries: fc.array(
    fc.record({ created_at_epoch: epoch, discovery_tokens: fc.option(fc.integer({ min: 0, max: 9000 }), { nil: null }) }),
    { maxLength: 20 }
  ),
  user_prompts: fc.array(fc.record({ created_at_epoch: epoch }), { maxLength: 20 })
})

const jobRunnerRows = fc.record({
  workspaces: fc.array(fc.record({ created_at: epoch }), { maxLength: 3 }),
  jobs: fc.array(
    fc.record({
      created_at: epoch,
      status: text(["succeeded", "ok", "failed", "error", "canceled"]),
      retry_of: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
      input_bytes: fc.option(fc.integer({ min: 0, max: 1 << 20 }), { nil: null }),
      workspace_id: text(["w1", "w2"])
    }),
    { maxLength: 40 }
  ),
  job_logs: fc.array(fc.record({ logged_at: epoch, level: text(["info", "error", "FATAL"]), workspace_id: text(["w1", "w3"]) }), {
    maxLength: 40
  })
})

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

const compare = (app: BackfillApp, tables: TableRows, nowMs: number) => {
  const db = toSqlite(tables)
  try {
    const present = Object.fromEntries(Object.entries(tables).filter(([, rows]) => rows.length > 0))
    const columns = columnsOfRows(present)
    const first = compileFirstActivity({ spec: app.spec, columns, floorMs: app.floorMs })
    const sqlFirst = first.query === null ? null : readFirstActivity(db.prepare(first.query.sql).all(...first.query.params) as Array<Record<string, unknown>>)
    const memFirst = first.query === null ? null : readFirstActivity(runQueryInMemory(first.query, present))
    expect(memFirst).toBe(sqlFirst)
    const window = dayWindow({ nowMs, firstActivityMs: sqlFirst })
    if (!isShippable(window)) return
    const plan = compileRollup({ spec: app.spec, columns, window, floorMs: app.floorMs })
    const fromSql = mergeRollups(plan, plan.queries.map((q) => ({ id: q.id, rows: db.prepare(q.sql).all(...q.params) as Array<Record<string, unknown>> })))
    const fromMemory = mergeRollups(plan, plan.queries.map((q) => ({ id: q.id, rows: runQueryInMemory(q, present) })))
    expect(fromMemory).toEqual(fromSql)
  } finally {
    db.close()
  }
}

const now = fc.integer({ min: Date.UTC(2024, 0, 10), max: Date.UTC(2026, 8, 1) })

describe("compiled SQL vs the in-memory runner", () => {
  it("agree on the claude-mem preset for any database", () => {
    fc.assert(fc.property(claudeMemRows, now, (tables, nowMs) => compare(claudeMem, tables, nowMs)), { numRuns: 150 })
  })

  it("agree on the job-runner example app for any database", () => {
    fc.assert(fc.property(jobRunnerRows, now, (tables, nowMs) => compare(jobRunner, tables, nowMs)), { numRuns: 150 })
  })
})

describe("columns of in-memory tables", () => {
  it("unions row keys and declared columns", () => {
    expect(columnsOfRows({ a: [{ x: 1 }, { y: 2 }] }, { b: ["z"] })).toEqual({ a: ["x", "y"], b: ["z"] })
  })
})
