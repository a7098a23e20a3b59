/**
 * The compiled window and day are the documented rule, exactly.
 *
 * The compiler expresses "normalized epoch >= floor and installDay <= utcDay <=
 * lastFullDay" as two ranges on the raw stored value (milliseconds, seconds) and
 * the day as an integer offset, so SQLite can serve the predicate from an index
 * and never formats a date per row. This runs both forms on real SQLite over
 * values crafted around every edge (midnights +/- 1 ms and 1 s, the floor, the
 * seconds/milliseconds threshold, fractional seconds, NULL, text, blobs, huge
 * and negative values) and requires the same rows on the same days: against the
 * old `date(norm / 1000, 'unixepoch') BETWEEN ? AND ?` SQL for numbers, and
 * against the in-memory runner (the JS rule) for every value.
 */
import { DayWindow, FirstActivity, RollupCompiler, RollupMerge, type RollupSpec } from "@posthog-backfill/core"
import { runQueryInMemory } from "@posthog-backfill/testkit/InMemoryQuery"
import Database from "better-sqlite3"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const spec: RollupSpec.RollupSpec = {
  tables: [{ table: "events", timeColumn: "at", metrics: [{ _tag: "Count", key: "event_count" }] }],
  distinctCounts: [{ key: "kind_count", sources: [{ table: "events", timeColumn: "at", column: "kind" }] }],
  firstActivity: [{ table: "events", timeColumn: "at" }]
}

const THRESHOLD = 1e12

/** A scenario: a floor and a window; epochs are generated around its edges. */
const scenario = fc
  .record({
    floorMs: fc.constantFrom(
      Date.UTC(2024, 0, 1), // the default floor, a midnight
      Date.UTC(2024, 0, 1, 13, 30, 0, 500), // a floor in the middle of a day
      Date.UTC(2001, 8, 8, 6) // a floor before the 1e12 threshold (2001-09-09T01:46:40Z)
    ),
    startOffset: fc.integer({ min: 0, max: 3 }),
    length: fc.integer({ min: 1, max: 5 })
  })
  .map(({ floorMs, length, startOffset }) => {
    const first = DayWindow.dayStartMs(DayWindow.utcDay(floorMs)) + startOffset * DayWindow.DAY_MS
    const window: DayWindow.ShippableWindow = { installDay: DayWindow.utcDay(first), lastFullDay: DayWindow.utcDay(first + (length - 1) * DayWindow.DAY_MS) }
    return { floorMs, window }
  })

const epochsAround = (floorMs: number, window: DayWindow.ShippableWindow) => {
  const lo = DayWindow.dayStartMs(window.installDay)
  const hi = DayWindow.dayStartMs(window.lastFullDay) + DayWindow.DAY_MS
  const edges = [floorMs, lo, hi, lo - DayWindow.DAY_MS, hi + DayWindow.DAY_MS, (lo + hi) / 2, THRESHOLD]
  const ms = fc.tuple(fc.constantFrom(...edges), fc.constantFrom(-1001, -1000, -999, -1, 0, 1, 999, 1000, 1001, 43_200_000))
    .map(([edge, delta]) => edge + delta)
  return fc.oneof(
    { weight: 4, arbitrary: ms },
    { weight: 3, arbitrary: ms.map((v) => Math.floor(v / 1000)) }, // whole seconds
    { weight: 2, arbitrary: ms.map((v) => v / 1000) }, // fractional seconds
    { weight: 1, arbitrary: fc.integer({ min: lo - 2 * DayWindow.DAY_MS, max: hi + 2 * DayWindow.DAY_MS }) },
    { weight: 1, arbitrary: fc.constantFrom(null, -5, 0, THRESHOLD - 1, 999_999_999_999.5, 1e17, 9e15) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>("abc", String(lo + 5), Buffer.from("1700000000000")) }
  )
}

const kind = fc.oneof(
  fc.constantFrom<unknown>("alpha", "Alpha", "beta", 1, 2, 1.5, null, Buffer.from("ab"), "X'6162'"),
  fc.string({ maxLength: 3 })
)

const rowsFor = ({ floorMs, window }: { floorMs: number; window: DayWindow.ShippableWindow }) =>
  fc.array(fc.record({ at: epochsAround(floorMs, window), kind }), { maxLength: 40 })

const load = (rows: ReadonlyArray<{ at: unknown; kind: unknown }>) => {
  const db = new Database(":memory:")
  db.exec("CREATE TABLE events (at, kind)") // no declared types: values keep their storage class
  const insert = db.prepare("INSERT INTO events VALUES (?, ?)")
  for (const row of rows) insert.run(row.at, row.kind)
  return db
}

const NORM = `(CASE WHEN at < 1000000000000 THEN at * 1000 ELSE at END)`

