/**
 * Dashboards as code, applied: creates or updates one dashboard and its
 * insights through PostHog's REST API (`/api/projects/:id/dashboards/`,
 * `/api/projects/:id/insights/`, a personal API key as a bearer token), from a
 * core `DashboardDefinition`.
 *
 * Idempotent: every managed object is found by the marker in its description
 * (`[posthog-backfill:<dashboard>/<insight>]`), never by its name, so a second
 * apply sends no write at all, a renamed or changed definition updates the
 * same insight in place, and an interrupted apply continues where it stopped
 * when run again. Insights no longer defined are reported and left alone
 * unless `prune` is set (then soft-deleted, as PostHog's UI does). The diff
 * itself is the core's pure `planApply`; this module only reads the project
 * and performs the writes.
 *
 * A dry run reads the project (GET only) and returns the writes it would make.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { ApplyPlan, Dashboard, type Insight, ManagedMarker, type QueryNode } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Rest from "./internal/postHogApi.js"

/**
 * Where to apply.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  /** PostHog's app host, e.g. `https://us.posthog.com` (not the ingestion host `us.i.posthog.com`). */
  readonly host: string
  /** The numeric project id (Project settings, or the number in the app's URL). */
  readonly projectId: string
  /** A personal API key (`phx_...`) with `dashboard:write` and `insight:write` (read scopes for a dry run). */
  readonly apiKey: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ApplyOptions {
  /** Read the project, send no write, return the writes it would make. */
  readonly dryRun?: boolean | undefined
  /** Soft-delete managed insights of this dashboard that are no longer defined (or duplicated). */
  readonly prune?: boolean | undefined
  /**
   * Plan against a project that holds nothing yet, without reading it: a dry
   * run (implied) that needs no network and no key. The target's host and
   * key are not used; a project id that is not a number shows as
   * `<project-id>` in the paths.
   */
  readonly offline?: boolean | undefined
}

/**
 * One REST request: the writes an apply made, or would make in a dry run.
 * In a dry run, an insight of a dashboard that does not exist yet refers to
 * it as {@link NEW_DASHBOARD}.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiRequest = Rest.ApiRequest

/**
 * The placeholder for the id of a dashboard a dry run would create.
 *
 * @since 0.1.0
 * @category constants
 */
export const NEW_DASHBOARD = "<id of the new dashboard>"

/**
 * What an apply did (or, in a dry run, would do).
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplyResult {
  readonly dryRun: boolean
  /** The diff, step by step (`Create`, `Update`, `Unchanged`, `Remove`, `Stale`). */
  readonly plan: ApplyPlan.ApplyPlan
  /** The writes made (or that would be made); empty when nothing changed. */
  readonly requests: ReadonlyArray<ApiRequest>
  /** The dashboard's id (`undefined` in a dry run that would create it). */
  readonly dashboardId: number | undefined
  /** The id of every managed insight by key (created ones included; none for a dry-run create). */
  readonly insightIds: Readonly<Record<string, number>>
}

/**
 * Why an apply failed. Nothing partial is lost: re-running `apply` finds what
 * was already written by its markers and continues.
 *
 * - `InvalidTarget`: the host, project id or key is malformed.
 * - `InvalidDefinition`: the dashboard definition has problems.
 * - `Unauthorized`: the key was refused (401/403).
 * - `NotFound`: the project (or an object) does not exist at this host (404).
 * - `RequestFailed`: the server could not be reached or answered an error.
 * - `UnexpectedResponse`: the answer did not have the expected shape.
 *
 * @since 0.1.0
 * @category errors
 */
export class PostHogDashboardsError extends Data.TaggedError("PostHogDashboardsError")<{
  readonly reason: "InvalidTarget" | "InvalidDefinition" | "Unauthorized" | "NotFound" | "RequestFailed" | "UnexpectedResponse"
  readonly message: string
  readonly status?: number | undefined
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Creates or updates the dashboard and its insights (or, with `dryRun`, plans it). */
  readonly apply: (
    dashboard: Insight.DashboardDefinition,
    target: Target,
    options?: ApplyOptions
  ) => Effect.Effect<ApplyResult, PostHogDashboardsError>
}

/**
 * The service key.
 *
 * @since 0.1.0
 * @category tags
 */
export class PostHogDashboards extends Context.Tag("@posthog-backfill/effect/PostHogDashboards")<
  PostHogDashboards,
  Service
>() {}

