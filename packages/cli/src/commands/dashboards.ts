/**
 * `posthog-backfill dashboards print|apply`: dashboards as code.
 *
 * - `print` writes the HogQL of the bundled dashboards to stdout (offline):
 *   `activity` (reconstructed weekly/monthly active installs, the adoption
 *   curve, weekly cohort retention, installs by version) for the preset's
 *   app, and `compaction` (the second seed's dashboard).
 * - `apply --host <url> --project-id <id>` creates or updates them in a
 *   PostHog project through its REST API with a personal API key
 *   (`--api-key`, else `$POSTHOG_PERSONAL_API_KEY`). Idempotent: a second
 *   apply writes nothing. `--dry-run` reads the project and prints the writes
 *   it would make; `--prune` deletes managed insights no longer defined.
 *
 * @since 0.1.0
 */
import { BundledDashboards, type Insight, InsightHogQL } from "@posthog-backfill/core"
import { PostHogDashboards } from "@posthog-backfill/effect"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Values } from "../args/parse.js"
import { type CliError, failure, usageError } from "../errors.js"
import { flag, list, required, runCommand, text } from "../run.js"
import { resolveApp, type ResolvedApp } from "../appSource.js"
import { printJson } from "../render/json.js"
import { note, stdout } from "../render/output.js"

/**
 * Which dashboards a command works on: `own` (default) is the app's activity
 * dashboard and any the app declares; `compaction` is the compaction
 * example's; `all` is both.
 *
 * @since 0.1.0
 * @category models
 */
export type DashboardChoice = "own" | "activity" | "compaction" | "all"

/**
 * The dashboard definitions a selection names. Invalid event names are a
 * usage error.
 *
 * @since 0.1.0
 * @category resolving
 */
export const selectDashboards = (
  resolved: ResolvedApp,
  choice: DashboardChoice,
  /** `--activity-event`; empty: the app's own. */
  liveActivityEvents: ReadonlyArray<string>,
  /** `--install-event`; `undefined`: the app's own, else `install_completed`. */
  liveInstallEvent: string | undefined
): Effect.Effect<ReadonlyArray<Insight.DashboardDefinition>, CliError> =>
  Effect.try({
    try: () => {
      const activity = () =>
        BundledDashboards.activityDashboard({
          appName: resolved.app.name,
          liveActivityEvents: liveActivityEvents.length > 0 ? liveActivityEvents : resolved.app.liveActivityEvents ?? [],
          liveInstallEvent: liveInstallEvent ?? resolved.app.liveInstallEvent
        })
      const declared = resolved.dashboards ?? []
      switch (choice) {
        case "activity":
          return [activity()]
        case "compaction":
          return [BundledDashboards.compactionDashboard()]
        case "own":
          return [activity(), ...declared]
        case "all":
          return [activity(), ...declared.filter((d) => d.id !== BundledDashboards.compactionDashboard().id), BundledDashboards.compactionDashboard()]
      }
    },
    catch: (error) => usageError(error instanceof Error ? error.message.replace(/\n/g, " ") : String(error))
  })

/**
 * Without a live activity event, the activity dashboard's active installs and
 * retention read only `historical_activity`, and drop to zero after the
 * backfill's last day: said on stderr.
 *
 * @since 0.1.0
 * @category resolving
 */
export const warnWithoutLiveActivity = (resolved: ResolvedApp, choice: DashboardChoice, flagged: ReadonlyArray<string>): Effect.Effect<void> =>
  choice === "compaction" || flagged.length > 0 || (resolved.app.liveActivityEvents ?? []).length > 0
    ? Effect.void
    : note(
      `warning: ${resolved.app.name} names no live activity event, so weekly and monthly active installs and retention count ` +
        "only historical_activity and drop to zero after the backfill's last day: name them in the app (liveActivityEvents) " +
        "or pass --activity-event <name>"
    )

const given = (value: Option.Option<string>): string | undefined =>
  Option.getOrUndefined(Option.filter(Option.map(value, (text) => text.trim()), (text) => text !== ""))

/**
 * The personal API key: `--api-key`, else `POSTHOG_PERSONAL_API_KEY`.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolvePersonalApiKey = (flag: Option.Option<string>): Effect.Effect<string, CliError> =>
  Effect.gen(function*() {
    const fromFlag = given(flag)
    if (fromFlag !== undefined) return fromFlag
    const fromEnv = yield* Config.option(Config.string("POSTHOG_PERSONAL_API_KEY")).pipe(
      Effect.mapError(() => usageError("could not read POSTHOG_PERSONAL_API_KEY from the environment"))
    )
    const key = given(fromEnv)
    if (key !== undefined) return key
    return yield* Effect.fail(
      usageError(
        "no personal API key: pass --api-key phx_... or set POSTHOG_PERSONAL_API_KEY (PostHog: Settings > Personal API keys, " +
          "with dashboard:write and insight:write scopes)"
      )
    )
  })

/** The personal API key if one is given (flag or environment), else `undefined`. */
const optionalPersonalApiKey: Effect.Effect<string | undefined, CliError> = Effect.map(
  Config.option(Config.string("POSTHOG_PERSONAL_API_KEY")).pipe(
    Effect.mapError(() => usageError("could not read POSTHOG_PERSONAL_API_KEY from the environment"))
  ),
  given
)