describe("the compiled window", () => {
  it("selects the same rows on the same days as the normalized-day-string rule, for every stored value", () => {
    fc.assert(
      fc.property(scenario.chain((s) => fc.tuple(fc.constant(s), rowsFor(s))), ([{ floorMs, window }, rows]) => {
        const db = load(rows)
        try {
          const plan = RollupCompiler.compileRollup({ spec, columns: { events: ["at", "kind"] }, window, floorMs })
          const query = plan.queries[0]!
          const sqlRows = db.prepare(query.sql).all(...query.params) as Array<Record<string, unknown>>
          // The SQL alone keeps the window (the merge's own check is a second line, not the first).
          const days = DayWindow.windowLength(window)
          for (const row of sqlRows) expect(Number.isInteger(row["d"]) && (row["d"] as number) >= 0 && (row["d"] as number) < days).toBe(true)
          const fromSql = RollupMerge.mergeRollups(plan, [{ id: query.id, rows: sqlRows }])
          const fromMemory = RollupMerge.mergeRollups(plan, [{ id: query.id, rows: runQueryInMemory(query, { events: rows }) }])
          expect(fromSql).toEqual(fromMemory)

          // The old SQL rule, for numeric values (it also let numeric text through, which the JS rule never did).
          const numeric = db
            .prepare(
              `SELECT date(${NORM} / 1000, 'unixepoch') AS day, COUNT(*) AS n FROM events ` +
                `WHERE typeof(at) IN ('integer', 'real') AND ${NORM} >= ? AND date(${NORM} / 1000, 'unixepoch') BETWEEN ? AND ? GROUP BY day`
            )
            .all(floorMs, window.installDay, window.lastFullDay) as Array<{ day: string; n: number }>
          expect(fromSql.map((d) => [d.day, d.counters["event_count"]])).toEqual(numeric.map((r) => [r.day, r.n]))
        } finally {
          db.close()
        }
      }),
      { numRuns: 300 }
    )
  })

  it("counts distinct values the way SQLite's DISTINCT does, whatever their storage class", () => {
    const check = ([{ floorMs, window }, rows]: readonly [{ floorMs: number; window: DayWindow.ShippableWindow }, ReadonlyArray<{ at: unknown; kind: unknown }>]) => {
        const db = load(rows)
        try {
          const plan = RollupCompiler.compileRollup({ spec, columns: { events: ["at", "kind"] }, window, floorMs })
          const query = plan.queries[0]!
          const fromSql = RollupMerge.mergeRollups(plan, [{ id: query.id, rows: db.prepare(query.sql).all(...query.params) as Array<Record<string, unknown>> }])
          const lo = Math.max(floorMs, DayWindow.dayStartMs(window.installDay))
          const hi = DayWindow.dayStartMs(window.lastFullDay) + DayWindow.DAY_MS
          const expected = db
            .prepare(
              `SELECT date(${NORM} / 1000, 'unixepoch') AS day, COUNT(DISTINCT kind) AS n FROM events ` +
                `WHERE typeof(at) IN ('integer', 'real') AND ${NORM} >= ? AND ${NORM} < ? GROUP BY day`
            )
            .all(lo, hi) as Array<{ day: string; n: number }>
          expect(fromSql.map((d) => [d.day, d.counters["kind_count"]])).toEqual(expected.map((r) => [r.day, r.n]))
        } finally {
          db.close()
        }
    }
    // Found by fast-check in CI: the text X'6162' and the blob X'6162' are two values, not one.
    check([
      { floorMs: 999_928_800_000, window: { installDay: "2001-09-10", lastFullDay: "2001-09-13" } },
      [{ at: 1_000_166_400_000, kind: "X'6162'" }, { at: 1_000_252_798, kind: Buffer.from([97, 98]) }]
    ])
    fc.assert(fc.property(scenario.chain((s) => fc.tuple(fc.constant(s), rowsFor(s))), check), { numRuns: 300 })
  })

  it("finds the first activity like MIN over the normalized epoch, ignoring what is not a number", () => {
    fc.assert(
      fc.property(scenario.chain((s) => fc.tuple(fc.constant(s), rowsFor(s))), ([{ floorMs }, rows]) => {
        const db = load(rows)
        try {
          const { query } = FirstActivity.compileFirstActivity({ spec, columns: { events: ["at", "kind"] }, floorMs })
          const ours = FirstActivity.readFirstActivity(db.prepare(query!.sql).all(...query!.params) as Array<Record<string, unknown>>)
          const reference = db
            .prepare(`SELECT MIN(${NORM}) AS v FROM events WHERE typeof(at) IN ('integer', 'real') AND ${NORM} >= ?`)
            .get(floorMs) as { v: number | null }
          expect(ours).toBe(reference.v === null || !Number.isFinite(reference.v) ? null : reference.v)
          expect(ours).toBe(FirstActivity.readFirstActivity(runQueryInMemory(query!, { events: rows })))
        } finally {
          db.close()
        }
      }),
      { numRuns: 300 }
    )
  })
})
