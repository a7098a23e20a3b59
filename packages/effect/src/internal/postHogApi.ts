/**
 * A small client of PostHog's app REST API (`/api/projects/:id/...`, a
 * personal API key as a bearer token): JSON requests with a timeout, answers
 * mapped to failures that say what to do, and `limit` / `offset` pagination.
 * The dashboards client applies through it.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { QueryNode } from "@posthog-backfill/core"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as HttpHost from "../HttpHost.js"

/**
 * Why a request failed (see `PostHogDashboardsError` for the reasons).
 *
 * @internal
 */
export class ApiFailure extends Data.TaggedError("ApiFailure")<{
  readonly reason: "InvalidTarget" | "Unauthorized" | "NotFound" | "RequestFailed" | "UnexpectedResponse"
  readonly message: string
  readonly status?: number | undefined
  readonly cause?: unknown
}> {}

/** One REST request. @internal */
export interface ApiRequest {
  readonly method: "GET" | "POST" | "PATCH"
  readonly path: string
  readonly body?: QueryNode.Json | undefined
  /** What the request is for, e.g. `create insight mux-compaction/volume`. */
  readonly summary: string
}

/** Where to send: an app host, a project, a personal API key. @internal */
export interface ApiTarget {
  readonly host: string
  readonly projectId: string
  readonly apiKey: string
}

const PAGE_SIZE = 100
const MAX_PAGES = 200
const REQUEST_TIMEOUT = Duration.seconds(30)

const Page = Schema.Struct({
  results: Schema.Array(Schema.Unknown),
  next: Schema.optional(Schema.NullOr(Schema.String))
})

const Nullable = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

export const DashboardRow = Schema.Struct({
  id: Schema.Number,
  name: Nullable(Schema.String),
  description: Nullable(Schema.String),
  pinned: Schema.optional(Schema.Boolean),
  deleted: Schema.optional(Schema.Boolean)
})

export const InsightRow = Schema.Struct({
  id: Schema.Number,
  name: Nullable(Schema.String),
  description: Nullable(Schema.String),
  query: Schema.optionalWith(Schema.Unknown, { default: () => null }),
  dashboards: Schema.optionalWith(Schema.Array(Schema.Number), { default: () => [] }),
  deleted: Schema.optional(Schema.Boolean)
})

export const Created = Schema.Struct({ id: Schema.Number })

export const decode = <A, I>(schema: Schema.Schema<A, I>, what: string) => (value: unknown) =>
  Either.mapLeft(
    Schema.decodeUnknownEither(schema)(value),
    (error) =>
      new ApiFailure({
        reason: "UnexpectedResponse",
        message: `PostHog answered ${what} with an unexpected shape (${error.message.split("\n")[0]}); is the host a PostHog app host?`
      })
  )

export const checkTarget = (target: ApiTarget): Either.Either<{ readonly base: string; readonly project: string }, ApiFailure> => {
  const invalid = (message: string) => Either.left(new ApiFailure({ reason: "InvalidTarget", message }))
  const parsed = HttpHost.parse(target.host)
  if (Either.isLeft(parsed)) return invalid(HttpHost.describeRefusal("The host", target.host, parsed.left, "https://us.posthog.com"))
  const host = parsed.right.url
  const project = target.projectId.trim()
  if (!/^\d+$/.test(project)) {
    return invalid(`The project id ${JSON.stringify(target.projectId)} is not a number: pass the numeric id from Project settings.`)
  }
  if (target.apiKey.trim() === "") {
    return invalid("The personal API key is empty: create one (Settings > Personal API keys) with dashboard and insight write scopes.")
  }
  return Either.right({ base: host, project })
}

/**
 * The client for one host and key: `send` one request, or `listAll` pages of
 * a list.
 *
 * @internal
 */
