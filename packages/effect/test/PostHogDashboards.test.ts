import { describe, expect, it } from "@effect/vitest"
import { BundledDashboards, type Insight, ManagedMarker, QueryNode } from "@posthog-backfill/core"
import { PostHogDashboards } from "@posthog-backfill/effect"
import { LocalPostHogApi } from "@posthog-backfill/effect/testing"
import { parseSelect } from "@posthog-backfill/testkit/hogqlParser"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

const dashboard = BundledDashboards.compactionDashboard()

const apply = (
  api: LocalPostHogApi.LocalPostHogApi,
  definition: Insight.DashboardDefinition = dashboard,
  options: PostHogDashboards.ApplyOptions = {},
  target: Partial<PostHogDashboards.Target> = {}
) =>
  Effect.flatMap(PostHogDashboards.PostHogDashboards, (client) =>
    client.apply(definition, { host: api.url, projectId: String(api.projectId), apiKey: api.apiKey, ...target }, options)).pipe(
      Effect.provide(PostHogDashboards.layerFetch),
      Logger.withMinimumLogLevel(LogLevel.None)
    )

const live = (api: LocalPostHogApi.LocalPostHogApi) => ({
  dashboards: api.dashboards.filter((d) => !d.deleted),
  insights: api.insights.filter((i) => !i.deleted)
})

