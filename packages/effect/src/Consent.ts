/**
 * Telemetry consent: reads the environment and the app's telemetry config
 * file, and lets `@posthog-backfill/core`'s `resolveConsent` decide. The same
 * decision gates live events and the backfill. In order of precedence:
 * `DO_NOT_TRACK`, `<PREFIX>=0|1`, the config file's `enabled` when it is
 * anything but the boolean `true` (fails closed: `"false"`, `0`, `null`, even
 * `"true"` are off), a CI environment, then on by default; `<PREFIX>_DEBUG=1` (exactly `1`) is a dry
 * run. The decision's `source` and `reason` say which rule won; {@link describe}
 * turns it into one line for a CLI.
 *
 * The environment is read through Effect's `Config` (so a test swaps the
 * `ConfigProvider`, e.g. `Layer.setConfigProvider(ConfigProvider.fromMap(...))`),
 * with the provider in place when the layer is built; the variables read are
 * {@link environmentVariables}. The config file is read through `ConfigFile`
 * on every `resolve` (a missing file means no config) and is never written by
 * it. A config file that exists but cannot be read or is not a JSON object
 * turns telemetry off (privacy-safe) as if it said `enabled: false` (so
 * `DO_NOT_TRACK` still wins, and `<PREFIX>=1` still forces on), with a reason
 * saying how to fix it.
 *
 * `setEnabled` writes the file's `enabled` flag through `ConfigFile.update`
 * (one lock with the install id and the notice), keeping every other key; it
 * refuses to touch a file that is not a JSON object.
 *
 * @since 0.1.0
 */
import { ConsentRules } from "@posthog-backfill/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as nodePath from "node:path"
import { ConfigFile, type ConfigFileError, type Contents } from "./ConfigFile.js"
import { withKey } from "./internal/configText.js"

type ConsentDecision = ConsentRules.ConsentDecision
type Env = ConsentRules.Env

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
  ...ConsentRules.CI_ENV_VARS
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
 * The consent service over the app's `ConfigFile`. The `ConfigProvider` in
 * place while this runs is the one `resolve` reads the environment through.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, ConfigFile> =>
  Effect.gen(function*() {
    const config = yield* ConfigFile
    const provider = yield* Effect.configProviderWith(Effect.succeed)
    const file = config.path

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
      const contents: Contents = yield* config.read.pipe(
        Effect.catchAll((error) => Effect.succeed<Contents>({ _tag: "Invalid", reason: error.description }))
      )
      let decision: ConsentDecision
      if (contents._tag === "Invalid") {
        decision = ConsentRules.resolveConsent({ env: env.right, envPrefix: options.envPrefix, config: { enabled: false } })
        if (decision.source === "config") decision = { ...decision, reason: brokenFileReason(contents.reason) }
        yield* Effect.logWarning(`${brokenFileReason(contents.reason)} (telemetry decision: ${describe(decision)})`)
      } else {
        decision = ConsentRules.resolveConsent({
          env: env.right,
          envPrefix: options.envPrefix,
          config: contents._tag === "Object" ? contents.value : undefined
        })
      }
      yield* Effect.logDebug(describe(decision))
      return decision
    })

    const toConsentError = (enabled: boolean) => (error: ConfigFileError): ConsentConfigError => {
      switch (error.reason) {
        case "InvalidFile":
          return new ConsentConfigError({
            path: file,
            reason: "InvalidFile",
            message: `The telemetry config file ${file} cannot be used (${error.description}); it was left untouched. ` +
              `Fix it (e.g. {"enabled": ${enabled}}) or delete it, then try again.`
          })
        case "ReadFailed":
          return new ConsentConfigError({
            path: file,
            reason: "ReadFailed",
            message: `Cannot read the telemetry config file ${file} (${error.description}); make it a readable file, then try again.`,
            cause: error
          })
        case "WriteFailed":
        case "Locked":
          return new ConsentConfigError({
            path: file,
            reason: "WriteFailed",
            message: `Could not write the telemetry config file ${file} (${error.description}); check that ` +
              `${nodePath.dirname(file)} is a writable directory with free space.`,
            cause: error
          })
      }
    }

    const setEnabled: Service["setEnabled"] = (enabled) =>
      config.update((current) => Effect.succeed({ value: undefined, next: withKey(current ?? {}, "enabled", enabled) })).pipe(
        Effect.mapError(toConsentError(enabled)),
        Effect.zipRight(Effect.logInfo(`telemetry ${enabled ? "enabled" : "disabled"} in ${file}`))
      )

    return Consent.of({ resolve, setEnabled })
  })

/**
 * The consent service over the app's `ConfigFile`; reads the environment
 * through the `ConfigProvider` in place when the layer is built.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Consent, never, ConfigFile> => Layer.effect(Consent, make(options))

/**
 * A fixed decision, for tests. `setEnabled` succeeds and changes nothing.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (decision: ConsentDecision): Layer.Layer<Consent> =>
  Layer.succeed(Consent, Consent.of({ resolve: Effect.succeed(decision), setEnabled: () => Effect.void }))