/**
 * The REST client over an `HttpClient`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient> = Effect.gen(function*() {
  const http = yield* HttpClient.HttpClient

  const apply: Service["apply"] = (dashboard, target, options = {}) =>
    Effect.gen(function*() {
      const problems = Dashboard.validateDashboard(dashboard)
      if (problems.length > 0) {
        return yield* new PostHogDashboardsError({
          reason: "InvalidDefinition",
          message: `The dashboard ${JSON.stringify(dashboard.id)} is invalid: ${problems.join("; ")}`
        })
      }
      const offline = options.offline === true
      const { base, project } = offline
        ? { base: "", project: /^\d+$/.test(target.projectId.trim()) ? target.projectId.trim() : "<project-id>" }
        : yield* Rest.checkTarget(target)
      const root = `/api/projects/${project}`

      const { listAll, send } = Rest.makeRest(http, base, target.apiKey.trim())
      const dashboards: ReadonlyArray<ApplyPlan.RemoteDashboard> = offline
        ? []
        : yield* listAll(`${root}/dashboards/`, {}, Rest.DashboardRow, "dashboards")
      const insights: ReadonlyArray<ApplyPlan.RemoteInsight> = offline ? [] : yield* listAll(
        `${root}/insights/`,
        { basic: "true", search: `posthog-backfill:${ManagedMarker.managedKey(dashboard.id)}/` },
        Rest.InsightRow,
        "insights"
      )
      const plan = ApplyPlan.planApply({ dashboard, dashboards, insights, prune: options.prune })
      for (const warning of plan.warnings) yield* Effect.logWarning(warning)

      const dryRun = options.dryRun === true || offline
      const requests: Array<ApiRequest> = []
      const write = (request: ApiRequest) =>
        Effect.gen(function*() {
          requests.push(request)
          if (dryRun) return null
          yield* Effect.logInfo(request.summary)
          return yield* send(request)
        })

      const dashboardKey = ManagedMarker.managedKey(dashboard.id)
      let dashboardId: number | undefined
      switch (plan.dashboard._tag) {
        case "Create": {
          const created = yield* write({
            method: "POST",
            path: `${root}/dashboards/`,
            body: { ...plan.dashboard.body },
            summary: `create dashboard ${dashboardKey}`
          })
          dashboardId = dryRun ? undefined : (yield* Rest.decode(Rest.Created, "the new dashboard")(created)).id
          break
        }
        case "Update":
          dashboardId = plan.dashboard.id
          yield* write({
            method: "PATCH",
            path: `${root}/dashboards/${plan.dashboard.id}/`,
            body: { ...plan.dashboard.body },
            summary: `update dashboard ${dashboardKey} (${plan.dashboard.changes.join(", ")})`
          })
          break
        case "Unchanged":
          dashboardId = plan.dashboard.id
          break
      }
      const onDashboard: QueryNode.Json = dashboardId ?? NEW_DASHBOARD

      const insightIds: Record<string, number> = {}
      for (const step of plan.insights) {
        switch (step._tag) {
          case "Create": {
            const created = yield* write({
              method: "POST",
              path: `${root}/insights/`,
              body: { ...step.body, dashboards: [onDashboard], saved: true },
              summary: `create insight ${step.key}`
            })
            if (!dryRun) insightIds[step.key] = (yield* Rest.decode(Rest.Created, "the new insight")(created)).id
            break
          }
          case "Update": {
            insightIds[step.key] = step.id
            const dashboardsAfter: Array<QueryNode.Json> = step.addToDashboard ? [...step.dashboards, onDashboard] : []
            yield* write({
              method: "PATCH",
              path: `${root}/insights/${step.id}/`,
              body: { ...step.body, ...(step.addToDashboard ? { dashboards: dashboardsAfter } : {}) },
              summary: `update insight ${step.key} (${step.changes.join(", ")})`
            })
            break
          }
          case "Unchanged":
            insightIds[step.key] = step.id
            break
          case "Remove":
            yield* write({
              method: "PATCH",
              path: `${root}/insights/${step.id}/`,
              body: { deleted: true },
              summary: `delete insight #${step.id} (${step.why})`
            })
            break
          case "Stale":
            break
        }
      }
      if (!dryRun) {
        yield* Effect.logInfo(
          plan.changes ? `applied ${dashboardKey}: ${requests.length} write(s)` : `${dashboardKey} is up to date; nothing written`
        )
      }
      return { dryRun, plan, requests, dashboardId, insightIds } satisfies ApplyResult
    }).pipe(
      Effect.catchTag("ApiFailure", ({ cause, message, reason, status }) =>
        Effect.fail(new PostHogDashboardsError({ reason, message, status, cause }))
      ),
      Effect.annotateLogs({ module: "PostHogDashboards", dashboard: dashboard.id })
    )

  return PostHogDashboards.of({ apply })
})

/**
 * The REST client as a layer over an `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<PostHogDashboards, never, HttpClient.HttpClient> = Layer.effect(PostHogDashboards, make)

/**
 * The REST client over the global `fetch`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFetch: Layer.Layer<PostHogDashboards> = layer.pipe(Layer.provide(FetchHttpClient.layer))

/**
 * One line per step of an apply, for people: what was (or would be) created,
 * updated, removed or left alone.
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeResult = (dashboard: Insight.DashboardDefinition, result: ApplyResult): ReadonlyArray<string> => {
  const verb = (done: string, would: string) => (result.dryRun ? would : done)
  const key = ManagedMarker.managedKey(dashboard.id)
  const lines: Array<string> = []
  const step = result.plan.dashboard
  switch (step._tag) {
    case "Create":
      lines.push(`dashboard ${key}: ${verb("created", "would create")}${result.dashboardId === undefined ? "" : ` (#${result.dashboardId})`}`)
      break
    case "Update":
      lines.push(`dashboard ${key} #${step.id}: ${verb("updated", "would update")} ${step.changes.join(", ")}`)
      break
    case "Unchanged":
      lines.push(`dashboard ${key} #${step.id}: unchanged`)
      break
  }
  for (const insight of result.plan.insights) {
    switch (insight._tag) {
      case "Create": {
        const id = result.insightIds[insight.key]
        lines.push(`  insight ${insight.key}: ${verb("created", "would create")}${id === undefined ? "" : ` (#${id})`}`)
        break
      }
      case "Update":
        lines.push(`  insight ${insight.key} #${insight.id}: ${verb("updated", "would update")} ${insight.changes.join(", ")}`)
        break
      case "Unchanged":
        lines.push(`  insight ${insight.key} #${insight.id}: unchanged`)
        break
      case "Remove":
        lines.push(`  insight ${insight.key} #${insight.id}: ${verb("deleted", "would delete")} (${insight.why})`)
        break
      case "Stale":
        lines.push(`  insight ${insight.key} #${insight.id}: left alone (${insight.why}; apply with --prune to delete)`)
        break
    }
  }
  return lines
}
