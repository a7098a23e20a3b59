/**
 * `verify`: after a send, asks PostHog what it holds for this install (three
 * HogQL queries through `POST /api/projects/:id/query/`, with a personal API
 * key that has `query:read`) and checks it against the marker: the count,
 * the window, one activity event per day, no uuid stored twice, every
 * timestamp at noon UTC, one person (the core's `BackfillVerification`).
 * Read only: nothing is written, here or in PostHog.
 *
 * ```ts
 * const report = yield* BackfillVerify.verify({ host: "https://us.posthog.com", projectId: "12345", apiKey: "phx_..." }).pipe(
 *   Effect.provide(BackfillVerify.layerFetch), Effect.provide(AppDataDir.layer({ app, dataDir }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { BackfillVerification } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Rest from "./internal/postHogApi.js"
import { MarkerStore } from "./MarkerStore.js"

/**
 * Where to ask: PostHog's app host, the project, a personal API key with `query:read`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly host: string
  readonly projectId: string
  readonly apiKey: string
}

/**
 * Why verify could not run (a failed check is not an error: it is in the report).
 *
 * @since 0.1.0
 * @category errors
 */
export class BackfillVerifyError extends Data.TaggedError("BackfillVerifyError")<{
  readonly reason: "NoMarker" | "InvalidTarget" | "Unauthorized" | "NotFound" | "RequestFailed" | "UnexpectedResponse"
  readonly message: string
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Runs one HogQL query and returns its rows as objects keyed by column. */
  readonly query: (target: Target, hogql: string) => Effect.Effect<ReadonlyArray<Readonly<Record<string, unknown>>>, BackfillVerifyError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class PostHogQuery extends Context.Tag("@posthog-backfill/effect/BackfillVerify/PostHogQuery")<PostHogQuery, Service>() {}

const QueryResponse = Schema.Struct({
  results: Schema.Array(Schema.Array(Schema.Unknown)),
  columns: Schema.Array(Schema.String)
})

const fromApi = (failure: Rest.ApiFailure) => new BackfillVerifyError({ reason: failure.reason, message: failure.message })

/**
 * The query client over an `HttpClient`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient> = Effect.map(HttpClient.HttpClient, (http) => ({
  query: (target, hogql) =>
    Effect.gen(function*() {
      const { base, project } = yield* Rest.checkTarget(target)
      const { send } = Rest.makeRest(http, base, target.apiKey.trim(), { scopes: "query:read", rerun: "verify again" })
      const body = yield* send({
        method: "POST",
        path: `/api/projects/${project}/query/`,
        body: { query: { kind: "HogQLQuery", query: hogql } },
        summary: `query ${hogql.split("\n")[0]?.replace(/^-- posthog-backfill:/, "") ?? "verify"}`
      })
      const answer = yield* Rest.decode(QueryResponse, "a HogQL query")(body)
      return answer.results.map((row) => Object.fromEntries(answer.columns.map((column, index) => [column, row[index]])))
    }).pipe(Effect.mapError(fromApi))
}))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<PostHogQuery, never, HttpClient.HttpClient> = Layer.effect(PostHogQuery, make)

/**
 * Over the platform's `fetch`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFetch: Layer.Layer<PostHogQuery> = layer.pipe(Layer.provide(FetchHttpClient.layer))

const num = (value: unknown): number => (typeof value === "number" ? value : Number(value))

/**
 * Checks this install's backfill in PostHog against its marker. Fails only
 * when it cannot ask (no marker, a refused key, an unreachable host).
 *
 * @since 0.1.0
 * @category verifying
 */
export const verify = (
  target: Target
): Effect.Effect<BackfillVerification.VerificationReport, BackfillVerifyError, PostHogQuery | MarkerStore> =>
  Effect.gen(function*() {
    const state = yield* Effect.orElseSucceed((yield* MarkerStore).read, () => ({ _tag: "Absent" as const }))
    if (state._tag !== "Present") {
      return yield* new BackfillVerifyError({
        reason: "NoMarker",
        message: state._tag === "Absent"
          ? "no backfill marker in the data dir: nothing was sent from this install yet (or --data-dir points elsewhere)"
          : "the backfill marker cannot be read, so there is nothing to compare with"
      })
    }
    const marker = state.marker
    const queries = BackfillVerification.verificationQueries(marker.installId)
    const client = yield* PostHogQuery
    const [days, persons, duplicates] = yield* Effect.all([
      client.query(target, queries.days),
      client.query(target, queries.persons),
      client.query(target, queries.duplicates)
    ])
    return BackfillVerification.evaluateVerification({
      marker,
      days: days.map((row) => ({
        event: String(row["event"]),
        day: String(row["day"]).slice(0, 10),
        events: num(row["events"]),
        uuids: num(row["uuids"]),
        atNoon: num(row["at_noon"])
      })),
      persons: num(persons[0]?.["persons"] ?? 0),
      duplicates: duplicates.map((row) => ({ uuid: String(row["uuid"]), copies: num(row["copies"]) }))
    })
  }).pipe(Effect.annotateLogs({ module: "BackfillVerify" }))
