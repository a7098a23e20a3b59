/**
 * The install id: a random v4 UUID that names this installation in every
 * event (the backfill's event ids derive from it). It lives in the app's
 * telemetry config file (`<dataDir>/<app.configFileName>`, under
 * `app.installIdKey`; for claude-mem `~/.claude-mem/telemetry.json`,
 * `installId`), beside the app's other settings.
 *
 * - `current` only reads: a dry run never creates anything.
 * - `getOrCreate` creates an id only when there is none (the key is absent,
 *   `null` or a blank string) and writes it atomically, keeping every other key
 *   of the file (a hand-written `{"enabled": false}` stays `enabled: false`).
 *   When the file does not exist yet it is created exclusively, so processes
 *   starting together agree on one id.
 * - A config file that is not a JSON object, or whose id is not a string, is
 *   never overwritten: both operations fail with an {@link InstallIdError}
 *   saying how to fix it.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import {
  createFileExclusive,
  describePlatformError,
  encodeJsonObject,
  type FileIo,
  readJsonObject,
  withKey,
  writeFileAtomic
} from "./internal/atomicWrite.js"

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
  /** The app's telemetry config file, `<dataDir>/<app.configFileName>`. */
  readonly configPath: string
  /** The id's key in that file, `app.installIdKey` (e.g. `installId`). */
  readonly key: string
}

/**
 * A new random install id (v4 UUID).
 *
 * @since 0.1.0
 * @category constructors
 */
export const generate: Effect.Effect<string> = Effect.sync(() => globalThis.crypto.randomUUID())

type Stored =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Found"; readonly id: string }
  | { readonly _tag: "NoId"; readonly config: Readonly<Record<string, unknown>> }

const readStored = (io: FileIo, options: Options): Effect.Effect<Stored, InstallIdError> =>
  readJsonObject(io, options.configPath).pipe(
    Effect.mapError((error) =>
      new InstallIdError({
        path: options.configPath,
        reason: "ReadFailed",
        message: `Cannot read the telemetry config file ${options.configPath} (${
          describePlatformError(error)
        }) to find the install id; make it a readable file (or remove it to start fresh).`,
        cause: error
      })
    ),
    Effect.flatMap((file): Effect.Effect<Stored, InstallIdError> => {
      switch (file._tag) {
        case "Missing":
          return Effect.succeed({ _tag: "Missing" })
        case "Invalid":
          return Effect.fail(
            new InstallIdError({
              path: options.configPath,
              reason: "InvalidFile",
              message: `The telemetry config file ${options.configPath} is not a JSON object (${file.reason}), so ` +
                `the install id cannot be read and the file will not be overwritten; fix it (e.g. {"${options.key}": ` +
                `"<uuid>"}) or remove it.`
            })
          )
        case "Object": {
          const value = file.value[options.key]
          if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
            return Effect.succeed({ _tag: "NoId", config: file.value })
          }
          if (typeof value === "string") return Effect.succeed({ _tag: "Found", id: value })
          return Effect.fail(
            new InstallIdError({
              path: options.configPath,
              reason: "InvalidValue",
              message: `The telemetry config file ${options.configPath} has "${options.key}": ${
                JSON.stringify(value)
              }, which is not an id string, and will not be overwritten; set it to a UUID string or remove the key.`
            })
          )
        }
      }
    })
  )

/**
 * A file-backed install id.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const io: FileIo = { fs: yield* FileSystem.FileSystem, path: yield* Path.Path }
    const lock = yield* Effect.makeSemaphore(1)
    const file = options.configPath

    const writeFailed = (error: PlatformError) =>
      new InstallIdError({
        path: file,
        reason: "WriteFailed",
        message: `Could not store a new install id in ${file} (${describePlatformError(error)}); check that ${
          io.path.dirname(file)
        } is a writable directory with free space.`,
        cause: error
      })

    const current: Service["current"] = Effect.map(
      readStored(io, options),
      (stored) => stored._tag === "Found" ? stored.id : undefined
    )

    const create = (config: Readonly<Record<string, unknown>> | undefined): Effect.Effect<string, InstallIdError> =>
      Effect.gen(function*() {
        const id = yield* generate
        if (config === undefined) {
          // No file yet: create it exclusively; when another process got there first, use its id.
          const created = yield* createFileExclusive(io, file, encodeJsonObject({ [options.key]: id })).pipe(
            Effect.mapError(writeFailed)
          )
          if (!created) return yield* getOrCreateUnlocked
        } else {
          yield* writeFileAtomic(io, file, encodeJsonObject(withKey(config, options.key, id))).pipe(
            Effect.mapError(writeFailed)
          )
        }
        yield* Effect.logInfo(`created a new install id in ${file}`)
        return id
      })

    const getOrCreateUnlocked: Effect.Effect<string, InstallIdError> = Effect.suspend(() =>
      Effect.flatMap(readStored(io, options), (stored) => {
        switch (stored._tag) {
          case "Found":
            return Effect.succeed(stored.id)
          case "Missing":
            return create(undefined)
          case "NoId":
            return create(stored.config)
        }
      })
    )

    return InstallId.of({ current, getOrCreate: lock.withPermits(1)(getOrCreateUnlocked) })
  })

/**
 * The file-backed install id. Requires `FileSystem` and `Path` (e.g.
 * `NodeContext.layer`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<InstallId, never, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(InstallId, make(options))

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
