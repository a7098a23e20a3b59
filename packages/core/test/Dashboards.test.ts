import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ApplyPlan, BundledDashboards, Dashboard, HogQL, type Insight, InsightHogQL, ManagedMarker, QueryNode } from "@posthog-backfill/core"

const activity = BundledDashboards.activityDashboard({ appName: "claude-mem", liveActivityEvents: ["session_started"] })
const compaction = BundledDashboards.compactionDashboard()

describe("HogQL generation", () => {
  it("writes the queries its insights describe (spelled out by hand, not taken from the generator)", () => {
    const query = (dashboard: Insight.DashboardDefinition, id: string) =>
      InsightHogQL.insightHogQL(dashboard.insights.find((insight) => insight.id === id)!.query)
    // Distinct installs per Monday-started UTC week, backfilled and live activity together, two years back.
    expect(query(activity, "weekly-active-installs")).toBe(
      [
        "SELECT",
        "    toStartOfWeek(toTimeZone(timestamp, 'UTC'), 1) AS week,",
        "    count(DISTINCT distinct_id) AS active_installs",
        "FROM events",
        "WHERE event IN ('historical_activity', 'session_started')",
        "    AND timestamp >= now() - INTERVAL 104 WEEK",
        "GROUP BY week",
        "ORDER BY week ASC",
        "LIMIT 10000"
      ].join("\n")
    )
    // Compactions per UTC day over the last 30 days, one count per day.
    expect(query(compaction, "volume")).toBe(
      [
        "SELECT",
        "    toDate(toTimeZone(timestamp, 'UTC')) AS day,",
        "    count() AS compactions",
        "FROM events",
        "WHERE event = 'compaction_completed'",
        "    AND timestamp >= now() - INTERVAL 30 DAY",
        "GROUP BY day",
        "ORDER BY day ASC",
        "LIMIT 10000"
      ].join("\n")
    )
  })

  // Reviewed by eye: these files are the queries PostHog runs.
  it("prints the activity dashboard", async () => {
    await expect(InsightHogQL.renderDashboardHogQL(activity)).toMatchFileSnapshot("./__snapshots__/dashboards/claude-mem-activity.sql")
  })

  it("prints the compaction dashboard", async () => {
    await expect(InsightHogQL.renderDashboardHogQL(compaction)).toMatchFileSnapshot("./__snapshots__/dashboards/mux-compaction.sql")
  })

  it("wraps each query in a DataVisualizationNode with its chart settings", () => {
    const bySource = compaction.insights.find((insight) => insight.id === "by-source")!
    expect(QueryNode.insightQueryNode(bySource.query)).toEqual({
      kind: "DataVisualizationNode",
      source: { kind: "HogQLQuery", query: InsightHogQL.insightHogQL(bySource.query) },
      display: "ActionsStackedBar",
      chartSettings: {
        xAxis: { column: "day" },
        yAxis: [{ column: "compactions" }],
        seriesBreakdownColumn: "compaction_source",
        showLegend: true
      }
    })
    const retention = activity.insights.find((insight) => insight.id === "weekly-retention")!
    expect(QueryNode.insightQueryNode(retention.query)).toEqual({
      kind: "DataVisualizationNode",
      source: { kind: "HogQLQuery", query: InsightHogQL.insightHogQL(retention.query) },
      display: "ActionsTable"
    })
  })

  it("version charts exclude backfilled events; activity counts historical and live events together", () => {
    const versions = activity.insights.find((insight) => insight.id === "installs-by-version")!
    expect(InsightHogQL.insightHogQL(versions.query)).toContain("ifNull(toString(properties.backfilled), '') != 'true'")
    expect(InsightHogQL.insightHogQL(versions.query)).not.toContain("historical_activity")
    const weekly = activity.insights.find((insight) => insight.id === "weekly-active-installs")!
    expect(InsightHogQL.insightHogQL(weekly.query)).toContain("event IN ('historical_activity', 'session_started')")
    const adoption = activity.insights.find((insight) => insight.id === "adoption")!
    expect(InsightHogQL.insightHogQL(adoption.query)).toContain(
      "(event = 'install_inferred' OR (event = 'install_completed' AND toString(properties.is_update) = 'false'))"
    )
    expect(InsightHogQL.insightHogQL(adoption.query)).toContain("GROUP BY distinct_id")
  })

  it("escapes string literals the way HogQL reads them", () => {
    expect(HogQL.hogqlString("plain")).toBe("'plain'")
    expect(HogQL.hogqlString("it's")).toBe("'it\\'s'")
    expect(HogQL.hogqlString("a\\b")).toBe("'a\\\\b'")
    expect(HogQL.hogqlString("line\nbreak\t")).toBe("'line\\nbreak\\t'")
    fc.assert(fc.property(fc.string(), (value) => {
      const literal = HogQL.hogqlString(value)
      // Inside the quotes, every quote is escaped: the literal cannot end early.
      const body = literal.slice(1, -1)
      return literal.startsWith("'") && literal.endsWith("'") && !/(^|[^\\])(\\\\)*'/.test(body)
    }))
  })
})

