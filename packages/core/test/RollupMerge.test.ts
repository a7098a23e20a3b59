import { type DayWindow, Presets, type Query, RollupCompiler, RollupMerge } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const window: DayWindow.ShippableWindow = { installDay: "2025-10-19", lastFullDay: "2025-10-25" }
const columns: Query.TableColumns = {
  observations: ["project", "type", "agent_type", "created_at_epoch"],
  sdk_sessions: ["project", "status", "platform_source", "started_at_epoch"],
  session_summaries: ["discovery_tokens", "created_at_epoch"],
  user_prompts: ["created_at_epoch"]
}
const plan = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns, window, floorMs: Presets.claudeMem.floorMs })

/** Rows carry their day as an offset from the window's first day (2025-10-19 is 0). */
const DAYS = ["2025-10-19", "2025-10-20", "2025-10-21", "2025-10-22", "2025-10-23", "2025-10-24", "2025-10-25"]
const dayOf = (d: number) => DAYS[d]
const inWindowDay = fc.constantFrom(0, 1, 4, 6)
const anyDay = fc.oneof(inWindowDay, fc.constantFrom(-1, 7, -20_380))
const rawText = fc.oneof(fc.string(), fc.constantFrom(" Bugfix ", "DISCOVERY", "gemini-cli", "Codex", "completed", "failed"), fc.constant(null))
const count = fc.integer({ min: 1, max: 1000 })
/** Distinct values as SQLite's json_group_array writes them: text and integers, and reals/blobs as literals. */
const plainValues = fc.uniqueArray(fc.oneof(fc.constantFrom("alpha", "beta", "Alpha"), fc.integer({ min: 0, max: 3 })), { maxLength: 4 })
const typedValues = fc.uniqueArray(fc.constantFrom("1.5", "2.0", "X'6162'"), { maxLength: 2 })
const distinct = { x0: plainValues.map((v) => JSON.stringify(v)), y0: typedValues.map((v) => JSON.stringify(v)) }

/** Rows as SQLite would return them for the plan's queries (not necessarily grouped). */
const results = fc.record({
  observations: fc.array(fc.record({ d: anyDay, b0: rawText, n: count, v0: fc.integer({ min: 0, max: 1000 }), ...distinct })),
  sessions: fc.array(fc.record({ d: anyDay, b0: rawText, b1: rawText, n: count, ...distinct })),
  summaries: fc.array(fc.record({ d: anyDay, n: count, v0: fc.integer({ min: 0, max: 1e6 }) })),
  prompts: fc.array(fc.record({ d: anyDay, n: count }))
})

const toResults = (r: typeof results extends fc.Arbitrary<infer T> ? T : never): Array<Query.QueryResult> => [
  { id: "table:observations", rows: r.observations },
  { id: "table:sdk_sessions", rows: r.sessions },
  { id: "table:session_summaries", rows: r.summaries },
  { id: "table:user_prompts", rows: r.prompts }
]

