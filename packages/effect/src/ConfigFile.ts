/**
 * The app's telemetry config file (`<dataDir>/<app.configFileName>`, e.g.
 * `~/.claude-mem/telemetry.json`): one owner for it. `Consent`, `InstallId`
 * and `FirstRunNotice` keep their keys in it (`enabled`, the install id, the
 * notice version) beside the app's own settings, and all of them read and
 * change it only through this service:
 *
 * - `read` answers what the file holds now: `Missing`, an `Object`, or
 *   `Invalid` (not a JSON object, or not a regular file: a link, a FIFO, a
 *   huge file) with the reason. Writes are atomic renames,
 *   so a read never sees half a file and takes no lock.
 * - `update(f)` runs `f` on the current object under one lock that holds in
 *   this process (every service instance on the same file shares it) and
 *   across processes (a lock file beside the config, `<file>.lock`, taken
 *   over when its process is gone), then writes what `f` returns atomically,
 *   keeping every key `f` kept. Two processes that each create an install id
 *   therefore agree on one, and `consent disable` can never race an id away.
 *   A file that is not a JSON object is never passed to `f` nor overwritten.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as nodePath from "node:path"
import { type ConfigObject, encodeConfig, parseConfig } from "./internal/configText.js"
import * as LeaseFile from "./internal/leaseFile.js"
import { readText, type StateFileError, writeAtomic } from "./internal/stateFile.js"

export type { ConfigObject } from "./internal/configText.js"

/**
 * What the config file holds.
 *
 * @since 0.1.0
 * @category models
 */
export type Contents =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Object"; readonly value: ConfigObject }
  | { readonly _tag: "Invalid"; readonly reason: string }

/**
 * What an update does: the value it answers, and the object to write (none:
 * the file stays as it is).
 *
 * @since 0.1.0
 * @category models
 */
export interface Update<A> {
  readonly value: A
  readonly next?: ConfigObject | undefined
}

/**
 * Why the file could not be read or changed:
 *
 * - `ReadFailed`: it exists but cannot be read (`description` says why).
 * - `InvalidFile`: it is not a JSON object (left untouched; `description` says why).
 * - `WriteFailed`: the new file could not be written (nothing partial was left).
 * - `Locked`: another process held its lock longer than the wait.
 *
 * Each service on the file turns these into its own message.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{
  readonly path: string
  readonly reason: "ReadFailed" | "InvalidFile" | "WriteFailed" | "Locked"
  readonly description: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.path}: ${this.description}`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The file's path. */
  readonly path: string
  /** What the file holds now. Never writes, takes no lock. */
  readonly read: Effect.Effect<Contents, ConfigFileError>
  /**
   * Runs `f` on the current object (`undefined` when the file is missing)
   * under the file's lock, and writes `next` when `f` returns one.
   */
  readonly update: <A, E>(
    f: (current: ConfigObject | undefined) => Effect.Effect<Update<A>, E>
  ) => Effect.Effect<A, E | ConfigFileError>
}

/**
 * The service key.
 *
 * @since 0.1.0
 * @category tags
 */
export class ConfigFile extends Context.Tag("@posthog-backfill/effect/ConfigFile")<ConfigFile, Service>() {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The config file, `<dataDir>/<app.configFileName>`. */
  readonly path: string
  /** How long `update` waits for another process's lock. Default 10 s. */
  readonly lockTimeoutMs?: number | undefined
}

/** An update holds the lock for a read and a rename: a holder this old is gone. */
const LOCK_STALE_AFTER_MS = 30_000

/** One lock per file in this process, shared by every service instance on it. */
const localLocks = new Map<string, Effect.Semaphore>()
const localLock = (path: string): Effect.Semaphore => {
  const key = nodePath.resolve(path)
  let lock = localLocks.get(key)
  if (lock === undefined) localLocks.set(key, (lock = Effect.unsafeMakeSemaphore(1)))
  return lock
}

const readFailed = (path: string, error: StateFileError) =>
  new ConfigFileError({ path, reason: "ReadFailed", description: error.message, cause: error })

/** What cannot be a config file whatever it holds: a link, a special file, a huge file. */
const REFUSED: ReadonlyArray<StateFileError["reason"]> = ["SymbolicLink", "NotAFile", "TooLarge"]

