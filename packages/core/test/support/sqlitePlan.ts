/**
 * Test support: runs the core's compiled queries against a real SQLite
 * database through better-sqlite3, the way the shell's ActivitySource does, and
 * builds the events. Only tests use this; the library's shell lives in
 * packages/effect.
 */
import type Database from "better-sqlite3"
import { type BackfillApp, type CaptureEvent, DayWindow, FirstActivity, HistoricalEvents, type Query, RollupCompiler, RollupMerge } from "@posthog-backfill/core"

export const readColumns = (db: Database.Database): Query.TableColumns => {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as Array<{ name: string }>
  const columns: Record<string, Array<string>> = {}
  for (const { name } of tables) {
    columns[name] = (db.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>).map((c) => c.name)
  }
  return columns
}

export interface SqlitePlan {
  readonly window: DayWindow.DayWindow
  readonly firstActivityMs: number | null
  readonly rollups: ReadonlyArray<RollupMerge.DailyRollup>
  readonly dropped: ReadonlyArray<RollupCompiler.DroppedKey>
  readonly events: ReadonlyArray<CaptureEvent.CaptureEvent>
  readonly sql: ReadonlyArray<string>
}

export const planFromSqlite = (
  db: Database.Database,
  options: {
    readonly app: BackfillApp.BackfillApp
    readonly nowMs: number
    readonly installId?: string
    readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>>
  }
): SqlitePlan => {
  const { app } = options
  const columns = readColumns(db)
  const first = FirstActivity.compileFirstActivity({ spec: app.spec, columns, floorMs: app.floorMs })
  const firstActivityMs = first.query === null ? null : FirstActivity.readFirstActivity(db.prepare(first.query.sql).all(...first.query.params) as Array<Record<string, unknown>>)
  const window = DayWindow.dayWindow({ nowMs: options.nowMs, firstActivityMs })
  if (!DayWindow.isShippable(window)) return { window, firstActivityMs, rollups: [], dropped: [], events: [], sql: [] }
  const plan = RollupCompiler.compileRollup({ spec: app.spec, columns, window, floorMs: app.floorMs })
  const results = plan.queries.map((query) => ({
    id: query.id,
    rows: db.prepare(query.sql).all(...query.params) as Array<Record<string, unknown>>
  }))
  const rollups = RollupMerge.mergeRollups(plan, results)
  const events = HistoricalEvents.buildHistoricalEvents({
    app,
    installId: options.installId ?? "11111111-2222-4333-8444-555555555555",
    window,
    rollups,
    baseProperties: options.baseProperties
  })
  return { window, firstActivityMs, rollups, dropped: plan.dropped, events, sql: plan.queries.map((q) => q.sql) }
}
