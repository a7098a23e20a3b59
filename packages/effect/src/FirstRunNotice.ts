/**
 * A one-time, versioned first-run notice: the app supplies the text (what it
 * collects, how to turn it off) and a version it bumps when the text changes
 * materially; a host shows it before its first live event, once per version.
 *
 * The version last shown is stored in the app's telemetry config file
 * (`ConfigFile`, the one that holds `enabled` and the install id), under `key`
 * (default `telemetryNoticeVersion`), through `ConfigFile.update`: one lock
 * with the other keys, every other key kept.
 *
 * - `shouldShow(version)` only reads: true when the stored version is below
 *   `version` (or there is none, or the file cannot be used).
 * - `markShown(version)` stores `version` (never lowers it). A dry run
 *   (`<PREFIX>_DEBUG=1`) writes nothing, so the notice shows again next time.
 *   A config file that is not a JSON object is never overwritten.
 * - `showOnce(notice, show)` does both around the host's own `show`.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as nodePath from "node:path"
import { ConfigFile, type ConfigFileError } from "./ConfigFile.js"
import { withKey } from "./internal/configText.js"

/**
 * The notice an app shows: its text and its version (a whole number >= 1).
 *
 * @since 0.1.0
 * @category models
 */
export interface Notice {
  readonly version: number
  readonly text: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Whether a notice of this version still has to be shown. Never writes, never fails. */
  readonly shouldShow: (version: number) => Effect.Effect<boolean>
  /** Records that this version was shown. Writes nothing in a dry run. */
  readonly markShown: (version: number) => Effect.Effect<void, FirstRunNoticeError>
  /**
   * Shows the notice with `show` when it still has to be shown, then records
   * it; answers whether it was shown. A failing `show` records nothing.
   */
  readonly showOnce: <E, R>(
    notice: Notice,
    show: (text: string) => Effect.Effect<void, E, R>
  ) => Effect.Effect<boolean, E | FirstRunNoticeError, R>
}

/**
 * The service key.
 *
 * @since 0.1.0
 * @category tags
 */
export class FirstRunNotice extends Context.Tag("@posthog-backfill/effect/FirstRunNotice")<FirstRunNotice, Service>() {}

/**
 * `markShown` could not record the notice:
 *
 * - `InvalidVersion`: the version is not a whole number >= 1.
 * - `ReadFailed`: the config file exists but cannot be read.
 * - `InvalidFile`: it is not a JSON object (left untouched).
 * - `WriteFailed`: the new file could not be written (nothing partial was left).
 *
 * @since 0.1.0
 * @category errors
 */