const readContents = (path: string): Effect.Effect<Contents, ConfigFileError> =>
  readText(path).pipe(
    Effect.map((text): Contents => (text === undefined ? { _tag: "Missing" } : parseConfig(text))),
    Effect.catchAll((error) =>
      REFUSED.includes(error.reason)
        ? Effect.succeed<Contents>({ _tag: "Invalid", reason: error.description })
        : Effect.fail(readFailed(path, error))
    )
  )

const realSleep = (ms: number): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), ms)
    return Effect.sync(() => clearTimeout(timer))
  })

/** Takes the cross-process lock, waiting (with a short, jittered retry) up to `timeoutMs`. */
const acquireLock = (path: string, timeoutMs: number) =>
  Effect.gen(function*() {
    const lockPath = `${path}.lock`
    const deadline = Date.now() + timeoutMs
    while (true) {
      const attempt = yield* LeaseFile.tryAcquire(lockPath, LOCK_STALE_AFTER_MS).pipe(
        Effect.mapError((error) =>
          new ConfigFileError({ path, reason: "WriteFailed", description: `cannot create its lock file ${lockPath} (${error.message})`, cause: error })
        )
      )
      if (attempt._tag === "Acquired") return { lockPath, lease: attempt.lease }
      if (Date.now() >= deadline) {
        const holder = attempt.holder
        return yield* new ConfigFileError({
          path,
          reason: "Locked",
          description: `its lock ${lockPath} is held` +
            (holder === undefined ? "" : ` by process ${holder.pid} on ${holder.host} since ${holder.startedAt}`) +
            `; if no such process runs, delete ${lockPath} and try again`
        })
      }
      // A real timer, not Effect's Clock: another process's lock is released in real time.
      yield* realSleep(5 + Math.floor(Math.random() * 20))
    }
  })

/**
 * The file-backed service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service> => Effect.sync(() => makeService(options))

const makeService = (options: Options): Service => {
  const { path } = options
  const timeoutMs = options.lockTimeoutMs ?? 10_000
  const update: Service["update"] = (f) =>
    localLock(path).withPermits(1)(
      Effect.acquireUseRelease(
        acquireLock(path, timeoutMs),
        () =>
          Effect.gen(function*() {
            const contents = yield* readContents(path)
            if (contents._tag === "Invalid") {
              return yield* new ConfigFileError({ path, reason: "InvalidFile", description: contents.reason })
            }
            const result = yield* f(contents._tag === "Object" ? contents.value : undefined)
            if (result.next !== undefined) {
              yield* writeAtomic(path, encodeConfig(result.next)).pipe(
                Effect.mapError((error) =>
                  new ConfigFileError({ path, reason: "WriteFailed", description: error.message, cause: error })
                )
              )
            }
            return result.value
          }),
        ({ lease, lockPath }) => Effect.ignore(LeaseFile.release(lockPath, lease))
      )
    )
  return ConfigFile.of({ path, read: readContents(path), update })
}

/**
 * The file-backed service as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ConfigFile> => Layer.effect(ConfigFile, make(options))

/**
 * An in-memory config file starting at `initial` (default: missing), for tests.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (initial?: ConfigObject | undefined): Effect.Effect<Service & { readonly current: Effect.Effect<ConfigObject | undefined> }> =>
  Effect.gen(function*() {
    const ref = yield* Ref.make<ConfigObject | undefined>(initial)
    const lock = yield* Effect.makeSemaphore(1)
    const service = ConfigFile.of({
      path: "(memory)",
      read: Effect.map(Ref.get(ref), (value): Contents => (value === undefined ? { _tag: "Missing" } : { _tag: "Object", value })),
      update: (f) =>
        lock.withPermits(1)(
          Effect.gen(function*() {
            const result = yield* f(yield* Ref.get(ref))
            if (result.next !== undefined) yield* Ref.set(ref, result.next)
            return result.value
          })
        )
    })
    return { ...service, current: Ref.get(ref) }
  })

/**
 * An in-memory config file as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (initial?: ConfigObject | undefined): Layer.Layer<ConfigFile> =>
  Layer.effect(ConfigFile, Effect.map(makeMemory(initial), (memory) => ConfigFile.of(memory)))
