/**
 * Planning an apply: the pure diff between the dashboard definitions and what
 * the PostHog project holds, keyed by managed markers. The shell only
 * performs the requests it lists.
 *
 * @since 0.1.0
 */
import type { DashboardDefinition } from "./Insight.js"
import { dashboardDescription, insightDescription, managedKey, managedMarker, readManagedKey } from "./ManagedMarker.js"
import { insightQueryNode, type Json } from "./QueryNode.js"


/**
 * A dashboard as PostHog's REST API lists it (the fields the plan reads).
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteDashboard {
  readonly id: number
  readonly name: string | null
  readonly description: string | null
  readonly pinned?: boolean | undefined
  readonly deleted?: boolean | undefined
}

/**
 * An insight as PostHog's REST API lists it (the fields the plan reads).
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteInsight {
  readonly id: number
  readonly name: string | null
  readonly description: string | null
  readonly query: unknown
  readonly dashboards: ReadonlyArray<number>
  readonly deleted?: boolean | undefined
}

/**
 * What a dashboard create or update sends.
 *
 * @since 0.1.0
 * @category models
 */
export interface DashboardBody {
  readonly name: string
  readonly description: string
  readonly pinned: boolean
}

/**
 * What an insight create or update sends (dashboard membership is added by
 * the shell, which knows the dashboard's id).
 *
 * @since 0.1.0
 * @category models
 */
export interface InsightBody {
  readonly name: string
  readonly description: string
  readonly query: { readonly [key: string]: Json }
}

/**
 * The step for the dashboard itself.
 *
 * @since 0.1.0
 * @category models
 */
export type DashboardStep =
  | { readonly _tag: "Create"; readonly body: DashboardBody }
  | { readonly _tag: "Update"; readonly id: number; readonly body: Partial<DashboardBody>; readonly changes: ReadonlyArray<string> }
  | { readonly _tag: "Unchanged"; readonly id: number }

/**
 * The step for one insight.
 *
 * - `Create`: no managed insight has this key yet.
 * - `Update`: it exists and differs (`body` holds only the changed fields;
 *   `addToDashboard` when it is not on the dashboard).
 * - `Unchanged`: it exists, is on the dashboard, and matches.
 * - `Remove`: a managed insight of this dashboard whose key is no longer
 *   defined, or a duplicate of a key (`prune` only): soft-deleted.
 * - `Stale`: the same without `prune`: left alone and reported.
 *
 * @since 0.1.0
 * @category models
 */
export type InsightStep =
  | { readonly _tag: "Create"; readonly key: string; readonly body: InsightBody }
  | {
    readonly _tag: "Update"
    readonly key: string
    readonly id: number
    readonly body: Partial<InsightBody>
    readonly addToDashboard: boolean
    readonly dashboards: ReadonlyArray<number>
    readonly changes: ReadonlyArray<string>
  }
  | { readonly _tag: "Unchanged"; readonly key: string; readonly id: number }
  | { readonly _tag: "Remove"; readonly key: string; readonly id: number; readonly why: string }
  | { readonly _tag: "Stale"; readonly key: string; readonly id: number; readonly why: string }

/**
 * The whole plan of an apply. `changes` is false when applying would send
 * nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplyPlan {
  readonly dashboard: DashboardStep
  readonly insights: ReadonlyArray<InsightStep>
  readonly warnings: ReadonlyArray<string>
  readonly changes: boolean
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Whether `remote` holds everything `local` says (objects may carry extra
 * keys the server added, e.g. a schema `version`; arrays must match item by
 * item).
 *
 * @since 0.1.0
 * @category planning
 */
export const jsonContains = (remote: unknown, local: unknown): boolean => {
  if (Array.isArray(local)) {
    return Array.isArray(remote) && remote.length === local.length && local.every((item, index) => jsonContains(remote[index], item))
  }
  if (isRecord(local)) {
    return isRecord(remote) && Object.entries(local).every(([key, value]) => jsonContains(remote[key], value))
  }
  return Object.is(remote, local)
}

/**
 * Diffs the definitions against what the project holds, purely.
 * `dashboards` is every (non-deleted) dashboard of the project, `insights`
 * every insight that may carry one of this dashboard's markers (extra
 * insights are ignored). Matching is by marker only; when several objects
 * carry the same marker the lowest id is the managed one and the others are
 * reported (removed with `prune`).
 *
 * @since 0.1.0
 * @category planning
 */
