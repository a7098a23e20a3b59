/**
 * A local stand-in for the parts of PostHog's REST API that
 * `PostHogDashboards` uses: dashboards and insights list / create / update
 * under `/api/projects/:id/`, with bearer-token auth, `limit` / `offset`
 * pagination (`next` links), the insights list's `search` (case-insensitive
 * over name and description) and soft deletes (`deleted: true` hides an
 * object from lists). An HTTP server on 127.0.0.1 and an ephemeral port; it
 * records every request, so tests can assert that a second apply writes
 * nothing.
 *
 * @since 0.1.0
 */
import type { CapturedEvent } from "./LocalCaptureServer.js"
import { answerQuery, type QueryState } from "./internal/verifyQueries.js"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import { answerJson, listen, LOOPBACK_HOST, scoped as scopedServer } from "./internal/loopback.js"

/**
 * A stored dashboard.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredDashboard {
  readonly id: number
  readonly name: string | null
  readonly description: string
  readonly pinned: boolean
  readonly deleted: boolean
}

/**
 * A stored insight.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredInsight {
  readonly id: number
  readonly short_id: string
  readonly name: string | null
  readonly description: string
  readonly query: unknown
  readonly dashboards: ReadonlyArray<number>
  readonly saved: boolean
  readonly deleted: boolean
}

/**
 * One request as the server saw it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedApiRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly body: unknown
  readonly status: number
  readonly authorization: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LocalPostHogApiOptions {
  /** The only accepted personal API key. Default `phx_test`. */
  readonly apiKey?: string | undefined
  /** The only existing project. Default `1`. */
  readonly projectId?: number | undefined
  /** Add `version: <n>` to every stored query, as a server that upgrades query nodes would. */
  readonly stampQueryVersion?: number | undefined
}

/**
 * A running fake.
 *
 * @since 0.1.0
 * @category models
 */
export interface LocalPostHogApi {
  /** e.g. `http://127.0.0.1:54321`: pass it as the host. */
  readonly url: string
  readonly apiKey: string
  readonly projectId: number
  /** Every request so far (a snapshot). */
  readonly requests: ReadonlyArray<RecordedApiRequest>
  /** The requests that were not GETs. */
  readonly writes: ReadonlyArray<RecordedApiRequest>
  /** Every dashboard, deleted ones included. */
  readonly dashboards: ReadonlyArray<StoredDashboard>
  /** Every insight, deleted ones included. */
  readonly insights: ReadonlyArray<StoredInsight>
  /** Let `after` writes (POST/PATCH) through, then answer the next `count` writes with `status` (a failure mid-apply). */
  readonly failWrites: (options: { readonly after?: number | undefined; readonly count: number; readonly status: number }) => void
  /**
   * The events the query endpoint (`POST /api/projects/:id/query/`) answers
   * posthog-backfill's verify queries from, e.g. a local capture server's
   * `events`; `splitPersons` makes the profile-less events another person (a
   * failed merge).
   */
  readonly holdEvents: (events: ReadonlyArray<CapturedEvent>, options?: { readonly splitPersons?: boolean | undefined }) => void
  /** Stores a dashboard or insight directly (e.g. one made by hand in the UI); returns its id. */
  readonly seedDashboard: (dashboard: Omit<StoredDashboard, "id">) => number
  readonly seedInsight: (insight: Omit<StoredInsight, "id" | "short_id">) => number
  readonly close: () => Promise<void>
}

/**
 * The fake could not start.
 *
 * @since 0.1.0
 * @category errors
 */