describe("rollup merging", () => {
  it("does not depend on row order", () => {
    fc.assert(
      fc.property(results, fc.integer(), (r, seed) => {
        const shuffled = toResults(r).map((result, i) => ({
          ...result,
          rows: fc.sample(fc.shuffledSubarray([...result.rows], { minLength: result.rows.length }), { seed: seed + i, numRuns: 1 })[0]!
        }))
        expect(RollupMerge.mergeRollups(plan, shuffled.reverse())).toEqual(RollupMerge.mergeRollups(plan, toResults(r)))
      })
    )
  })

  it("outputs only in-window days, one record each, sorted, with numbers only", () => {
    fc.assert(
      fc.property(results, (r) => {
        const merged = RollupMerge.mergeRollups(plan, toResults(r))
        const days = merged.map((d) => d.day)
        expect(days).toEqual([...new Set(days)].sort())
        for (const { day, counters } of merged) {
          expect(window.installDay <= day && day <= window.lastFullDay).toBe(true)
          for (const value of Object.values(counters)) expect(typeof value).toBe("number")
        }
      })
    )
  })

  it("presents a table's keys exactly on the days that table has rows, zero-filled", () => {
    fc.assert(
      fc.property(results, (r) => {
        const merged = new Map(RollupMerge.mergeRollups(plan, toResults(r)).map((d) => [d.day, d.counters]))
        const inWindow = (rows: ReadonlyArray<{ d: number }>) => new Set(rows.map((row) => dayOf(row.d)).filter((d) => d !== undefined))
        const observationDays = inWindow(r.observations)
        for (const [day, counters] of merged) {
          const has = observationDays.has(day)
          for (const key of ["observation_count", "obs_type_bugfix", "obs_type_other", "subagent_obs_count"]) {
            expect(key in counters).toBe(has)
          }
          expect("prompt_count" in counters).toBe(inWindow(r.prompts).has(day))
          expect("project_count" in counters).toBe(inWindow(r.observations).has(day) || inWindow(r.sessions).has(day))
        }
      })
    )
  })

  it("counts a distinct key once over the union of its tables' values, never summed per table", () => {
    fc.assert(
      fc.property(results, (r) => {
        const merged = new Map(RollupMerge.mergeRollups(plan, toResults(r)).map((d) => [d.day, d.counters]))
        // The oracle: SQLite's DISTINCT identity (1.5 is a real, "2.0" equals the integer 2, a blob is never text).
        const identity = (value: unknown) => (typeof value === "number" ? `n:${value}` : `s:${String(value)}`)
        const literal = (value: string) => (value.startsWith("X'") ? `b:${value}` : `n:${Number(value)}`)
        const expected = new Map<string, Set<string>>()
        for (const row of [...r.observations, ...r.sessions]) {
          const day = dayOf(row.d)
          if (day === undefined) continue
          const set = expected.get(day) ?? new Set()
          for (const value of JSON.parse(row.x0) as Array<unknown>) set.add(identity(value))
          for (const value of JSON.parse(row.y0) as Array<string>) set.add(literal(value))
          expected.set(day, set)
        }
        for (const [day, counters] of merged) expect(counters["project_count"]).toBe(expected.get(day)?.size)
      })
    )
  })

  it("counts every observation in exactly one type bucket", () => {
    fc.assert(
      fc.property(results, (r) => {
        for (const { counters } of RollupMerge.mergeRollups(plan, toResults(r))) {
          if (!("observation_count" in counters)) continue
          const buckets = ["bugfix", "discovery", "decision", "refactor", "other"].reduce((sum, t) => sum + counters[`obs_type_${t}`]!, 0)
          expect(buckets).toBe(counters["observation_count"])
          const platforms = ["claude", "codex", "gemini", "other_platform"]
          if ("session_count" in counters) {
            expect(platforms.reduce((sum, p) => sum + counters[`sessions_${p}_count`]!, 0)).toBe(counters["session_count"])
          }
        }
      })
    )
  })

  it("maps bucket text in code: no raw string reaches the output", () => {
    const merged = RollupMerge.mergeRollups(plan, [
      {
        id: "table:observations",
        rows: [
          { d: 1, b0: " Bugfix ", n: 2, v0: 1, x0: '["SECRET-1 project"]', y0: "[]" },
          { d: 1, b0: "SECRET-7 /home/me", n: 3, v0: 0, x0: '["SECRET-1 project","/home/me/app"]', y0: "[]" }
        ]
      },
      {
        id: "table:sdk_sessions",
        rows: [
          { d: 1, b0: "completed", b1: "gemini-cli", n: 1, x0: '["/home/me/app"]', y0: "[]" },
          { d: 1, b0: "active", b1: " Codex", n: 4, x0: "[]", y0: "[]" }
        ]
      },
      { id: "table:session_summaries", rows: [] },
      { id: "table:user_prompts", rows: [] }
    ])
    expect(merged).toEqual([
      {
        day: "2025-10-20",
        counters: {
          observation_count: 5,
          obs_type_bugfix: 2,
          obs_type_discovery: 0,
          obs_type_decision: 0,
          obs_type_refactor: 0,
          obs_type_other: 3,
          subagent_obs_count: 1,
          session_count: 5,
          session_completed_count: 1,
          session_failed_count: 0,
          sessions_claude_count: 0,
          sessions_codex_count: 4,
          sessions_gemini_count: 1,
          sessions_other_platform_count: 0,
          project_count: 2
        }
      }
    ])
    expect(JSON.stringify(merged)).not.toMatch(/SECRET|home|Codex|gemini-cli/)
  })

  it("refuses to merge when a query's result is missing", () => {
    expect(() => RollupMerge.mergeRollups(plan, [])).toThrow(/no result for query "table:observations"/)
  })

  it("reads bigint and NULL values from drivers", () => {
    const merged = RollupMerge.mergeRollups(plan, [
      { id: "table:observations", rows: [] },
      { id: "table:sdk_sessions", rows: [] },
      { id: "table:session_summaries", rows: [{ d: 0n, n: 2n, v0: null }] },
      { id: "table:user_prompts", rows: [] }
    ])
    expect(merged).toEqual([{ day: "2025-10-19", counters: { summary_count: 2, discovery_tokens: 0 } }])
  })
})