describe("defineDashboard", () => {
  it("refuses names that would be spliced into HogQL, listing every problem", () => {
    const bad: Insight.DashboardDefinition = {
      id: "Bad Id",
      name: "",
      description: "x",
      insights: [
        {
          id: "one",
          name: "One",
          description: "",
          query: {
            _tag: "EventTrend",
            event: { event: "x' OR 1=1 --" },
            interval: "day",
            lookback: { amount: 0, unit: "day" },
            breakdown: "properties.$ip"
          }
        },
        {
          id: "one",
          name: "Again",
          description: "[posthog-backfill:other/one]",
          query: { _tag: "ActiveInstalls", interval: "week", activity: [], lookback: { amount: 4, unit: "week" } }
        }
      ]
    }
    let error: unknown
    try {
      Dashboard.defineDashboard(bad)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(Dashboard.DashboardDefinitionError)
    const problems = (error as Dashboard.DashboardDefinitionError).problems.join("\n")
    expect(problems).toMatch(/dashboard id "Bad Id"/)
    expect(problems).toMatch(/dashboard name is empty/)
    expect(problems).toMatch(/event name "x' OR 1=1 --" is not accepted/)
    expect(problems).toMatch(/lookback amount 0/)
    expect(problems).toMatch(/"properties\.\$ip" is not a plain name/)
    expect(problems).toMatch(/id used twice/)
    expect(problems).toMatch(/needs at least one event/)
    expect(problems).toMatch(/must not contain a \[posthog-backfill:...\] marker/)
  })

  it("accepts the bundled dashboards", () => {
    expect(() => Dashboard.defineDashboard(activity)).not.toThrow()
    expect(() => Dashboard.defineDashboard(compaction)).not.toThrow()
    expect(() => BundledDashboards.activityDashboard({ appName: "Notes App", liveActivityEvents: [] })).not.toThrow()
    expect(BundledDashboards.activityDashboard({ appName: "Notes App", liveActivityEvents: [] }).id).toBe("notes-app-activity")
  })
})

describe("markers", () => {
  it("round-trips dashboard and insight keys through descriptions", () => {
    expect(ManagedMarker.readManagedKey(ManagedMarker.dashboardDescription(compaction))).toBe("mux-compaction")
    expect(ManagedMarker.readManagedKey(ManagedMarker.insightDescription(compaction, compaction.insights[0]!))).toBe("mux-compaction/volume")
    expect(ManagedMarker.readManagedKey("a chart someone made by hand")).toBeUndefined()
    expect(ManagedMarker.readManagedKey(null)).toBeUndefined()
    expect(ManagedMarker.managedMarker("a/b")).toBe("[posthog-backfill:a/b]")
  })
})

/** The project as it would look after applying `dashboard` (ids from 1). */
const appliedState = (dashboard: Insight.DashboardDefinition, dashboardId = 7) => {
  const plan = ApplyPlan.planApply({ dashboard, dashboards: [], insights: [] })
  const dashboards: Array<ApplyPlan.RemoteDashboard> = [
    { id: dashboardId, name: dashboard.name, description: ManagedMarker.dashboardDescription(dashboard), pinned: false }
  ]
  const insights: Array<ApplyPlan.RemoteInsight> = plan.insights.map((step, index) => {
    if (step._tag !== "Create") throw new Error("expected creates only")
    return { id: 100 + index, name: step.body.name, description: step.body.description, query: step.body.query, dashboards: [dashboardId] }
  })
  return { dashboards, insights }
}

describe("planApply", () => {
  it("creates the dashboard and every insight in an empty project", () => {
    const plan = ApplyPlan.planApply({ dashboard: compaction, dashboards: [], insights: [] })
    expect(plan.changes).toBe(true)
    expect(plan.dashboard).toEqual({
      _tag: "Create",
      body: { name: "Mux • Compaction", description: ManagedMarker.dashboardDescription(compaction), pinned: false }
    })
    expect(plan.insights.map((step) => [step._tag, step.key])).toEqual([
      ["Create", "mux-compaction/volume"],
      ["Create", "mux-compaction/by-source"],
      ["Create", "mux-compaction/effectiveness-by-model"]
    ])
  })

  it("changes nothing when the project already matches", () => {
    const state = appliedState(compaction)
    const plan = ApplyPlan.planApply({ dashboard: compaction, ...state })
    expect(plan.changes).toBe(false)
    expect(plan.dashboard).toEqual({ _tag: "Unchanged", id: 7 })
    expect(plan.insights.every((step) => step._tag === "Unchanged")).toBe(true)
    expect(plan.warnings).toEqual([])
  })

  it("tolerates fields the server adds to a stored query", () => {
    const state = appliedState(compaction)
    const insights = state.insights.map((insight) => ({
      ...insight,
      query: { ...(insight.query as object), version: 2, tableSettings: null }
    }))
    expect(ApplyPlan.planApply({ dashboard: compaction, dashboards: state.dashboards, insights }).changes).toBe(false)
    expect(ApplyPlan.jsonContains({ a: [1, { b: 2, c: 3 }], d: 4 }, { a: [1, { b: 2 }] })).toBe(true)
    expect(ApplyPlan.jsonContains({ a: [1, 2, 3] }, { a: [1, 2] })).toBe(false)
  })

  it("updates a renamed or changed definition in place, by its id, sending only what changed", () => {
    const state = appliedState(compaction)
    const renamed: Insight.DashboardDefinition = {
      ...compaction,
      insights: compaction.insights.map((insight) =>
        insight.id === "volume"
          ? { ...insight, name: "Compactions, daily", query: { ...insight.query, lookback: { amount: 60, unit: "day" } } as typeof insight.query }
          : insight
      )
    }
    const plan = ApplyPlan.planApply({ dashboard: renamed, ...state })
    expect(plan.changes).toBe(true)
    expect(plan.dashboard._tag).toBe("Unchanged")
    const volume = plan.insights.find((step) => step.key === "mux-compaction/volume")!
    expect(volume._tag).toBe("Update")
    if (volume._tag !== "Update") return
    expect(volume.id).toBe(100)
    expect(volume.changes).toEqual(["name", "query"])
    expect(volume.body.name).toBe("Compactions, daily")
    expect(volume.body.description).toBeUndefined()
    expect(JSON.stringify(volume.body.query)).toContain("INTERVAL 60 DAY")
    expect(plan.insights.filter((step) => step._tag === "Unchanged")).toHaveLength(2)
  })

  it("puts an insight back on the dashboard, keeping its other dashboards", () => {
    const state = appliedState(compaction)
    const insights = state.insights.map((insight, index) => (index === 0 ? { ...insight, dashboards: [3] } : insight))
    const step = ApplyPlan.planApply({ dashboard: compaction, dashboards: state.dashboards, insights }).insights[0]!
    expect(step).toMatchObject({ _tag: "Update", addToDashboard: true, dashboards: [3], changes: ["dashboards"] })
  })

  it("reports insights no longer defined, and removes them only with prune", () => {
    const state = appliedState(compaction)
    const fewer: Insight.DashboardDefinition = { ...compaction, insights: compaction.insights.slice(0, 2) }
    const kept = ApplyPlan.planApply({ dashboard: fewer, ...state })
    expect(kept.changes).toBe(false)
    expect(kept.insights.at(-1)).toMatchObject({ _tag: "Stale", key: "mux-compaction/effectiveness-by-model", id: 102 })
    expect(kept.warnings.join("\n")).toMatch(/left alone: apply with prune/)
    const pruned = ApplyPlan.planApply({ dashboard: fewer, ...state, prune: true })
    expect(pruned.changes).toBe(true)
    expect(pruned.insights.at(-1)).toMatchObject({ _tag: "Remove", id: 102 })
  })

  it("uses the lowest id when a marker is duplicated, and ignores other dashboards, hand-made and deleted insights", () => {
    const state = appliedState(compaction)
    const other = appliedState(activity, 8)
    const plan = ApplyPlan.planApply({
      dashboard: compaction,
      dashboards: [...state.dashboards, { ...state.dashboards[0]!, id: 9 }, ...other.dashboards],
      insights: [
        ...state.insights,
        { ...state.insights[0]!, id: 150 },
        { ...state.insights[1]!, id: 151, deleted: true },
        { id: 152, name: "hand made", description: "no marker", query: {}, dashboards: [7] },
        ...other.insights
      ]
    })
    expect(plan.dashboard).toEqual({ _tag: "Unchanged", id: 7 })
    expect(plan.warnings.join("\n")).toMatch(/2 dashboards carry \[posthog-backfill:mux-compaction\]/)
    expect(plan.insights.filter((step) => step._tag === "Unchanged")).toHaveLength(3)
    expect(plan.insights.filter((step) => step._tag === "Stale")).toEqual([
      expect.objectContaining({ key: "mux-compaction/volume", id: 150 })
    ])
  })
})