export const makeRest = (
  http: HttpClient.HttpClient,
  base: string,
  apiKey: string,
  /** What the key needs and what to run again, for the messages. */
  purpose: { readonly scopes: string; readonly rerun: string } = { scopes: "dashboard:write and insight:write", rerun: "apply again; what was written is kept" }
) => {
  const send = (request: ApiRequest, params: Readonly<Record<string, string>> = {}) =>
    Effect.gen(function*() {
      let built = request.method === "GET"
        ? HttpClientRequest.get(`${base}${request.path}`)
        : request.method === "POST"
        ? HttpClientRequest.post(`${base}${request.path}`)
        : HttpClientRequest.patch(`${base}${request.path}`)
      built = built.pipe(HttpClientRequest.bearerToken(apiKey), HttpClientRequest.acceptJson, HttpClientRequest.setUrlParams(params))
      if (request.body !== undefined) built = HttpClientRequest.bodyUnsafeJson(built, request.body)
      const response = yield* http.execute(built).pipe(
        Effect.timeoutFail({
          duration: REQUEST_TIMEOUT,
          onTimeout: () =>
            new ApiFailure({
              reason: "RequestFailed",
              message: `${request.method} ${base}${request.path} got no answer within 30 s; check the host and try again.`
            })
        }),
        Effect.catchTags({
          RequestError: (error) =>
            Effect.fail(
              new ApiFailure({
                reason: "RequestFailed",
                message: `Could not reach ${base} (${error.message}); check --host and your network, then try again.`,
                cause: error
              })
            ),
          ResponseError: (error) =>
            Effect.fail(
              new ApiFailure({
                reason: "RequestFailed",
                message: `${request.method} ${base}${request.path} failed (${error.message}); try again.`,
                cause: error
              })
            )
        })
      )
      const text = yield* Effect.orElseSucceed(response.text, () => "")
      const status = response.status
      if (status === 401 || status === 403) {
        return yield* new ApiFailure({
          reason: "Unauthorized",
          status,
          message: `PostHog refused the personal API key (HTTP ${status}) for ${request.method} ${request.path}: use a personal ` +
            `API key (phx_..., not the project key phc_...) with ${purpose.scopes} scopes for this project.`
        })
      }
      if (status === 404) {
        return yield* new ApiFailure({
          reason: "NotFound",
          status,
          message: `PostHog answered 404 for ${request.method} ${request.path}: check --project-id, and that --host is ` +
            "the app host (https://us.posthog.com or https://eu.posthog.com), not the ingestion host (us.i.posthog.com)."
        })
      }
      if (status < 200 || status >= 300) {
        return yield* new ApiFailure({
          reason: "RequestFailed",
          status,
          message: `PostHog answered HTTP ${status} to ${request.summary} (${request.method} ${request.path}): ` +
            `${text.slice(0, 300) || "no body"}. Fix the cause and run ${purpose.rerun}.`
        })
      }
      try {
        return text === "" ? null : JSON.parse(text) as unknown
      } catch {
        return yield* new ApiFailure({
          reason: "UnexpectedResponse",
          status,
          message: `PostHog answered ${request.method} ${request.path} with a body that is not JSON; is ${base} a PostHog app host?`
        })
      }
    })

  const listAll = <A, I>(path: string, params: Readonly<Record<string, string>>, row: Schema.Schema<A, I>, what: string) =>
    Effect.gen(function*() {
      const rows: Array<A> = []
      for (let page = 0; page < MAX_PAGES; page++) {
        const body = yield* send(
          { method: "GET", path, summary: `list ${what}` },
          { ...params, limit: String(PAGE_SIZE), offset: String(page * PAGE_SIZE) }
        )
        const parsed = yield* decode(Page, `the ${what} list`)(body)
        for (const item of parsed.results) rows.push(yield* decode(row, `a ${what} row`)(item))
        if (parsed.results.length === 0 || parsed.next === undefined || parsed.next === null) break
      }
      return rows
    })
  return { send, listAll }
}
