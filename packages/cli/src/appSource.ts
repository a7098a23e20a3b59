/**
 * Which app a command works on, strongest first:
 *
 * 1. `--app <module>`: a JS or TS file, or a package name, that exports a
 *    `defineBackfillApp(...)` definition (the default export, `app`, or its
 *    only export that is one), or a config object `{ app, database?, dataDir?, dashboards? }`;
 * 2. `--preset <name>`: a bundled app;
 * 3. a config file, `posthog-backfill.config.{mjs,js,cjs,mts,ts}`, found
 *    upward from the working directory (its `database` and `dataDir` are
 *    relative to the file);
 * 4. the default preset, claude-mem.
 *
 * @since 0.1.0
 */
import { BackfillApp, type Insight, Presets } from "@posthog-backfill/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { Values } from "./args/parse.js"
import { type CliError, usageError } from "./errors.js"
import { text } from "./run.js"

/**
 * The config file names looked for, in this order, in each directory.
 *
 * @since 0.1.0
 * @category constants
 */
export const CONFIG_FILE_NAMES = [
  "posthog-backfill.config.mjs",
  "posthog-backfill.config.js",
  "posthog-backfill.config.cjs",
  "posthog-backfill.config.mts",
  "posthog-backfill.config.ts"
] as const

/**
 * The preset used when nothing else names an app.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_PRESET = "claude-mem"

/**
 * The app a command works on, with the paths its source gave.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedApp {
  readonly app: BackfillApp.BackfillApp
  /** Where it came from, for messages: `preset claude-mem`, `./telemetry/app.mjs`, ... */
  readonly from: string
  /** A config object's database and data dir (absolute), used when the flags give none. */
  readonly database?: string | undefined
  readonly dataDir?: string | undefined
  /** Dashboards the app declares (a `dashboards` export, or the config object's); `dashboards apply` includes them. */
  readonly dashboards?: ReadonlyArray<Insight.DashboardDefinition> | undefined
}

/**
 * Looks a preset up by name; an unknown name lists the known ones.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolvePreset = (name: string): Effect.Effect<BackfillApp.BackfillApp, CliError> => {
  const app = Presets.findPreset(name.trim())
  return app !== undefined
    ? Effect.succeed(app)
    : Effect.fail(usageError(`unknown preset ${JSON.stringify(name)}: pass --preset with one of ${Object.keys(Presets.presets).join(", ")}, or --app <module> for your own app`))
}

/**
 * The nearest config file at or above `dir`, if any.
 *
 * @since 0.1.0
 * @category resolving
 */
export const findConfigFile = (dir: string): string | undefined => {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(current, name)
      if (fs.existsSync(candidate)) return candidate
    }
    if (path.dirname(current) === current) return undefined
  }
}

const isTypeScript = (file: string) => /\.[cm]?ts$/i.test(file)

/** A path (`./x`, `/x`, `x.mjs`) or a package name, resolved from the working directory. */
const locate = (specifier: string, cwd: string): Effect.Effect<string, CliError> =>
  Effect.try({
    try: () => {
      const asPath = path.resolve(cwd, specifier)
      if (/^[./\\]/.test(specifier) || path.isAbsolute(specifier) || fs.existsSync(asPath)) {
        if (!fs.existsSync(asPath)) throw new Error(`no file at ${asPath}`)
        return asPath
      }
      return createRequire(path.join(cwd, "noop.js")).resolve(specifier)
    },
    catch: (error) =>
      usageError(
        `--app ${JSON.stringify(specifier)}: ${firstLine(error)}: pass a file (./telemetry/app.mjs) or an installed package ` +
          "whose module exports defineBackfillApp(...)"
      )
  })

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? ""

/** Imports a module; what fails is said in one line, with what to do for TypeScript. */
const load = (file: string, shown: string): Effect.Effect<Record<string, unknown>, CliError> =>
  Effect.tryPromise({
    try: () => import(pathToFileURL(file).href) as Promise<Record<string, unknown>>,
    catch: (error) => {
      const code = (error as { code?: unknown }).code
      if (isTypeScript(file) && (code === "ERR_UNKNOWN_FILE_EXTENSION" || code === "ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING")) {
        return usageError(
          `cannot load ${shown}: Node ${process.version} does not run TypeScript; run the CLI under Bun (bunx posthog-backfill), ` +
            "under Node 22.6+ with NODE_OPTIONS=--experimental-strip-types, or point at a .js or .mjs build of it"
        )
      }
      return usageError(`could not load ${shown}: ${firstLine(error)}`)
    }
  })

