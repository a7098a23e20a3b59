/**
 * `posthog-backfill consent status|enable|disable`: the user's side of
 * telemetry consent, for the backfill and live events alike.
 *
 * - `status` shows the decision and the rule that made it (`DO_NOT_TRACK`,
 *   `<PREFIX>=0|1`, the config file, CI, the default), plus the dry-run note
 *   when `<PREFIX>_DEBUG=1`; `--json` prints it as one object.
 * - `enable` / `disable` write the config file's `enabled` flag (creating the
 *   file when missing, keeping every other key, atomically), then show the
 *   resulting decision, which says so when the environment still overrides
 *   the file.
 *
 * The config file is `<data dir>/<app.configFileName>` (claude-mem:
 * `~/.claude-mem/telemetry.json`); `--data-dir` points elsewhere.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { type BackfillApp, type ConsentRules } from "@posthog-backfill/core"
import { AppDataDir, ConfigFile, Consent } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as os from "node:os"
import * as path from "node:path"
import { type CliError, expected, usageError } from "../errors.js"
import * as options from "../options.js"
import { stdout } from "../render/output.js"

const dataDirOption = options.dataDir(
  "The app's data dir, where its telemetry config file lives. Default: the preset's own (claude-mem: ~/.claude-mem)."
)

/**
 * The data dir: `--data-dir`, else the preset's default under the home
 * directory.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolveDataDir = (app: BackfillApp.BackfillApp, flag: Option.Option<string>): Effect.Effect<string, CliError> => {
  const given = Option.filter(Option.map(flag, (text) => text.trim()), (text) => text !== "")
  if (Option.isSome(given)) return Effect.succeed(path.resolve(given.value))
  if (app.defaultPaths !== undefined) return Effect.succeed(path.join(os.homedir(), app.defaultPaths.dataDir))
  return Effect.fail(
    usageError(`the preset ${app.name} has no default data dir: pass --data-dir <dir> (where the app keeps its ${app.configFileName})`)
  )
}

/**
 * The consent service of an app's data dir (needs `FileSystem` and `Path`,
 * which the CLI provides).
 *
 * @since 0.1.0
 * @category resolving
 */
export const consentFor = (app: BackfillApp.BackfillApp, dataDir: string) =>
  Effect.map(
    Consent.make({ envPrefix: app.consentEnvPrefix }).pipe(Effect.provide(ConfigFile.layer({ path: AppDataDir.files(app, dataDir).configPath }))),
    (service) => ({ service, configPath: AppDataDir.files(app, dataDir).configPath })
  )

/**
 * The lines `status` prints.
 *
 * @since 0.1.0
 * @category rendering
 */
export const statusLines = (app: BackfillApp.BackfillApp, decision: ConsentRules.ConsentDecision, configPath: string): ReadonlyArray<string> => [
  `${app.name}: ${Consent.describe(decision)}`,
  `config file: ${configPath}`,
  `rules, strongest first: DO_NOT_TRACK, ${app.consentEnvPrefix}=0|1, the config file's "enabled", CI, then on by default; ` +
  `${app.consentEnvPrefix}_DEBUG=1 is a dry run`
]

const common = { preset: options.preset, dataDir: dataDirOption }

const status = Command.make(
  "status",
  {
    ...common,
    json: Options.boolean("json").pipe(
      Options.withDescription('Print one JSON object: {"enabled", "source", "reason", "debug", "configPath"}.')
    )
  },
  (args) =>
    Effect.gen(function*() {
      const app = yield* options.resolvePreset(args.preset)
      const dataDir = yield* resolveDataDir(app, args.dataDir)
      const { service, configPath } = yield* consentFor(app, dataDir)
      const decision = yield* service.resolve
      if (args.json) {
        yield* stdout(JSON.stringify({ ...decision, configPath }, null, 2))
        return
      }
      yield* stdout(...statusLines(app, decision, configPath))
    })
).pipe(Command.withDescription("Show whether telemetry is on, and which rule decided (env, config file, CI, default)."))

const setter = (name: "enable" | "disable", enabled: boolean) =>
  Command.make(name, common, (args) =>
    Effect.gen(function*() {
      const app = yield* options.resolvePreset(args.preset)
      const dataDir = yield* resolveDataDir(app, args.dataDir)
      const { service, configPath } = yield* consentFor(app, dataDir)
      yield* expected(service.setEnabled(enabled))
      const decision = yield* service.resolve
      const lines = [`${app.name}: wrote "enabled": ${enabled} to ${configPath}`, `${app.name}: ${Consent.describe(decision)}`]
      if (decision.enabled !== enabled) {
        lines.push(`note: ${decision.reason}, which takes precedence over the config file`)
      }
      yield* stdout(...lines)
    })).pipe(
      Command.withDescription(
        enabled
          ? "Turn telemetry on in the app's config file (keeps every other key). DO_NOT_TRACK, the env var and CI still win."
          : "Turn telemetry off in the app's config file (keeps every other key). Honoured by the backfill and live events."
      )
    )

/**
 * `consent` with its three subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("consent").pipe(
  Command.withDescription("Show or change telemetry consent for an app: status, enable, disable."),
  Command.withSubcommands([status, setter("enable", true), setter("disable", false)])
)
