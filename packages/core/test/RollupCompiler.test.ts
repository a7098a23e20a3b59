import { type DayWindow, FirstActivity, Presets, type Query, RollupCompiler } from "@posthog-backfill/core"
import { describe, expect, it } from "vitest"

const window: DayWindow.ShippableWindow = { installDay: "2025-10-19", lastFullDay: "2026-06-09" }
const floorMs = Presets.claudeMem.floorMs

const fullSchema: Query.TableColumns = {
  observations: ["id", "memory_session_id", "project", "text", "type", "title", "agent_type", "discovery_tokens", "created_at_epoch"],
  sdk_sessions: ["id", "memory_session_id", "project", "status", "platform_source", "started_at_epoch", "user_prompt"],
  session_summaries: ["id", "project", "request", "discovery_tokens", "created_at_epoch"],
  user_prompts: ["id", "prompt_text", "created_at_epoch"]
}

const oldSchema: Query.TableColumns = {
  observations: ["id", "memory_session_id", "project", "text", "type", "title", "created_at_epoch"],
  sdk_sessions: ["id", "memory_session_id", "project", "status", "started_at_epoch"],
  session_summaries: ["id", "project", "request", "created_at_epoch"]
}

describe("the rollup compiler", () => {
  it("compiles one aggregate query per table that reads the table once; distinct counts ride along, no union query", () => {
    const plan = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns: fullSchema, window, floorMs })
    expect(plan.queries.map((q) => q.id)).toEqual([
      "table:observations",
      "table:sdk_sessions",
      "table:session_summaries",
      "table:user_prompts"
    ])
    for (const query of plan.queries) {
      expect(query.sql.match(/\bFROM\b/g)).toHaveLength(1)
      expect(query.sql).not.toMatch(/\bUNION\b|\bJOIN\b|\(SELECT/)
      expect(query.sql).toMatch(/GROUP BY d(,|$)/)
    }
    const distinctTables = plan.queries.filter((q) => q.distinctColumns.length > 0).map((q) => q.table)
    expect(distinctTables).toEqual(["observations", "sdk_sessions"])
    expect(plan.keys).toContain("project_count")
    expect(plan.dropped).toEqual([])
  })

  it("groups by day and the bucket columns, and normalizes epochs per row, inside the aggregate's grouping", () => {
    const plan = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns: fullSchema, window, floorMs })
    const sessions = plan.queries.find((q) => q.id === "table:sdk_sessions")!
    expect(sessions.sql).toContain('"status" AS b0')
    expect(sessions.sql).toContain('"platform_source" AS b1')
    expect(sessions.sql).toContain("GROUP BY d, b0, b1")
    expect(sessions.sql).toContain(
      `CAST(((CASE WHEN "started_at_epoch" < 1000000000000 THEN "started_at_epoch" * 1000 ELSE "started_at_epoch" END) - ?) / 86400000 AS INTEGER) AS d`
    )
  })

  it("binds the floor and the window as parameters: whole days as the instants between two midnights", () => {
    const plan = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns: fullSchema, window, floorMs })
    for (const query of plan.queries) {
      expect(query.sql).not.toContain(window.installDay)
      // No epoch is inlined: the only long number in the SQL is the seconds/milliseconds threshold.
      expect(query.sql.replaceAll("1000000000000", "")).not.toMatch(/\d{9,}/)
      expect(query.params.length).toBe((query.sql.match(/\?/g) ?? []).length)
    }
    const installMidnight = Date.parse(`${window.installDay}T00:00:00Z`)
    const afterLastDay = Date.parse(`${window.lastFullDay}T00:00:00Z`) + 86_400_000
    const observations = plan.queries.find((q) => q.id === "table:observations")!
    expect(observations.params).toEqual([
      installMidnight, // day offsets count from here
      Math.max(installMidnight, floorMs), // milliseconds: [lo, hi)
      afterLastDay,
      Math.floor(Math.max(installMidnight, floorMs) / 1000) - 1, // seconds: loose bounds an index can serve...
      afterLastDay / 1000 + 1,
      Math.max(installMidnight, floorMs), // ...and the exact test on the normalized value
      afterLastDay
    ])
  })

  it("never selects a free-text column except to group it for bucketing or count it distinct", () => {
    const plan = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns: fullSchema, window, floorMs })
    const all = plan.queries.map((q) => q.sql).join("\n")
    for (const column of ["text", "title", "user_prompt", "request", "prompt_text", "memory_session_id"]) {
      expect(all).not.toContain(`"${column}"`)
    }
    for (const query of plan.queries) {
      // "project" appears only inside the distinct aggregates, never as a selected value.
      const outside = query.sql
        .replace(`json_group_array(DISTINCT "project" COLLATE BINARY) FILTER (WHERE typeof("project") IN ('text', 'integer'))`, "")
        .replace(`json_group_array(quote("project")) FILTER (WHERE typeof("project") IN ('real', 'blob'))`, "")
      expect(outside).not.toContain('"project"')
    }
    const observations = plan.queries.find((q) => q.id === "table:observations")!
    expect(observations.distinctColumns).toEqual([{ key: "project_count", column: "project", alias: "x0", typedAlias: "y0" }])
  })

  it("reads the table in table order unless only the time column is needed (then a covering index may serve it)", () => {
    const plan = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns: fullSchema, window, floorMs })
    for (const query of plan.queries) {
      if (query.id === "table:user_prompts") expect(query.sql).not.toContain('+"created_at_epoch"')
      else expect(query.sql).toContain(`+"${query.timeColumn}" >= ?`)
    }
  })

  it("drops only the keys whose column or table is missing, and says why", () => {
    const plan = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns: oldSchema, window, floorMs })
    expect(plan.queries.map((q) => q.id)).toEqual([
      "table:observations",
      "table:sdk_sessions",
      "table:session_summaries"
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
    const onlyObservations = RollupCompiler.compileRollup({
      spec: Presets.claudeMem.spec,
      columns: { observations: fullSchema.observations! },
      window,
      floorMs
    })
    expect(onlyObservations.queries.map((q) => q.id)).toEqual(["table:observations"])
    expect(onlyObservations.queries[0]!.distinctColumns.map((d) => d.key)).toEqual(["project_count"])
    expect(onlyObservations.keys).toContain("project_count")
    expect(onlyObservations.dropped).toContainEqual({
      key: "project_count",
      reason: "table sdk_sessions is missing (counted over the other tables)"
    })
    const none = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns: { user_prompts: ["created_at_epoch"] }, window, floorMs })
    expect(none.queries.map((q) => q.id)).toEqual(["table:user_prompts"])
    expect(none.dropped.find((d) => d.key === "project_count")?.reason).toBe("table observations is missing; table sdk_sessions is missing")
  })

  it("matches table and column names case-insensitively, as SQLite does", () => {
    const plan = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns: { OBSERVATIONS: ["Created_At_Epoch", "TYPE", "Agent_Type", "project"] }, window, floorMs })
    expect(plan.queries.map((q) => q.id)).toContain("table:observations")
    expect(plan.keys).toContain("subagent_obs_count")
  })
})

