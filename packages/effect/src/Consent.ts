/**
 * Telemetry consent: reads the environment and the app's telemetry config
 * file, and lets `@posthog-backfill/core`'s `resolveConsent` decide. The same
 * decision gates live events and the backfill. In order of precedence:
 * `DO_NOT_TRACK`, `<PREFIX>=0|1`, the config file's `enabled: false`, a CI
 * environment, then on by default; `<PREFIX>_DEBUG=1` (exactly `1`) is a dry
 * run. The decision's `source` and `reason` say which rule won; {@link describe}
 * turns it into one line for a CLI.
 *
 * The environment is read through Effect's `Config` (so a test swaps the
 * `ConfigProvider`, e.g. `Layer.setConfigProvider(ConfigProvider.fromMap(...))`),
 * with the provider in place when the layer is built; the variables read are
 * {@link environmentVariables}. The config file is read on every `resolve`
 * (a missing file means no config) and is never written by it. A config file
 * that exists but cannot be read or is not a JSON object turns telemetry off
 * (privacy-safe) as if it said `enabled: false` (so `DO_NOT_TRACK` still wins,
 * and `<PREFIX>=1` still forces on), with a reason saying how to fix it.
 *
 * `setEnabled` writes the file's `enabled` flag atomically, keeping every
 * other key; it refuses to touch a file that is not a JSON object.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { CI_ENV_VARS, type ConsentDecision, type Env, resolveConsent } from "@posthog-backfill/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import {
  describePlatformError,
  encodeJsonObject,
  type FileIo,
  type JsonObjectFile,
  readJsonObject,
  withKey,
  writeFileAtomic
} from "./internal/atomicWrite.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The current decision, with the rule that made it (`source`) and why (`reason`). Never writes. */
  readonly resolve: Effect.Effect<ConsentDecision>
  /**
   * Sets the config file's `enabled` flag (`consent enable|disable`), creating
   * the file when missing and keeping every other key. The environment still
   * takes precedence over it.
   */
  readonly setEnabled: (enabled: boolean) => Effect.Effect<void, ConsentConfigError>
}

/**
 * The consent service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Consent extends Context.Tag("@posthog-backfill/effect/Consent")<Consent, Service>() {}

/**
 * `setEnabled` could not update the config file:
 *
 * - `ReadFailed`: the file exists but cannot be read.
 * - `InvalidFile`: it is not a JSON object (left untouched).
 * - `WriteFailed`: the new file could not be written (nothing partial was left).
 *
 * @since 0.1.0
 * @category errors
 */
export class ConsentConfigError extends Data.TaggedError("ConsentConfigError")<{
  readonly path: string
  readonly reason: "ReadFailed" | "InvalidFile" | "WriteFailed"
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The app's consent prefix, `app.consentEnvPrefix` (e.g. `CLAUDE_MEM_TELEMETRY`). */
  readonly envPrefix: string
  /** The app's telemetry config file, `<dataDir>/<app.configFileName>`. */
  readonly configPath: string
}

/**
 * Every environment variable consent reads: `DO_NOT_TRACK`, `<PREFIX>`,
 * `<PREFIX>_DEBUG` and core's `CI_ENV_VARS`.
 *
 * @since 0.1.0
 * @category getters
 */
export const environmentVariables = (envPrefix: string): ReadonlyArray<string> => [
  "DO_NOT_TRACK",
  envPrefix,
  `${envPrefix}_DEBUG`,
  ...CI_ENV_VARS
]

/**
 * One line for a person, e.g. `telemetry is off: DO_NOT_TRACK=1 turned
 * telemetry off (rule: do-not-track)`, plus the dry-run note when debugging.
 *
 * @since 0.1.0
 * @category formatting
 */
export const describe = (decision: ConsentDecision): string =>
  `telemetry is ${decision.enabled ? "on" : "off"}: ${decision.reason} (rule: ${decision.source})` +
  (decision.debug ? "; debug mode: a dry run that prints events and sends or writes nothing" : "")

const readEnvironment = (envPrefix: string): Effect.Effect<Env, ConfigError.ConfigError> => {
  const names = environmentVariables(envPrefix)
  return Effect.map(
    Config.all(names.map((name) => Config.option(Config.string(name)))),
    (values) => {
      const env: Record<string, string | undefined> = {}
      names.forEach((name, index) => {
        const value = values[index]
        if (value !== undefined && Option.isSome(value)) env[name] = value.value
      })
      return env
    }
  )
}

