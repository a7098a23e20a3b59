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
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { type BackfillApp, BundledDashboards, type Insight, InsightHogQL } from "@posthog-backfill/core"
import { PostHogDashboards } from "@posthog-backfill/effect"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type CliError, failure, usageError } from "../errors.js"
import * as options from "../options.js"
import { note, stdout } from "../render/output.js"

/**
 * Which bundled dashboards a command works on.
 *
 * @since 0.1.0
 * @category models
 */
export type DashboardChoice = "activity" | "compaction" | "all"

const dashboardOption = Options.choice("dashboard", ["all", "activity", "compaction"] as const).pipe(
  Options.withDescription(
    "Which dashboard: activity (installs, active installs, retention, versions), compaction (the compaction_completed " +
      "example), or all. Default all."
  ),
  Options.withDefault("all" as const)
)

const activityEventOption = Options.text("activity-event").pipe(
  Options.withPseudoName("event"),
  Options.withDescription(
    "A live event of the app that counts as activity (with historical_activity). Repeat for several. Default: none yet."
  ),
  Options.repeated
)

const installEventOption = Options.text("install-event").pipe(
  Options.withPseudoName("event"),
  Options.withDescription("The app's live install event (its is_update = false marks a fresh install). Default install_completed."),
  Options.withDefault("install_completed")
)

const selection = {
  preset: options.preset,
  dashboard: dashboardOption,
  activityEvents: activityEventOption,
  installEvent: installEventOption
}

/**
 * The dashboard definitions a selection names. Invalid event names are a
 * usage error.
 *
 * @since 0.1.0
 * @category resolving
 */
export const selectDashboards = (
  app: BackfillApp.BackfillApp,
  choice: DashboardChoice,
  liveActivityEvents: ReadonlyArray<string>,
  liveInstallEvent: string
): Effect.Effect<ReadonlyArray<Insight.DashboardDefinition>, CliError> =>
  Effect.try({
    try: () => [
      ...(choice === "compaction" ? [] : [BundledDashboards.activityDashboard({ appName: app.name, liveActivityEvents, liveInstallEvent })]),
      ...(choice === "activity" ? [] : [BundledDashboards.compactionDashboard()])
    ],
    catch: (error) => usageError(error instanceof Error ? error.message.replace(/\n/g, " ") : String(error))
  })

const print = Command.make("print", selection, (args) =>
  Effect.gen(function*() {
    const app = yield* options.resolvePreset(args.preset)
    const dashboards = yield* selectDashboards(app, args.dashboard, args.activityEvents, args.installEvent)
    yield* stdout(dashboards.map(InsightHogQL.renderDashboardHogQL).join("\n"))
  })).pipe(
    Command.withDescription("Print the HogQL of the bundled dashboards (offline; review it, or paste it into PostHog's SQL editor).")
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

const toCliError = (error: PostHogDashboards.PostHogDashboardsError): CliError =>
  error.reason === "InvalidTarget" || error.reason === "InvalidDefinition" ? usageError(error.message) : failure(error.message)

const apply = Command.make(
  "apply",
  {
    ...selection,
    host: Options.text("host").pipe(
      Options.withPseudoName("url"),
      Options.withDescription("PostHog's app host: https://us.posthog.com, https://eu.posthog.com or your self-hosted URL.")
    ),
    projectId: Options.text("project-id").pipe(
      Options.withPseudoName("id"),
      Options.withDescription("The numeric project id (Project settings).")
    ),
    apiKey: Options.text("api-key").pipe(
      Options.withPseudoName("key"),
      Options.withDescription("A personal API key (phx_...). Default: $POSTHOG_PERSONAL_API_KEY."),
      Options.optional
    ),
    dryRun: Options.boolean("dry-run").pipe(
      Options.withDescription("Read the project and print the writes apply would make; write nothing.")
    ),
    prune: Options.boolean("prune").pipe(
      Options.withDescription("Delete managed insights of these dashboards that are no longer defined (or duplicated).")
    ),
    json: Options.boolean("json").pipe(
      Options.withDescription('Print one JSON object: {"dashboards": [{"id", "dashboardId", "changed", "requests"}]}.')
    )
  },
  (args) =>
    Effect.gen(function*() {
      const app = yield* options.resolvePreset(args.preset)
      const dashboards = yield* selectDashboards(app, args.dashboard, args.activityEvents, args.installEvent)
      const apiKey = yield* resolvePersonalApiKey(args.apiKey)
      const client = yield* PostHogDashboards.PostHogDashboards
      const target = { host: args.host, projectId: args.projectId, apiKey }
      const results: Array<{ readonly definition: Insight.DashboardDefinition; readonly result: PostHogDashboards.ApplyResult }> = []
      for (const definition of dashboards) {
        const result = yield* client.apply(definition, target, { dryRun: args.dryRun, prune: args.prune }).pipe(
          Effect.mapError(toCliError)
        )
        results.push({ definition, result })
        for (const warning of result.plan.warnings) yield* note(`warning: ${warning}`)
      }
      if (args.json) {
        yield* stdout(JSON.stringify(
          {
            dryRun: args.dryRun,
            dashboards: results.map(({ definition, result }) => ({
              id: definition.id,
              dashboardId: result.dashboardId ?? null,
              changed: result.plan.changes,
              requests: result.requests
            }))
          },
          null,
          2
        ))
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
).pipe(
  Command.withDescription(
    "Create or update the dashboards in a PostHog project (REST API, personal API key). Idempotent: insights are keyed by " +
      "a marker in their description, so renames update in place and a second apply writes nothing."
  )
)

/**
 * `dashboards` with its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("dashboards").pipe(
  Command.withDescription("Dashboards as code: print their HogQL, or apply them to a PostHog project."),
  Command.withSubcommands([print, apply])
)
