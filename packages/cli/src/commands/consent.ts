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
import { type BackfillApp, type ConsentRules } from "@posthog-backfill/core"
import { AppDataDir, ConfigFile, Consent } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as os from "node:os"
import * as path from "node:path"
import type { Values } from "../args/parse.js"
import { type CliError, expected, usageError } from "../errors.js"
import { flag, runCommand, text } from "../run.js"
import { resolveApp, type ResolvedApp } from "../appSource.js"
import { printJson } from "../render/json.js"
import { stdout } from "../render/output.js"

/**
 * The data dir: `--data-dir`, else a config file's, else the app's default
 * under the home directory.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolveDataDir = (resolved: ResolvedApp, flag: Option.Option<string>): Effect.Effect<string, CliError> => {
  const { app } = resolved
  const given = Option.filter(Option.map(flag, (text) => text.trim()), (text) => text !== "")
  if (Option.isSome(given)) return Effect.succeed(path.resolve(given.value))
  if (resolved.dataDir !== undefined) return Effect.succeed(resolved.dataDir)
  if (app.defaultPaths !== undefined) return Effect.succeed(path.join(os.homedir(), app.defaultPaths.dataDir))
  return Effect.fail(
    usageError(`the app ${app.name} has no default data dir: pass --data-dir <dir> (where the app keeps its ${app.configFileName})`)
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

/** The command line's values, as the subcommands read them. */
const argsOf = (values: Values) => ({
  dataDir: text(values, "data-dir"),
  json: flag(values, "json")
})

const status = (values: Values) =>
  Effect.gen(function*() {
    const args = argsOf(values)
    const resolved = yield* resolveApp(values)
    const app = resolved.app
    const dataDir = yield* resolveDataDir(resolved, args.dataDir)
    const { service, configPath } = yield* consentFor(app, dataDir)
    const decision = yield* service.resolve
    if (args.json) {
      yield* printJson("consent status", { app: app.name, ...decision, configPath })
      return
    }
    yield* stdout(...statusLines(app, decision, configPath))
  })

const setEnabled = (values: Values, enabled: boolean) =>
  Effect.gen(function*() {
    const args = argsOf(values)
    const resolved = yield* resolveApp(values)
    const app = resolved.app
    const dataDir = yield* resolveDataDir(resolved, args.dataDir)
    const { service, configPath } = yield* consentFor(app, dataDir)
    yield* expected(service.setEnabled(enabled))
    const decision = yield* service.resolve
    if (args.json) {
      yield* printJson(enabled ? "consent enable" : "consent disable", { app: app.name, wrote: { enabled }, ...decision, configPath })
      return
    }
    const lines = [`${app.name}: wrote "enabled": ${enabled} to ${configPath}`, `${app.name}: ${Consent.describe(decision)}`]
    if (decision.enabled !== enabled) {
      lines.push(`note: ${decision.reason}, which takes precedence over the config file`)
    }
    yield* stdout(...lines)
  })

/**
 * `posthog-backfill consent status|enable|disable`.
 *
 * @since 0.1.0
 * @category commands
 */
export const main = (which: "status" | "enable" | "disable", values: Values): Promise<number> =>
  runCommand(which === "status" ? status(values) : setEnabled(values, which === "enable"), values)
