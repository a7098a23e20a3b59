/**
 * The install id: a random v4 UUID that names this installation in every
 * event (the backfill's event ids derive from it). It lives in the app's
 * telemetry config file (`ConfigFile`, under `app.installIdKey`; for
 * claude-mem `~/.claude-mem/telemetry.json`, `installId`), beside the app's
 * other settings.
 *
 * - `current` only reads: a dry run never creates anything.
 * - `getOrCreate` creates an id only when there is none (the key is absent,
 *   `null` or a blank string), inside `ConfigFile.update`: the read, the new
 *   id and the write happen under one lock across processes, so processes
 *   starting together agree on one id, and every other key of the file is
 *   kept (a hand-written `{"enabled": false}` stays `enabled: false`).
 * - A config file that is not a JSON object, or whose id is not a string, is
 *   never overwritten: both operations fail with an {@link InstallIdError}
 *   saying how to fix it.
 *
 * @since 0.1.0
 */
import { BackfillProtocol } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as nodePath from "node:path"
import { ConfigFile, ConfigFileError, type ConfigObject } from "./ConfigFile.js"
import { withKey } from "./internal/configText.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The stored id, or `undefined` when there is none yet. Never writes. */
  readonly current: Effect.Effect<string | undefined, InstallIdError>
  /** The stored id, created and persisted first when there is none. */
  readonly getOrCreate: Effect.Effect<string, InstallIdError>
}

/**
 * The install id service.
 *
 * @since 0.1.0
 * @category tags
 */
export class InstallId extends Context.Tag("@posthog-backfill/effect/InstallId")<InstallId, Service>() {}

/**
 * Why the install id could not be read or stored:
 *
 * - `ReadFailed`: the config file exists but cannot be read.
 * - `InvalidFile`: it is not a JSON object (left untouched).
 * - `InvalidValue`: the id key holds something other than a string (left untouched).
 * - `WriteFailed`: a new id could not be written (nothing partial was left).
 *
 * @since 0.1.0
 * @category errors
 */
export class InstallIdError extends Data.TaggedError("InstallIdError")<{
  readonly path: string
  readonly reason: "ReadFailed" | "InvalidFile" | "InvalidValue" | "WriteFailed"
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The id's key in the config file, `app.installIdKey` (e.g. `installId`). */
  readonly key: string
}

/**
 * The install id a dry run or a plan shows when the app has none yet (a dry
 * run never creates one). Its events say so: their distinct id is this string.
 *
 * @since 0.1.0
 * @category constants
 */
export const PLACEHOLDER_INSTALL_ID: string = BackfillProtocol.PLACEHOLDER_INSTALL_ID

/**
 * A new random install id (v4 UUID).
 *
 * @since 0.1.0
 * @category constructors
 */
export const generate: Effect.Effect<string> = Effect.sync(() => globalThis.crypto.randomUUID())

/** The id in a config object: `undefined` when there is none yet, an error when the key holds something else. */
const idIn = (file: string, key: string, config: ConfigObject | undefined): Effect.Effect<string | undefined, InstallIdError> => {
  const value = config?.[key]
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return Effect.succeed(undefined)
  if (typeof value === "string") return Effect.succeed(value)
  return Effect.fail(
    new InstallIdError({
      path: file,
      reason: "InvalidValue",
      message: `The telemetry config file ${file} has "${key}": ${
        JSON.stringify(value)
      }, which is not an id string, and will not be overwritten; set it to a UUID string or remove the key.`
    })
  )
}

const fromConfigFileError = (file: string, key: string) => (error: ConfigFileError): InstallIdError => {
  switch (error.reason) {
    case "InvalidFile":
      return new InstallIdError({
        path: file,
        reason: "InvalidFile",
        message: `The telemetry config file ${file} cannot be used (${error.description}), so the install id cannot ` +
          `be read and the file will not be overwritten; fix it (e.g. {"${key}": "<uuid>"}) or remove it.`
      })
    case "ReadFailed":
      return new InstallIdError({
        path: file,
        reason: "ReadFailed",
        message: `Cannot read the telemetry config file ${file} (${error.description}) to find the install id; make it a ` +
          "readable file (or remove it to start fresh).",
        cause: error
      })
    case "WriteFailed":
    case "Locked":
      return new InstallIdError({
        path: file,
        reason: "WriteFailed",
        message: `Could not store a new install id in ${file} (${error.description}); check that ${
          nodePath.dirname(file)
        } is a writable directory with free space.`,
        cause: error
      })
  }
}

/**
 * The install id over the app's `ConfigFile`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, ConfigFile> =>
  Effect.gen(function*() {
    const config = yield* ConfigFile
    const file = config.path
    const fail = fromConfigFileError(file, options.key)

    const current: Service["current"] = config.read.pipe(
      Effect.mapError(fail),
      Effect.flatMap((contents) => {
        switch (contents._tag) {
          case "Missing":
            return Effect.succeed(undefined)
          case "Invalid":
            return Effect.fail(fail(new ConfigFileError({ path: file, reason: "InvalidFile", description: contents.reason })))
          case "Object":
            return idIn(file, options.key, contents.value)
        }
      })
    )

    const create = config.update((stored) =>
      Effect.gen(function*() {
        const existing = yield* idIn(file, options.key, stored)
        if (existing !== undefined) return { value: { id: existing, created: false } }
        const id = yield* generate
        return { value: { id, created: true }, next: withKey(stored ?? {}, options.key, id) }
      })
    ).pipe(
      Effect.mapError((error) => (error instanceof InstallIdError ? error : fail(error))),
      Effect.tap(({ created }) => (created ? Effect.logInfo(`created a new install id in ${file}`) : Effect.void)),
      Effect.map(({ id }) => id)
    )

    // The common case (an id exists) reads without the lock.
    const getOrCreate: Service["getOrCreate"] = Effect.flatMap(current, (id) => (id !== undefined ? Effect.succeed(id) : create))

    return InstallId.of({ current, getOrCreate })
  })

/**
 * The install id over the app's `ConfigFile`, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<InstallId, never, ConfigFile> => Layer.effect(InstallId, make(options))

/**
 * A fixed install id (`current` and `getOrCreate` both answer it), for tests
 * and hosts that manage the id themselves.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (id: string): Layer.Layer<InstallId> =>
  Layer.succeed(InstallId, InstallId.of({ current: Effect.succeed(id), getOrCreate: Effect.succeed(id) }))

/**
 * An in-memory install id starting at `initial` (default none): `getOrCreate`
 * generates a v4 UUID once, and `current` shows it afterwards.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (initial?: string | undefined): Layer.Layer<InstallId> =>
  Layer.effect(
    InstallId,
    Effect.gen(function*() {
      const ref = yield* Ref.make<string | undefined>(initial)
      const lock = yield* Effect.makeSemaphore(1)
      const getOrCreate = Effect.flatMap(Ref.get(ref), (id) =>
        id !== undefined ? Effect.succeed(id) : Effect.tap(generate, (created) => Ref.set(ref, created)))
      return InstallId.of({ current: Ref.get(ref), getOrCreate: lock.withPermits(1)(getOrCreate) })
    })
  )