export class LocalPostHogApiError extends Data.TaggedError("LocalPostHogApiError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Starts the fake on 127.0.0.1 and an ephemeral port.
 *
 * @since 0.1.0
 * @category constructors
 */
export const startLocalPostHogApi = (options: LocalPostHogApiOptions = {}): Promise<LocalPostHogApi> => {
  const apiKey = options.apiKey ?? "phx_test"
  const projectId = options.projectId ?? 1
  const requests: Array<RecordedApiRequest> = []
  const dashboards = new Map<number, StoredDashboard>()
  const insights = new Map<number, StoredInsight>()
  let nextId = 1
  let failures = { after: 0, count: 0, status: 500 }
  let held: QueryState = { events: [], splitPersons: false }

  const stamp = (query: unknown): unknown =>
    options.stampQueryVersion !== undefined && isRecord(query) ? { ...query, version: options.stampQueryVersion } : query

  const dashboardJson = (d: StoredDashboard) => ({ ...d, tags: [], created_at: "2026-01-01T00:00:00Z" })
  const insightJson = (i: StoredInsight) => ({
    ...i,
    dashboard_tiles: i.dashboards.map((dashboard) => ({ id: i.id * 1000 + dashboard, dashboard_id: dashboard, deleted: false })),
    tags: [],
    derived_name: null
  })

  const page = (url: URL, base: string, all: ReadonlyArray<unknown>) => {
    const limit = Math.max(1, Number(url.searchParams.get("limit") ?? "100") || 100)
    const offset = Math.max(0, Number(url.searchParams.get("offset") ?? "0") || 0)
    const results = all.slice(offset, offset + limit)
    const next = offset + limit < all.length
      ? (() => {
        const link = new URL(url.pathname, base)
        url.searchParams.forEach((value, key) => link.searchParams.set(key, value))
        link.searchParams.set("offset", String(offset + limit))
        link.searchParams.set("limit", String(limit))
        return link.toString()
      })()
      : null
    return { count: all.length, next, previous: null, results }
  }

  type Answer = { readonly status: number; readonly body: unknown }
  const error = (status: number, detail: string): Answer => ({ status, body: { type: "validation_error", detail } })

  const route = (method: string, url: URL, base: string, body: unknown, authorization: string | undefined): Answer => {
    if (authorization !== `Bearer ${apiKey}`) {
      return { status: 401, body: { type: "authentication_error", code: "not_authenticated", detail: "Invalid personal API key." } }
    }
    const query = /^\/api\/projects\/([^/]+)\/query\/$/.exec(url.pathname)
    if (query !== null) {
      if (query[1] !== String(projectId)) return error(404, "Not found.")
      const node = isRecord(body) && isRecord(body["query"]) ? body["query"] : undefined
      if (method !== "POST" || node?.["kind"] !== "HogQLQuery" || typeof node["query"] !== "string") return error(400, "Expected { query: { kind: 'HogQLQuery', query } }.")
      const answer = answerQuery(node["query"], held)
      return "refused" in answer ? error(400, answer.refused) : { status: 200, body: { ...answer, types: [], hasMore: false } }
    }
    const match = /^\/api\/projects\/([^/]+)\/(dashboards|insights)\/(?:(\d+)\/)?$/.exec(url.pathname)
    if (match === null || match[1] !== String(projectId)) return error(404, "Not found.")
    const [, , kind, idText] = match
    const id = idText === undefined ? undefined : Number(idText)
    if (kind === "dashboards") {
      if (id === undefined && method === "GET") {
        const list = Array.from(dashboards.values()).filter((d) => !d.deleted).map(dashboardJson)
        return { status: 200, body: page(url, base, list) }
      }
      if (id === undefined && method === "POST") {
        if (!isRecord(body)) return error(400, "Body must be an object.")
        const created: StoredDashboard = {
          id: nextId++,
          name: typeof body["name"] === "string" ? body["name"] : null,
          description: typeof body["description"] === "string" ? body["description"] : "",
          pinned: body["pinned"] === true,
          deleted: false
        }
        dashboards.set(created.id, created)
        return { status: 201, body: dashboardJson(created) }
      }
      const current = id === undefined ? undefined : dashboards.get(id)
      if (current === undefined || current.deleted) return error(404, "Not found.")
      if (method === "GET") return { status: 200, body: dashboardJson(current) }
      if (method === "PATCH") {
        if (!isRecord(body)) return error(400, "Body must be an object.")
        const updated: StoredDashboard = {
          ...current,
          ...(typeof body["name"] === "string" ? { name: body["name"] } : {}),
          ...(typeof body["description"] === "string" ? { description: body["description"] } : {}),
          ...(typeof body["pinned"] === "boolean" ? { pinned: body["pinned"] } : {}),
          ...(body["deleted"] === true ? { deleted: true } : {})
        }
        dashboards.set(updated.id, updated)
        return { status: 200, body: dashboardJson(updated) }
      }
      return error(405, `Method ${method} not allowed.`)
    }
    // insights
    const dashboardIds = (value: unknown): Array<number> | string => {
      if (!Array.isArray(value)) return "dashboards must be a list of ids"
      for (const item of value) {
        if (typeof item !== "number" || !dashboards.has(item) || dashboards.get(item)!.deleted) {
          return `Invalid pk "${String(item)}" - object does not exist.`
        }
      }
      return value as Array<number>
    }
    const checkQuery = (query: unknown): string | undefined =>
      query === undefined || (isRecord(query) && typeof query["kind"] === "string") ? undefined : "query must be a query node"
    if (id === undefined && method === "GET") {
      const search = url.searchParams.get("search")?.toLowerCase()
      const list = Array.from(insights.values())
        .filter((i) => !i.deleted)
        .filter((i) =>
          search === undefined || (i.name ?? "").toLowerCase().includes(search) || i.description.toLowerCase().includes(search)
        )
        .map(insightJson)
      return { status: 200, body: page(url, base, list) }
    }
    if (id === undefined && method === "POST") {
      if (!isRecord(body)) return error(400, "Body must be an object.")
      const problem = checkQuery(body["query"])
      if (problem !== undefined) return error(400, problem)
      const ids = body["dashboards"] === undefined ? [] : dashboardIds(body["dashboards"])
      if (typeof ids === "string") return error(400, ids)
      const created: StoredInsight = {
        id: nextId,
        short_id: `s${nextId++}`,
        name: typeof body["name"] === "string" ? body["name"] : null,
        description: typeof body["description"] === "string" ? body["description"] : "",
        query: stamp(body["query"] ?? null),
        dashboards: ids,
        saved: body["saved"] !== false,
        deleted: false
      }
      insights.set(created.id, created)
      return { status: 201, body: insightJson(created) }
    }
    const current = id === undefined ? undefined : insights.get(id)
    if (current === undefined || current.deleted) return error(404, "Not found.")
    if (method === "GET") return { status: 200, body: insightJson(current) }
    if (method === "PATCH") {
      if (!isRecord(body)) return error(400, "Body must be an object.")
      const problem = checkQuery(body["query"])
      if (problem !== undefined) return error(400, problem)
      const ids = body["dashboards"] === undefined ? current.dashboards : dashboardIds(body["dashboards"])
      if (typeof ids === "string") return error(400, ids)
      const updated: StoredInsight = {
        ...current,
        ...(typeof body["name"] === "string" ? { name: body["name"] } : {}),
        ...(typeof body["description"] === "string" ? { description: body["description"] } : {}),
        ...(body["query"] !== undefined ? { query: stamp(body["query"]) } : {}),
        dashboards: ids,
        ...(body["deleted"] === true ? { deleted: true } : {})
      }
      insights.set(updated.id, updated)
      return { status: 200, body: insightJson(updated) }
    }
    return error(405, `Method ${method} not allowed.`)
  }

  const handle = (req: Http.IncomingMessage, res: Http.ServerResponse, raw: Buffer, base: string) => {
    const url = new URL(req.url ?? "/", base)
    const method = req.method ?? "GET"
    const text = raw.toString("utf8")
    let body: unknown = undefined
    let answer: Answer
    try {
      body = text === "" ? undefined : JSON.parse(text)
      const isWrite = method !== "GET" && !url.pathname.endsWith("/query/")
      if (isWrite && failures.count > 0 && failures.after > 0) {
        failures = { ...failures, after: failures.after - 1 }
        answer = route(method, url, base, body, req.headers.authorization)
      } else if (isWrite && failures.count > 0) {
        failures = { ...failures, count: failures.count - 1 }
        answer = { status: failures.status, body: { type: "server_error", detail: "Injected failure." } }
      } else {
        answer = route(method, url, base, body, req.headers.authorization)
      }
    } catch {
      answer = error(400, "Body is not JSON.")
    }
    requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      body,
      status: answer.status,
      authorization: req.headers.authorization
    })
    answerJson(res, answer.status, answer.body)
  }

  return listen(handle).then((listening) => ({
    url: listening.url,
    apiKey,
    projectId,
    get requests() {
      return requests.slice()
    },
    get writes() {
      return requests.filter((request) => request.method !== "GET" && !request.path.endsWith("/query/"))
    },
    get dashboards() {
      return Array.from(dashboards.values())
    },
    get insights() {
      return Array.from(insights.values())
    },
    failWrites: ({ after, count, status }) => {
      failures = { after: after ?? 0, count, status }
    },
    holdEvents: (events, options) => {
      held = { events: events.slice(), splitPersons: options?.splitPersons === true }
    },
    seedDashboard: (dashboard) => {
      const id = nextId++
      dashboards.set(id, { ...dashboard, id })
      return id
    },
    seedInsight: (insight) => {
      const id = nextId++
      insights.set(id, { ...insight, id, short_id: `s${id}` })
      return id
    },
    close: listening.close
  }))
}

/**
 * The fake for the lifetime of the enclosing `Scope`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scoped = (
  options: LocalPostHogApiOptions = {}
): Effect.Effect<LocalPostHogApi, LocalPostHogApiError, Scope.Scope> =>
  scopedServer(
    () => startLocalPostHogApi(options),
    (cause) => new LocalPostHogApiError({ message: `Could not start the local PostHog API on ${LOOPBACK_HOST}: ${String(cause)}`, cause })
  )
