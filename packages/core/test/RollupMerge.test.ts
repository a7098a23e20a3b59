import {
  claudeMem,
  compileRollup,
  mergeRollups,
  type QueryResult,
  type ShippableWindow,
  type TableColumns
} from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const window: ShippableWindow = { installDay: "2025-10-19", lastFullDay: "2025-10-25" }
const columns: TableColumns = {
  observations: ["project", "type", "agent_type", "created_at_epoch"],
  sdk_sessions: ["project", "status", "platform_source", "started_at_epoch"],
  session_summaries: ["discovery_tokens", "created_at_epoch"],
  user_prompts: ["created_at_epoch"]
}
const plan = compileRollup({ spec: claudeMem.spec, columns, window, floorMs: claudeMem.floorMs })

const inWindowDay = fc.constantFrom("2025-10-19", "2025-10-20", "2025-10-23", "2025-10-25")
const anyDay = fc.oneof(inWindowDay, fc.constantFrom("2025-10-18", "2025-10-26", "1970-01-01"))
const rawText = fc.oneof(fc.string(), fc.constantFrom(" Bugfix ", "DISCOVERY", "gemini-cli", "Codex", "completed", "failed"), fc.constant(null))
const count = fc.integer({ min: 1, max: 1000 })

/** Rows as SQLite would return them for the plan's queries (not necessarily grouped). */
const results = fc.record({
  observations: fc.array(fc.record({ day: anyDay, b0: rawText, n: count, v0: fc.integer({ min: 0, max: 1000 }) })),
  sessions: fc.array(fc.record({ day: anyDay, b0: rawText, b1: rawText, n: count })),
  summaries: fc.array(fc.record({ day: anyDay, n: count, v0: fc.integer({ min: 0, max: 1e6 }) })),
  prompts: fc.array(fc.record({ day: anyDay, n: count })),
  projects: fc.array(fc.record({ day: anyDay, n: fc.integer({ min: 0, max: 20 }) }))
})

const toResults = (r: typeof results extends fc.Arbitrary<infer T> ? T : never): Array<QueryResult> => [
  { id: "table:observations", rows: r.observations },
  { id: "table:sdk_sessions", rows: r.sessions },
  { id: "table:session_summaries", rows: r.summaries },
  { id: "table:user_prompts", rows: r.prompts },
  { id: "distinct:project_count", rows: r.projects }
]

describe("rollup merging", () => {
  it("does not depend on row order", () => {
    fc.assert(
      fc.property(results, fc.integer(), (r, seed) => {
        const shuffled = toResults(r).map((result, i) => ({
          ...result,
          rows: fc.sample(fc.shuffledSubarray([...result.rows], { minLength: result.rows.length }), { seed: seed + i, numRuns: 1 })[0]!
        }))
        expect(mergeRollups(plan, shuffled.reverse())).toEqual(mergeRollups(plan, toResults(r)))
      })
    )
  })

  it("outputs only in-window days, one record each, sorted, with numbers only", () => {
    fc.assert(
      fc.property(results, (r) => {
        const merged = mergeRollups(plan, toResults(r))
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
        const merged = new Map(mergeRollups(plan, toResults(r)).map((d) => [d.day, d.counters]))
        const inWindow = (rows: ReadonlyArray<{ day: string }>) => new Set(rows.map((row) => row.day).filter((d) => d >= window.installDay && d <= window.lastFullDay))
        const observationDays = inWindow(r.observations)
        for (const [day, counters] of merged) {
          const has = observationDays.has(day)
          for (const key of ["observation_count", "obs_type_bugfix", "obs_type_other", "subagent_obs_count"]) {
            expect(key in counters).toBe(has)
          }
          expect("prompt_count" in counters).toBe(inWindow(r.prompts).has(day))
          expect("project_count" in counters).toBe(inWindow(r.projects).has(day))
        }
      })
    )
  })

  it("counts every observation in exactly one type bucket", () => {
    fc.assert(
      fc.property(results, (r) => {
        for (const { counters } of mergeRollups(plan, toResults(r))) {
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
    const merged = mergeRollups(plan, [
      { id: "table:observations", rows: [{ day: "2025-10-20", b0: " Bugfix ", n: 2, v0: 1 }, { day: "2025-10-20", b0: "SECRET-7 /home/me", n: 3, v0: 0 }] },
      { id: "table:sdk_sessions", rows: [{ day: "2025-10-20", b0: "completed", b1: "gemini-cli", n: 1 }, { day: "2025-10-20", b0: "active", b1: " Codex", n: 4 }] },
      { id: "table:session_summaries", rows: [] },
      { id: "table:user_prompts", rows: [] },
      { id: "distinct:project_count", rows: [{ day: "2025-10-20", n: 2 }] }
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
    expect(() => mergeRollups(plan, [])).toThrow(/no result for query "table:observations"/)
  })

  it("reads bigint and NULL values from drivers", () => {
    const merged = mergeRollups(plan, [
      { id: "table:observations", rows: [] },
      { id: "table:sdk_sessions", rows: [] },
      { id: "table:session_summaries", rows: [{ day: "2025-10-19", n: 2n, v0: null }] },
      { id: "table:user_prompts", rows: [] },
      { id: "distinct:project_count", rows: [] }
    ])
    expect(merged).toEqual([{ day: "2025-10-19", counters: { summary_count: 2, discovery_tokens: 0 } }])
  })
})