const looksLikeApp = (value: unknown): value is BackfillApp.BackfillApp =>
  typeof value === "object" && value !== null && typeof (value as { name?: unknown }).name === "string" &&
  typeof (value as { spec?: unknown }).spec === "object" && typeof (value as { namespace?: unknown }).namespace === "string"

const pathOf = (value: unknown, key: string, base: string, shown: string): Effect.Effect<string | undefined, CliError> =>
  value === undefined
    ? Effect.succeed(undefined)
    : typeof value === "string" && value.trim() !== ""
    ? Effect.succeed(path.resolve(base, value))
    : Effect.fail(usageError(`${shown}: ${key} must be a path (a non-empty string), relative to the file`))

/** The app a module exports: `default`, `app`, or a config object's `app`. */
const fromModule = (module: Record<string, unknown>, file: string, shown: string): Effect.Effect<ResolvedApp, CliError> =>
  Effect.gen(function*() {
    const candidates = [module["default"], module["app"]]
    // Else the one export that is an app, whatever its name (`export const mux = defineBackfillApp(...)`).
    const named = Object.entries(module).filter(([, value]) => looksLikeApp(value))
    if (!candidates.some(looksLikeApp) && named.length > 1) {
      return yield* Effect.fail(
        usageError(`${shown} exports ${named.length} backfill apps (${named.map(([name]) => name).join(", ")}): export the one to use as app, or as the default export`)
      )
    }
    const direct = candidates.find(looksLikeApp) ?? named[0]?.[1] as BackfillApp.BackfillApp | undefined
    const config = candidates.find((value) => typeof value === "object" && value !== null && looksLikeApp((value as { app?: unknown }).app)) as
      | { readonly app: BackfillApp.BackfillApp; readonly database?: unknown; readonly dataDir?: unknown; readonly dashboards?: unknown }
      | undefined
    const app = direct ?? config?.app
    if (app === undefined) {
      return yield* Effect.fail(
        usageError(
          `${shown} exports no backfill app: export default defineBackfillApp({...}) (BackfillApp from @posthog-backfill/core), ` +
            "export const app = ..., or export default { app, database, dataDir }"
        )
      )
    }
    const problems = BackfillApp.validateBackfillApp(app)
    if (problems.length > 0) return yield* Effect.fail(usageError(`${shown}: the app ${JSON.stringify(app.name)} is invalid: ${problems.join("; ")}`))
    const base = path.dirname(file)
    const dashboards = config?.dashboards ?? module["dashboards"]
    if (dashboards !== undefined && !(Array.isArray(dashboards) && dashboards.every((d) => typeof d === "object" && d !== null && typeof d.id === "string"))) {
      return yield* Effect.fail(usageError(`${shown}: dashboards must be a list of dashboard definitions (Dashboard.defineDashboard from @posthog-backfill/core)`))
    }
    return {
      app,
      from: shown,
      database: yield* pathOf(config?.database, "database", base, shown),
      dataDir: yield* pathOf(config?.dataDir, "dataDir", base, shown),
      dashboards: dashboards as ReadonlyArray<Insight.DashboardDefinition> | undefined
    }
  })

const loadApp = (file: string, shown: string) => Effect.flatMap(load(file, shown), (module) => fromModule(module, file, shown))

/**
 * The app of a command line (see the module's doc for the order).
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolveApp = (values: Values, cwd = process.cwd()): Effect.Effect<ResolvedApp, CliError> =>
  Effect.gen(function*() {
    const module = Option.filter(text(values, "app"), (value) => value.trim() !== "")
    const preset = Option.filter(text(values, "preset"), (value) => value.trim() !== "")
    if (Option.isSome(module) && Option.isSome(preset)) {
      return yield* Effect.fail(usageError("--app and --preset both name an app: pass one of them"))
    }
    if (Option.isSome(module)) {
      const file = yield* locate(module.value.trim(), cwd)
      return yield* loadApp(file, module.value.trim())
    }
    if (Option.isSome(preset)) return { app: yield* resolvePreset(preset.value), from: `preset ${preset.value.trim()}` }
    const config = findConfigFile(cwd)
    if (config !== undefined) return yield* loadApp(config, path.relative(cwd, config) || path.basename(config))
    return { app: yield* resolvePreset(DEFAULT_PRESET), from: `preset ${DEFAULT_PRESET}` }
  })