export class FirstRunNoticeError extends Data.TaggedError("FirstRunNoticeError")<{
  readonly reason: "InvalidVersion" | "ReadFailed" | "InvalidFile" | "WriteFailed"
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The app's consent prefix: `<PREFIX>_DEBUG=1` is a dry run that writes nothing. */
  readonly envPrefix: string
  /** The key the shown version is stored under. Default {@link DEFAULT_KEY}. */
  readonly key?: string | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_KEY = "telemetryNoticeVersion"

const isVersion = (version: number): boolean => Number.isSafeInteger(version) && version >= 1

const invalidVersion = (version: number) =>
  new FirstRunNoticeError({
    reason: "InvalidVersion",
    message: `The notice version ${version} is not a whole number >= 1; number notices 1, 2, 3, ... and bump it when the text changes.`
  })

const storedVersion = (value: unknown): number => (typeof value === "number" && Number.isSafeInteger(value) ? value : 0)

const fromShouldShowAndMark = (
  shouldShow: Service["shouldShow"],
  markShown: Service["markShown"]
): Service["showOnce"] =>
(notice, show) =>
  Effect.gen(function*() {
    if (!(yield* shouldShow(notice.version))) return false
    yield* show(notice.text)
    yield* markShown(notice.version)
    return true
  })

/**
 * The notice over the app's `ConfigFile`. The `ConfigProvider` in place while
 * this runs is the one `<PREFIX>_DEBUG` is read through.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, ConfigFile> =>
  Effect.gen(function*() {
    const config = yield* ConfigFile
    const provider = yield* Effect.configProviderWith(Effect.succeed)
    const file = config.path
    const key = options.key ?? DEFAULT_KEY

    const debug = Config.option(Config.string(`${options.envPrefix}_DEBUG`)).pipe(
      Effect.map((value) => Option.isSome(value) && value.value === "1"),
      // An environment that cannot be read is treated as a dry run: write nothing.
      Effect.orElseSucceed(() => true),
      Effect.withConfigProvider(provider)
    )

    const shouldShow: Service["shouldShow"] = (version) =>
      Effect.gen(function*() {
        if (!isVersion(version)) {
          yield* Effect.logWarning(invalidVersion(version).message)
          return false
        }
        const current = yield* Effect.either(config.read)
        if (current._tag === "Left") {
          yield* Effect.logWarning(
            `cannot read ${file} (${current.left.description}) to see whether the telemetry notice was shown; showing it`
          )
          return true
        }
        switch (current.right._tag) {
          case "Missing":
            return true
          case "Invalid":
            yield* Effect.logWarning(`${file} cannot be used (${current.right.reason}); showing the telemetry notice`)
            return true
          case "Object":
            return storedVersion(current.right.value[key]) < version
        }
      })

    const toNoticeError = (version: number) => (error: ConfigFileError): FirstRunNoticeError => {
      switch (error.reason) {
        case "InvalidFile":
          return new FirstRunNoticeError({
            reason: "InvalidFile",
            message: `${file} cannot be used (${error.description}); it was left untouched. Fix it (e.g. ` +
              `{"${key}": ${version}}) or delete it.`
          })
        case "ReadFailed":
          return new FirstRunNoticeError({
            reason: "ReadFailed",
            message: `Cannot read ${file} (${error.description}) to record the telemetry notice; make it a readable file.`,
            cause: error
          })
        case "WriteFailed":
        case "Locked":
          return new FirstRunNoticeError({
            reason: "WriteFailed",
            message: `Could not record the telemetry notice in ${file} (${error.description}); check that ${
              nodePath.dirname(file)
            } is a writable directory with free space.`,
            cause: error
          })
      }
    }

    const markShown: Service["markShown"] = (version) =>
      Effect.gen(function*() {
        if (!isVersion(version)) return yield* Effect.fail(invalidVersion(version))
        if (yield* debug) {
          yield* Effect.logDebug(`dry run: telemetry notice ${version} not recorded in ${file}`)
          return
        }
        yield* config.update((current) =>
          Effect.succeed(
            storedVersion(current?.[key]) >= version
              ? { value: undefined }
              : { value: undefined, next: withKey(current ?? {}, key, version) }
          )
        ).pipe(Effect.mapError(toNoticeError(version)))
      })

    return FirstRunNotice.of({ shouldShow, markShown, showOnce: fromShouldShowAndMark(shouldShow, markShown) })
  })

/**
 * The notice over the app's `ConfigFile`, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<FirstRunNotice, never, ConfigFile> =>
  Layer.effect(FirstRunNotice, make(options))

/**
 * An in-memory notice starting at `shown` (default: none shown), for tests.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (shown = 0): Layer.Layer<FirstRunNotice> =>
  Layer.effect(
    FirstRunNotice,
    Effect.gen(function*() {
      const ref = yield* Ref.make(shown)
      const shouldShow: Service["shouldShow"] = (version) => Effect.map(Ref.get(ref), (current) => isVersion(version) && current < version)
      const markShown: Service["markShown"] = (version) =>
        isVersion(version) ? Ref.update(ref, (current) => Math.max(current, version)) : Effect.fail(invalidVersion(version))
      return FirstRunNotice.of({ shouldShow, markShown, showOnce: fromShouldShowAndMark(shouldShow, markShown) })
    })
  )