describe("the first-activity query", () => {
  it("reads sessions first and falls back to observations only through COALESCE, normalizing inside MIN", () => {
    const { query, skipped } = FirstActivity.compileFirstActivity({ spec: Presets.claudeMem.spec, columns: fullSchema, floorMs })
    expect(skipped).toEqual([])
    expect(query!.sql).toMatch(/^SELECT COALESCE\(\(SELECT MIN\(v\) FROM \(.*FROM "sdk_sessions".*\)\), \(SELECT MIN\(v\) FROM \(.*FROM "observations".*\)\)\) AS first_activity_ms$/)
    // One minimum per unit, each restricted to its unit by ranges on the raw column: seconds are
    // normalized inside MIN (never MIN(...) * 1000), milliseconds need no normalization.
    expect(query!.sql).toContain('SELECT MIN("started_at_epoch" * 1000) AS v FROM "sdk_sessions" WHERE "started_at_epoch" >= ? AND "started_at_epoch" < 1000000000000 AND "started_at_epoch" * 1000 >= ?')
    expect(query!.sql).toContain('SELECT MIN("started_at_epoch") AS v FROM "sdk_sessions" WHERE "started_at_epoch" >= ? AND "started_at_epoch" <= ?')
    expect(query!.sql).not.toMatch(/MIN\([^)]*\)\s*\*/)
    const perSource = [Math.floor(floorMs / 1000) - 1, floorMs, Math.max(floorMs, 1e12), Number.MAX_VALUE]
    expect(query!.params).toEqual([...perSource, ...perSource])
  })

  it("skips a missing source and has no query when none exists", () => {
    const fallback = FirstActivity.compileFirstActivity({ spec: Presets.claudeMem.spec, columns: { observations: ["created_at_epoch"] }, floorMs })
    expect(fallback.query!.sql).not.toContain("COALESCE")
    expect(fallback.skipped).toEqual(["table sdk_sessions is missing"])
    expect(FirstActivity.compileFirstActivity({ spec: Presets.claudeMem.spec, columns: {}, floorMs }).query).toBeNull()
  })
})