const toCliError = (error: PostHogDashboards.PostHogDashboardsError): CliError =>
  error.reason === "InvalidTarget" || error.reason === "InvalidDefinition" ? usageError(error.message) : failure(error.message)

/** The command line's values, as the subcommands read them. */
const argsOf = (values: Values) => ({
  dashboard: Option.getOrElse(text(values, "dashboard"), () => "own") as DashboardChoice,
  activityEvents: list(values, "activity-event"),
  installEvent: Option.getOrUndefined(text(values, "install-event")),
  host: text(values, "host"),
  projectId: text(values, "project-id"),
  apiKey: text(values, "api-key"),
  dryRun: flag(values, "dry-run"),
  prune: flag(values, "prune"),
  json: flag(values, "json")
})

const print = (values: Values) =>
  Effect.gen(function*() {
    const args = argsOf(values)
    const resolved = yield* resolveApp(values)
    const dashboards = yield* selectDashboards(resolved, args.dashboard, args.activityEvents, args.installEvent)
    yield* warnWithoutLiveActivity(resolved, args.dashboard, args.activityEvents)
    if (args.json) {
      yield* printJson("dashboards print", {
        dashboards: dashboards.map((dashboard) => ({
          id: dashboard.id,
          name: dashboard.name,
          insights: dashboard.insights.map((insight) => ({ id: insight.id, name: insight.name, hogql: InsightHogQL.insightHogQL(insight.query) }))
        }))
      })
      return
    }
    yield* stdout(dashboards.map(InsightHogQL.renderDashboardHogQL).join("\n"))
  })

const apply = (values: Values) => {
  const given = argsOf(values)
  return Effect.gen(function*() {
    const resolved = yield* resolveApp(values)
    const dashboards = yield* selectDashboards(resolved, given.dashboard, given.activityEvents, given.installEvent)
    yield* warnWithoutLiveActivity(resolved, given.dashboard, given.activityEvents)
    // A dry run without a key plans offline, against a project that holds nothing yet.
    const apiKey = given.dryRun && Option.isNone(given.apiKey) ? yield* optionalPersonalApiKey : yield* resolvePersonalApiKey(given.apiKey)
    const offline = apiKey === undefined
    const args = {
      ...given,
      host: offline ? Option.getOrElse(given.host, () => "") : yield* required(values, "host", "PostHog's app host, e.g. --host https://us.posthog.com"),
      projectId: offline
        ? Option.getOrElse(given.projectId, () => "")
        : yield* required(values, "project-id", "the numeric project id (Project settings), e.g. --project-id 12345")
    }
    if (offline && !args.json) yield* note("dry run without a personal API key: the writes for a project that holds none of these yet (nothing was read or written)")
    const client = yield* PostHogDashboards.PostHogDashboards
    const target = { host: args.host, projectId: args.projectId, apiKey: apiKey ?? "" }
    const results: Array<{ readonly definition: Insight.DashboardDefinition; readonly result: PostHogDashboards.ApplyResult }> = []
    for (const definition of dashboards) {
      const result = yield* client.apply(definition, target, { dryRun: args.dryRun, prune: args.prune, offline }).pipe(
        Effect.mapError(toCliError)
      )
      results.push({ definition, result })
      for (const warning of result.plan.warnings) yield* note(`warning: ${warning}`)
    }
    if (args.json) {
      yield* printJson("dashboards apply", {
        dryRun: args.dryRun,
        offline,
        dashboards: results.map(({ definition, result }) => ({
          id: definition.id,
          dashboardId: result.dashboardId ?? null,
          changed: result.plan.changes,
          warnings: result.plan.warnings,
          requests: result.requests
        }))
      })
      return
    }
    for (const { definition, result } of results) {
      yield* stdout(...PostHogDashboards.describeResult(definition, result))
      if (args.dryRun) {
        for (const request of result.requests) {
          yield* stdout(`  ${request.method} ${request.path}  # ${request.summary}`, `    ${JSON.stringify(request.body)}`)
        }
      }
    }
    const writes = results.reduce((total, { result }) => total + result.requests.length, 0)
    yield* stdout(
      args.dryRun
        ? `dry run: ${writes} write(s) would be made; nothing was written`
        : writes === 0
        ? "up to date: nothing written"
        : `${writes} write(s) made`
    )
  }).pipe(Effect.provide(PostHogDashboards.layerFetch))
}

/**
 * `posthog-backfill dashboards print|apply`.
 *
 * @since 0.1.0
 * @category commands
 */
export const main = (which: "print" | "apply", values: Values): Promise<number> =>
  runCommand(which === "print" ? print(values) : apply(values), values)