describe("PostHogDashboards.apply against a local fake of PostHog's REST API", () => {
  it.scopedLive("first apply creates, second apply is a no-op, a changed definition updates in place", () =>
    Effect.gen(function*() {
      const api = yield* LocalPostHogApi.scoped()

      const first = yield* apply(api)
      expect(first.plan.changes).toBe(true)
      expect(api.writes.map((w) => `${w.method} ${w.path}`)).toEqual([
        "POST /api/projects/1/dashboards/",
        "POST /api/projects/1/insights/",
        "POST /api/projects/1/insights/",
        "POST /api/projects/1/insights/"
      ])
      expect(api.writes.every((w) => w.authorization === "Bearer phx_test")).toBe(true)
      const { dashboards, insights } = live(api)
      expect(dashboards).toHaveLength(1)
      expect(dashboards[0]).toMatchObject({ id: first.dashboardId, name: "Mux • Compaction" })
      expect(ManagedMarker.readManagedKey(dashboards[0]!.description)).toBe("mux-compaction")
      expect(insights.map((i) => [i.name, ManagedMarker.readManagedKey(i.description), i.dashboards])).toEqual([
        ["Compactions per day", "mux-compaction/volume", [first.dashboardId]],
        ["Compactions by source", "mux-compaction/by-source", [first.dashboardId]],
        ["Compaction effectiveness by model", "mux-compaction/effectiveness-by-model", [first.dashboardId]]
      ])
      expect(insights[0]!.query).toEqual(QueryNode.insightQueryNode(dashboard.insights[0]!.query))
      // The exact text PostHog stored is read by PostHog's own parser.
      for (const insight of insights) {
        const stored = insight.query as { source: { kind: string; query: string } }
        expect(stored.source.kind).toBe("HogQLQuery")
        expect(parseSelect(stored.source.query).node).toBe("SelectQuery")
      }
      expect(first.insightIds).toEqual(Object.fromEntries(insights.map((i) => [ManagedMarker.readManagedKey(i.description)!, i.id])))

      // Second apply: reads only.
      const writesBefore = api.writes.length
      const second = yield* apply(api)
      expect(second.plan.changes).toBe(false)
      expect(second.requests).toEqual([])
      expect(api.writes).toHaveLength(writesBefore)
      expect(PostHogDashboards.describeResult(dashboard, second).every((line) => line.endsWith("unchanged"))).toBe(true)

      // Renamed and changed definitions update the same insights in place.
      const changed: Insight.DashboardDefinition = {
        ...dashboard,
        name: "Mux • Compactions",
        insights: dashboard.insights.map((insight) =>
          insight.id === "volume"
            ? { ...insight, name: "Daily compactions", query: { ...insight.query, lookback: { amount: 90, unit: "day" } } as typeof insight.query }
            : insight
        )
      }
      const third = yield* apply(api, changed)
      expect(third.requests.map((r) => `${r.method} ${r.path} ${r.summary}`)).toEqual([
        `PATCH /api/projects/1/dashboards/${first.dashboardId}/ update dashboard mux-compaction (name)`,
        `PATCH /api/projects/1/insights/${first.insightIds["mux-compaction/volume"]}/ update insight mux-compaction/volume (name, query)`
      ])
      expect(third.requests[1]!.body).toEqual({ name: "Daily compactions", query: QueryNode.insightQueryNode(changed.insights[0]!.query) })
      const after = live(api)
      expect(after.dashboards.map((d) => [d.id, d.name])).toEqual([[first.dashboardId, "Mux • Compactions"]])
      expect(after.insights.map((i) => i.id)).toEqual(insights.map((i) => i.id))
      expect(after.insights[0]!.name).toBe("Daily compactions")
      expect(JSON.stringify(after.insights[0]!.query)).toContain("INTERVAL 90 DAY")
      expect((yield* apply(api, changed)).requests).toEqual([])
    }))

  it.scopedLive("offline, it reads nothing and needs no key: the writes for a project that holds nothing yet", () =>
    Effect.gen(function*() {
      const api = yield* LocalPostHogApi.scoped()
      const planned = yield* apply(api, dashboard, { offline: true }, { apiKey: "", projectId: "" })
      expect(api.requests).toEqual([])
      expect(planned.dryRun).toBe(true)
      expect(planned.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        "POST /api/projects/<project-id>/dashboards/",
        "POST /api/projects/<project-id>/insights/",
        "POST /api/projects/<project-id>/insights/",
        "POST /api/projects/<project-id>/insights/"
      ])
      // The same writes a dry run plans against the real, empty project.
      const online = yield* apply(api, dashboard, { dryRun: true })
      expect(planned.requests.map((r) => r.body)).toEqual(online.requests.map((r) => r.body))
    }))

  it.scopedLive("a dry run reads the project and returns the writes it would make, sending none", () =>
    Effect.gen(function*() {
      const api = yield* LocalPostHogApi.scoped()
      const planned = yield* apply(api, dashboard, { dryRun: true })
      expect(planned.dryRun).toBe(true)
      expect(api.writes).toEqual([])
      expect(api.requests.map((r) => r.method)).toEqual(["GET", "GET"])
      expect(planned.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        "POST /api/projects/1/dashboards/",
        "POST /api/projects/1/insights/",
        "POST /api/projects/1/insights/",
        "POST /api/projects/1/insights/"
      ])
      expect(planned.requests[1]!.body).toMatchObject({ dashboards: [PostHogDashboards.NEW_DASHBOARD], saved: true })
      expect(PostHogDashboards.describeResult(dashboard, planned)[0]).toBe("dashboard mux-compaction: would create")
    }))

  it.scopedLive("tolerates server-added query fields, hand-made insights, pagination, and duplicates", () =>
    Effect.gen(function*() {
      const api = yield* LocalPostHogApi.scoped({ stampQueryVersion: 2 })
      for (let i = 0; i < 130; i++) api.seedDashboard({ name: `hand made ${i}`, description: "", pinned: false, deleted: false })
      api.seedInsight({ name: "Compactions per day", description: "made by hand", query: { kind: "DataVisualizationNode" }, dashboards: [], saved: true, deleted: false })
      const first = yield* apply(api)
      expect(live(api).insights).toHaveLength(4)
      // 130 hand-made dashboards: the list spans two pages, and the managed one is still found.
      expect((yield* apply(api)).requests).toEqual([])
      expect(api.requests.filter((r) => r.method === "GET" && r.path.endsWith("/dashboards/")).map((r) => r.query["offset"])).toContain("100")

      // A second insight with the same marker (say, duplicated in the UI) is reported, and removed only with prune.
      const copy = live(api).insights.find((i) => i.id === first.insightIds["mux-compaction/volume"])!
      const duplicate = api.seedInsight({ ...copy, dashboards: [first.dashboardId!] })
      const kept = yield* apply(api)
      expect(kept.plan.insights.find((step) => step._tag === "Stale")).toMatchObject({ id: duplicate })
      const pruned = yield* apply(api, dashboard, { prune: true })
      expect(pruned.requests).toEqual([
        expect.objectContaining({ method: "PATCH", path: `/api/projects/1/insights/${duplicate}/`, body: { deleted: true } })
      ])
      expect((yield* apply(api, dashboard, { prune: true })).requests).toEqual([])
    }))

  it.scopedLive("an apply interrupted by a server error continues where it stopped when run again", () =>
    Effect.gen(function*() {
      const api = yield* LocalPostHogApi.scoped()
      // The dashboard and the first insight are created, then the next write fails.
      api.failWrites({ after: 2, count: 1, status: 502 })
      const error = yield* Effect.flip(apply(api))
      expect(error).toMatchObject({ _tag: "PostHogDashboardsError", reason: "RequestFailed", status: 502 })
      expect(error.message).toContain("run apply again")
      const resumed = yield* apply(api)
      expect(resumed.requests.map((r) => `${r.method} ${r.summary}`)).toEqual([
        "POST create insight mux-compaction/by-source",
        "POST create insight mux-compaction/effectiveness-by-model"
      ])
      expect(live(api).dashboards).toHaveLength(1)
      expect(live(api).insights).toHaveLength(3)
    }))

  it.scopedLive("says what to do when the key, the project or the host is wrong", () =>
    Effect.gen(function*() {
      const api = yield* LocalPostHogApi.scoped()
      const unauthorized = yield* Effect.flip(apply(api, dashboard, {}, { apiKey: "phc_project_key" }))
      expect(unauthorized).toMatchObject({ reason: "Unauthorized", status: 401 })
      expect(unauthorized.message).toContain("personal API key (phx_..., not the project key phc_...)")
      const notFound = yield* Effect.flip(apply(api, dashboard, {}, { projectId: "2" }))
      expect(notFound).toMatchObject({ reason: "NotFound", status: 404 })
      expect(notFound.message).toContain("--project-id")
      const badProject = yield* Effect.flip(apply(api, dashboard, {}, { projectId: "my-project" }))
      expect(badProject).toMatchObject({ reason: "InvalidTarget" })
      const unreachable = yield* Effect.flip(apply(api, dashboard, {}, { host: "http://127.0.0.1:1" }))
      expect(unreachable).toMatchObject({ reason: "RequestFailed" })
      expect(unreachable.message).toContain("Could not reach")
      expect(api.writes).toEqual([])
    }))
})