export const planApply = (input: {
  readonly dashboard: DashboardDefinition
  readonly dashboards: ReadonlyArray<RemoteDashboard>
  readonly insights: ReadonlyArray<RemoteInsight>
  readonly prune?: boolean | undefined
}): ApplyPlan => {
  const { dashboard } = input
  const prune = input.prune === true
  const warnings: Array<string> = []
  const dashboardKey = managedKey(dashboard.id)

  const ownDashboards = input.dashboards
    .filter((remote) => remote.deleted !== true && readManagedKey(remote.description) === dashboardKey)
    .slice()
    .sort((a, b) => a.id - b.id)
  if (ownDashboards.length > 1) {
    warnings.push(
      `${ownDashboards.length} dashboards carry ${managedMarker(dashboardKey)} (ids ${ownDashboards.map((d) => d.id).join(", ")}); ` +
        `using ${ownDashboards[0]!.id}. Delete the others in PostHog.`
    )
  }
  const existing = ownDashboards[0]
  const wanted: DashboardBody = {
    name: dashboard.name,
    description: dashboardDescription(dashboard),
    pinned: dashboard.pinned ?? false
  }
  let dashboardStep: DashboardStep
  if (existing === undefined) {
    dashboardStep = { _tag: "Create", body: wanted }
  } else {
    const body: { -readonly [K in keyof DashboardBody]?: DashboardBody[K] } = {}
    if (existing.name !== wanted.name) body.name = wanted.name
    if ((existing.description ?? "") !== wanted.description) body.description = wanted.description
    if (existing.pinned !== undefined && existing.pinned !== wanted.pinned) body.pinned = wanted.pinned
    const changes = Object.keys(body)
    dashboardStep = changes.length === 0
      ? { _tag: "Unchanged", id: existing.id }
      : { _tag: "Update", id: existing.id, body, changes }
  }
  const dashboardId = existing?.id

  const byKey = new Map<string, Array<RemoteInsight>>()
  for (const remote of input.insights) {
    if (remote.deleted === true) continue
    const key = readManagedKey(remote.description)
    if (key === undefined || !key.startsWith(`${dashboardKey}/`)) continue
    const list = byKey.get(key) ?? []
    list.push(remote)
    byKey.set(key, list)
  }
  for (const list of byKey.values()) list.sort((a, b) => a.id - b.id)

  const steps: Array<InsightStep> = []
  const leftover = (key: string, remote: RemoteInsight, why: string): InsightStep =>
    prune ? { _tag: "Remove", key, id: remote.id, why } : { _tag: "Stale", key, id: remote.id, why }

  for (const insight of dashboard.insights) {
    const key = managedKey(dashboard.id, insight.id)
    const body: InsightBody = {
      name: insight.name,
      description: insightDescription(dashboard, insight),
      query: insightQueryNode(insight.query)
    }
    const [current, ...duplicates] = byKey.get(key) ?? []
    byKey.delete(key)
    if (current === undefined) {
      steps.push({ _tag: "Create", key, body })
    } else {
      const changed: { -readonly [K in keyof InsightBody]?: InsightBody[K] } = {}
      if (current.name !== body.name) changed.name = body.name
      if ((current.description ?? "") !== body.description) changed.description = body.description
      if (!jsonContains(current.query, body.query)) changed.query = body.query
      const addToDashboard = dashboardId === undefined || !current.dashboards.includes(dashboardId)
      const changes = [...Object.keys(changed), ...(addToDashboard ? ["dashboards"] : [])]
      steps.push(
        changes.length === 0
          ? { _tag: "Unchanged", key, id: current.id }
          : { _tag: "Update", key, id: current.id, body: changed, addToDashboard, dashboards: current.dashboards, changes }
      )
    }
    for (const duplicate of duplicates) {
      steps.push(leftover(key, duplicate, `a second insight with the marker of ${key} (the managed one is ${current!.id})`))
    }
  }
  for (const [key, list] of byKey) {
    for (const remote of list) steps.push(leftover(key, remote, `${key} is no longer defined`))
  }
  const stale = steps.filter((step) => step._tag === "Stale")
  if (stale.length > 0) {
    warnings.push(
      `${stale.length} managed insight(s) are no longer defined or duplicated (${stale.map((step) => `${step.key} #${step.id}`).join(", ")}); ` +
        "left alone: apply with prune to delete them."
    )
  }
  const changes = dashboardStep._tag !== "Unchanged" ||
    steps.some((step) => step._tag === "Create" || step._tag === "Update" || step._tag === "Remove")
  return { dashboard: dashboardStep, insights: steps, warnings, changes }
}
