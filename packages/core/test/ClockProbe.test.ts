/**
 * The clock probe on a real SQLite file's rows: counted by hand, in both
 * epoch units, with the tolerance, the week and the floor at their edges;
 * answered from an index on the time column, never a scan; and the
 * red-team clock of the protocol issue (`--now 2026-09-01` on data running
 * to late October) judged behind.
 */
import { ClockProbe, ClockSanity, Presets, type Query } from "@posthog-backfill/core"
import Database from "better-sqlite3"
import { describe, expect, it } from "vitest"

const app = Presets.claudeMem
const NOW = Date.parse("2026-06-12T08:00:00Z")
const HOUR = 3_600_000
const DAY = 24 * HOUR

const withDb = <A>(rows: { sessions: ReadonlyArray<number | null>; observations: ReadonlyArray<number | null> }, f: (db: Database.Database) => A): A => {
  const db = new Database(":memory:")
  try {
    db.exec("CREATE TABLE sdk_sessions (id INTEGER PRIMARY KEY, started_at_epoch INTEGER)")
    db.exec("CREATE TABLE observations (id INTEGER PRIMARY KEY, created_at_epoch INTEGER)")
    db.exec("CREATE INDEX s_time ON sdk_sessions (started_at_epoch)")
    db.exec("CREATE INDEX o_time ON observations (created_at_epoch)")
    for (const value of rows.sessions) db.prepare("INSERT INTO sdk_sessions (started_at_epoch) VALUES (?)").run(value)
    for (const value of rows.observations) db.prepare("INSERT INTO observations (created_at_epoch) VALUES (?)").run(value)
    return f(db)
  } finally {
    db.close()
  }
}

const columns: Query.TableColumns = { sdk_sessions: ["id", "started_at_epoch"], observations: ["id", "created_at_epoch"] }
const probeAt = (nowMs: number) => ClockProbe.compileClockProbe({ spec: app.spec, columns, floorMs: app.floorMs, nowMs })!
const factsOf = (db: Database.Database, nowMs: number) => {
  const probe = probeAt(nowMs)
  return ClockProbe.readClockProbe(db.prepare(probe.sql).all(...probe.params) as Array<Record<string, unknown>>)
}
const seconds = (ms: number) => Math.floor(ms / 1000)

describe("the clock probe", () => {
  it("counts rows after now + 1 h as future and the week before as recent, in milliseconds and seconds alike", () => {
    const rows = {
      sessions: [
        NOW + HOUR, // future: exactly at the tolerance
        NOW + HOUR - 1, // recent: just inside it
        seconds(NOW + 30 * DAY), // future, in seconds
        NOW - 7 * DAY, // recent: the week's first instant
        NOW - 7 * DAY - 1, // neither: older
        null
      ],
      observations: [
        seconds(NOW - 2 * DAY), // recent, in seconds
        NOW + 400 * DAY, // future: a corrupt row far ahead
        5, // neither: a corrupt small value
        Date.parse("2023-12-31T23:59:59Z") // neither: below the floor
      ]
    }
    withDb(rows, (db) => expect(factsOf(db, NOW)).toEqual({ futureRows: 3, recentRows: 3 }))
  })

  it("answers from the time columns' indexes, without a table scan", () => {
    withDb({ sessions: [NOW], observations: [NOW] }, (db) => {
      const probe = probeAt(NOW)
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${probe.sql}`).all(...probe.params) as Array<{ detail: string }>).map((row) => row.detail)
      expect(plan.filter((detail) => /^SCAN (?!CONSTANT ROW)/.test(detail) && !/COVERING INDEX/.test(detail))).toEqual([])
      expect(plan.some((detail) => detail.includes("s_time"))).toBe(true)
      expect(plan.some((detail) => detail.includes("o_time"))).toBe(true)
    })
  })

  it("is absent when no first-activity table exists", () => {
    expect(ClockProbe.compileClockProbe({ spec: app.spec, columns: { other: ["x"] }, floorMs: app.floorMs, nowMs: NOW })).toBeNull()
  })

  it("judges --now 2026-09-01 on data used daily to late October behind; the right clock sane; one stray row sane", () => {
    // A session every day from 2026-06-01 to 2026-10-28.
    const daily = Array.from({ length: 150 }, (_, i) => Date.parse("2026-06-01T10:00:00Z") + i * DAY)
    withDb({ sessions: daily, observations: [] }, (db) => {
      const wrong = Date.parse("2026-09-01T00:00:00Z")
      const facts = factsOf(db, wrong)
      expect(facts).toEqual({ futureRows: 58, recentRows: 7 })
      expect(ClockSanity.judgeClock({ nowMs: wrong, floorMs: app.floorMs, firstActivityMs: daily[0]!, probe: facts })).toEqual({
        _tag: "Behind",
        reason: "the clock says 2026-09-01T00:00:00.000Z, but 58 activity rows (89% of the recent ones) are dated after it: the clock is behind"
      })
      const right = Date.parse("2026-11-01T00:00:00Z")
      expect(ClockSanity.judgeClock({ nowMs: right, floorMs: app.floorMs, firstActivityMs: daily[0]!, probe: factsOf(db, right) })).toEqual({
        _tag: "Sane",
        strayFutureRows: 0
      })
    })
    withDb({ sessions: [...daily, Date.parse("2031-01-01T00:00:00Z")], observations: [] }, (db) => {
      const right = Date.parse("2026-11-01T00:00:00Z")
      expect(ClockSanity.judgeClock({ nowMs: right, floorMs: app.floorMs, firstActivityMs: daily[0]!, probe: factsOf(db, right) })).toEqual({
        _tag: "Sane",
        strayFutureRows: 1
      })
    })
  })
})

describe("clock sanity's thresholds", () => {
  const judge = (futureRows: number, recentRows: number) =>
    ClockSanity.judgeClock({ nowMs: NOW, floorMs: app.floorMs, firstActivityMs: NOW - 100 * DAY, probe: { futureRows, recentRows } })._tag

  it("needs both five rows and a tenth of the recent ones to call the clock behind", () => {
    expect(judge(4, 0)).toBe("Sane") // a handful of corrupt rows, however alone
    expect(judge(5, 45)).toBe("Behind") // 10%
    expect(judge(5, 46)).toBe("Sane") // just under 10%
    expect(judge(1, 0)).toBe("Sane")
    expect(judge(500, 0)).toBe("Behind")
  })
})
