import {
  claudeMem,
  compileFirstActivity,
  compileRollup,
  type ShippableWindow,
  type TableColumns
} from "@posthog-backfill/core"
import { describe, expect, it } from "vitest"

const window: ShippableWindow = { installDay: "2025-10-19", lastFullDay: "2026-06-09" }
const floorMs = claudeMem.floorMs

const fullSchema: TableColumns = {
  observations: ["id", "memory_session_id", "project", "text", "type", "title", "agent_type", "discovery_tokens", "created_at_epoch"],
  sdk_sessions: ["id", "memory_session_id", "project", "status", "platform_source", "started_at_epoch", "user_prompt"],
  session_summaries: ["id", "project", "request", "discovery_tokens", "created_at_epoch"],
  user_prompts: ["id", "prompt_text", "created_at_epoch"]
}

const oldSchema: TableColumns = {
  observations: ["id", "memory_session_id", "project", "text", "type", "title", "created_at_epoch"],
  sdk_sessions: ["id", "memory_session_id", "project", "status", "started_at_epoch"],
  session_summaries: ["id", "project", "request", "created_at_epoch"]
}

describe("the rollup compiler", () => {
  it("compiles one aggregate query per table that reads the table once, plus one union query per distinct count", () => {
    const plan = compileRollup({ spec: claudeMem.spec, columns: fullSchema, window, floorMs })
    expect(plan.queries.map((q) => q.id)).toEqual([
      "table:observations",
      "table:sdk_sessions",
      "table:session_summaries",
      "table:user_prompts",
      "distinct:project_count"
    ])
    for (const query of plan.queries.filter((q) => q._tag === "TableQuery")) {
      expect(query.sql.match(/\bFROM\b/g)).toHaveLength(1)
      expect(query.sql).toMatch(/GROUP BY day/)
    }
    expect(plan.dropped).toEqual([])
  })

  it("groups by day and the bucket columns, and normalizes epochs inside the aggregate", () => {
    const plan = compileRollup({ spec: claudeMem.spec, columns: fullSchema, window, floorMs })
    const sessions = plan.queries.find((q) => q.id === "table:sdk_sessions")!
    expect(sessions.sql).toContain('"status" AS b0')
    expect(sessions.sql).toContain('"platform_source" AS b1')
    expect(sessions.sql).toContain("GROUP BY day, b0, b1")
    expect(sessions.sql).toContain(
      `date((CASE WHEN "started_at_epoch" < 1000000000000 THEN "started_at_epoch" * 1000 ELSE "started_at_epoch" END) / 1000, 'unixepoch')`
    )
  })

  it("binds the floor and the window as parameters and compares whole days as strings", () => {
    const plan = compileRollup({ spec: claudeMem.spec, columns: fullSchema, window, floorMs })
    for (const query of plan.queries) {
      expect(query.sql).not.toContain(window.installDay)
      expect(query.sql).not.toContain(String(floorMs))
      expect(query.sql).toContain("BETWEEN ? AND ?")
      expect(query.params.length).toBe((query.sql.match(/\?/g) ?? []).length)
    }
    const observations = plan.queries.find((q) => q.id === "table:observations")!
    expect(observations.params).toEqual([floorMs, window.installDay, window.lastFullDay])
  })

  it("never selects a free-text column except to group it for bucketing or count it distinct", () => {
    const plan = compileRollup({ spec: claudeMem.spec, columns: fullSchema, window, floorMs })
    const all = plan.queries.map((q) => q.sql).join("\n")
    for (const column of ["text", "title", "user_prompt", "request", "prompt_text", "memory_session_id"]) {
      expect(all).not.toContain(`"${column}"`)
    }
    const distinct = plan.queries.find((q) => q.id === "distinct:project_count")!
    expect(distinct.sql).toMatch(/^SELECT day, COUNT\(DISTINCT v\) AS n FROM \(.* UNION ALL .*\) GROUP BY day$/)
  })

  it("drops only the keys whose column or table is missing, and says why", () => {
    const plan = compileRollup({ spec: claudeMem.spec, columns: oldSchema, window, floorMs })
    expect(plan.queries.map((q) => q.id)).toEqual([
      "table:observations",
      "table:sdk_sessions",
      "table:session_summaries",
      "distinct:project_count"
    ])
    expect(plan.dropped).toEqual([
      { key: "subagent_obs_count", reason: "column observations.agent_type is missing" },
      { key: "sessions_claude_count", reason: "column sdk_sessions.platform_source is missing" },
      { key: "sessions_codex_count", reason: "column sdk_sessions.platform_source is missing" },
      { key: "sessions_gemini_count", reason: "column sdk_sessions.platform_source is missing" },
      { key: "sessions_other_platform_count", reason: "column sdk_sessions.platform_source is missing" },
      { key: "discovery_tokens", reason: "column session_summaries.discovery_tokens is missing" },
      { key: "prompt_count", reason: "table user_prompts is missing" }
    ])
    expect(plan.keys).not.toContain("prompt_count")
    expect(plan.keys).toContain("session_completed_count")
  })

  it("counts a distinct key over the sources that exist, and drops it when none does", () => {
    const onlyObservations = compileRollup({
      spec: claudeMem.spec,
      columns: { observations: fullSchema.observations! },
      window,
      floorMs
    })
    const distinct = onlyObservations.queries.find((q) => q.id === "distinct:project_count")!
    expect(distinct.sql).not.toContain("UNION ALL")
    expect(onlyObservations.dropped).toContainEqual({
      key: "project_count",
      reason: "table sdk_sessions is missing (counted over the other tables)"
    })
    const none = compileRollup({ spec: claudeMem.spec, columns: { user_prompts: ["created_at_epoch"] }, window, floorMs })
    expect(none.queries.map((q) => q.id)).toEqual(["table:user_prompts"])
    expect(none.dropped.find((d) => d.key === "project_count")?.reason).toBe("table observations is missing; table sdk_sessions is missing")
  })

  it("matches table and column names case-insensitively, as SQLite does", () => {
    const plan = compileRollup({ spec: claudeMem.spec, columns: { OBSERVATIONS: ["Created_At_Epoch", "TYPE", "Agent_Type", "project"] }, window, floorMs })
    expect(plan.queries.map((q) => q.id)).toContain("table:observations")
    expect(plan.keys).toContain("subagent_obs_count")
  })
})

describe("the first-activity query", () => {
  it("reads sessions first and falls back to observations only through COALESCE, normalizing inside MIN", () => {
    const { query, skipped } = compileFirstActivity({ spec: claudeMem.spec, columns: fullSchema, floorMs })
    expect(skipped).toEqual([])
    expect(query!.sql).toMatch(/^SELECT COALESCE\(\(SELECT MIN\(\(CASE WHEN "started_at_epoch".*FROM "sdk_sessions".*\), \(SELECT MIN\(\(CASE WHEN "created_at_epoch".*FROM "observations".*\)\) AS first_activity_ms$/)
    expect(query!.sql).not.toMatch(/CASE WHEN MIN/)
    expect(query!.params).toEqual([floorMs, floorMs])
  })

  it("skips a missing source and has no query when none exists", () => {
    const fallback = compileFirstActivity({ spec: claudeMem.spec, columns: { observations: ["created_at_epoch"] }, floorMs })
    expect(fallback.query!.sql).not.toContain("COALESCE")
    expect(fallback.skipped).toEqual(["table sdk_sessions is missing"])
    expect(compileFirstActivity({ spec: claudeMem.spec, columns: {}, floorMs }).query).toBeNull()
  })
})