/**
 * A file-backed consent service. The `ConfigProvider` in place while this
 * runs is the one `resolve` reads the environment through.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const io: FileIo = { fs: yield* FileSystem.FileSystem, path: yield* Path.Path }
    const provider = yield* Effect.configProviderWith(Effect.succeed)
    const lock = yield* Effect.makeSemaphore(1)
    const file = options.configPath

    const brokenFileReason = (why: string) =>
      `the telemetry config file ${file} cannot be used (${why}), so telemetry is off; fix it (a JSON object such ` +
      `as {"enabled": true}) or delete it`

    const resolve: Service["resolve"] = Effect.gen(function*() {
      const env = yield* readEnvironment(options.envPrefix).pipe(Effect.withConfigProvider(provider), Effect.either)
      if (env._tag === "Left") {
        yield* Effect.logWarning(`could not read the environment for telemetry consent: ${env.left.message}`)
        return {
          enabled: false,
          source: "env",
          reason: `the environment could not be read (${env.left.message}), so telemetry is off`,
          debug: false
        } satisfies ConsentDecision
      }
      const config: JsonObjectFile = yield* readJsonObject(io, file).pipe(
        Effect.catchAll((error) =>
          Effect.succeed<JsonObjectFile>({ _tag: "Invalid", reason: describePlatformError(error) })
        )
      )
      let decision: ConsentDecision
      if (config._tag === "Invalid") {
        decision = resolveConsent({ env: env.right, envPrefix: options.envPrefix, config: { enabled: false } })
        if (decision.source === "config") decision = { ...decision, reason: brokenFileReason(config.reason) }
        yield* Effect.logWarning(`${brokenFileReason(config.reason)} (telemetry decision: ${describe(decision)})`)
      } else {
        decision = resolveConsent({
          env: env.right,
          envPrefix: options.envPrefix,
          config: config._tag === "Object" ? config.value : undefined
        })
      }
      yield* Effect.logDebug(describe(decision))
      return decision
    })

    const fail = (reason: ConsentConfigError["reason"], message: string, cause?: PlatformError) =>
      new ConsentConfigError(cause === undefined ? { path: file, reason, message } : { path: file, reason, message, cause })

    const setEnabled: Service["setEnabled"] = (enabled) =>
      lock.withPermits(1)(Effect.gen(function*() {
        const current = yield* readJsonObject(io, file).pipe(
          Effect.mapError((error) =>
            fail(
              "ReadFailed",
              `Cannot read the telemetry config file ${file} (${
                describePlatformError(error)
              }); make it a readable file, then try again.`,
              error
            )
          )
        )
        if (current._tag === "Invalid") {
          return yield* fail(
            "InvalidFile",
            `The telemetry config file ${file} is not a JSON object (${current.reason}); it was left untouched. ` +
              `Fix it (e.g. {"enabled": ${enabled}}) or delete it, then try again.`
          )
        }
        const next = withKey(current._tag === "Object" ? current.value : {}, "enabled", enabled)
        yield* writeFileAtomic(io, file, encodeJsonObject(next)).pipe(
          Effect.mapError((error) =>
            fail(
              "WriteFailed",
              `Could not write the telemetry config file ${file} (${describePlatformError(error)}); check that ${
                io.path.dirname(file)
              } is a writable directory with free space.`,
              error
            )
          )
        )
        yield* Effect.logInfo(`telemetry ${enabled ? "enabled" : "disabled"} in ${file}`)
      }))

    return Consent.of({ resolve, setEnabled })
  })

/**
 * The file-backed consent service. Requires `FileSystem` and `Path` (e.g.
 * `NodeContext.layer`); reads the environment through the `ConfigProvider`
 * in place when the layer is built.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Consent, never, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(Consent, make(options))

/**
 * A fixed decision, for tests. `setEnabled` succeeds and changes nothing.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (decision: ConsentDecision): Layer.Layer<Consent> =>
  Layer.succeed(Consent, Consent.of({ resolve: Effect.succeed(decision), setEnabled: () => Effect.void }))
