/**
 * The small state files the library keeps in an app's data dir (the marker,
 * the pending-send record, the config file, lock files), read and written
 * through `node:fs` (Node, Bun and Electron all have it), so no platform
 * package is needed:
 *
 * - `readText`: the whole file, or `undefined` when nothing is at the path.
 * - `writeAtomic`: a reader (or a crash) sees the old content or the new one,
 *   never a partial file: the parent directory is created, the data goes to a
 *   fresh temp file beside the target (exclusive create, so two writers never
 *   share one), is flushed, and is renamed over the target. The temp file is
 *   removed when anything fails.
 * - `createExclusive`: the same, but only when nothing exists at the target
 *   yet (a hard link of the finished temp file, which fails when the target
 *   exists), so concurrent writers agree on one file.
 * - `remove`: gone, or already gone.
 *
 * Every failure is a {@link StateFileError} whose `reason` says what kind of
 * failure it is; its message names the path.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"

/**
 * What kind of failure a file operation met.
 *
 * @internal
 */
export type StateFileReason =
  | "NotFound"
  | "AlreadyExists"
  | "PermissionDenied"
  | "BadResource"
  | "Busy"
  | "BadArgument"
  | "Unknown"

/** @internal */
export class StateFileError extends Data.TaggedError("StateFileError")<{
  readonly path: string
  readonly reason: StateFileReason
  /** The system's own words, e.g. `EACCES: permission denied, open '/x'`. */
  readonly description: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.reason}: ${this.description}`
  }
}

const REASONS: Readonly<Record<string, StateFileReason>> = {
  ENOENT: "NotFound",
  EEXIST: "AlreadyExists",
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  EROFS: "PermissionDenied",
  EISDIR: "BadResource",
  ENOTDIR: "BadResource",
  ELOOP: "BadResource",
  EBUSY: "Busy",
  ERR_INVALID_ARG_VALUE: "BadArgument",
  ERR_INVALID_ARG_TYPE: "BadArgument"
}

/** @internal */
export const fromSystemError = (path: string, cause: unknown): StateFileError => {
  const code = String((cause as { code?: unknown } | null)?.code ?? "")
  return new StateFileError({
    path,
    reason: REASONS[code] ?? "Unknown",
    description: cause instanceof Error ? cause.message : String(cause),
    cause
  })
}

const attempt = <A>(path: string, run: () => Promise<A>): Effect.Effect<A, StateFileError> =>
  Effect.tryPromise({ try: run, catch: (cause) => fromSystemError(path, cause) })

/** @internal */
export const isNotFound = (error: StateFileError): boolean => error.reason === "NotFound"

/**
 * The file's text, or `undefined` when nothing is at the path (or a parent
 * directory is missing).
 *
 * @internal
 */
export const readText = (path: string): Effect.Effect<string | undefined, StateFileError> =>
  attempt(path, () => fs.readFile(path, "utf8")).pipe(Effect.catchIf(isNotFound, () => Effect.succeed(undefined)))

const randomSuffix = (): string => globalThis.crypto.randomUUID().slice(0, 8)

/** The real file behind a symlink, so the link survives the rename; the path itself otherwise. */
const resolveTarget = (target: string): Effect.Effect<string> =>
  Effect.promise(() => fs.realpath(target).catch(() => target))

/** The permission bits of an existing target (a 0600 file stays 0600), else the default. */
const targetMode = (target: string): Effect.Effect<number> =>
  Effect.promise(() => fs.stat(target).then((info) => (info.isFile() ? info.mode & 0o777 : 0o666), () => 0o666))

/** Best effort: persist the rename itself (not supported everywhere, e.g. Windows). */
const syncDirectory = (directory: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    try {
      const handle = await fs.open(directory, "r")
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
    } catch {
      // Not supported here: the rename is still atomic, only its durability is the system's.
    }
  })

/**
 * Creates the parent directory and a fully written, flushed temp file beside
 * `target`; runs `commit(tempPath)`; removes the temp file whatever happens
 * (after a successful rename it is already gone, and the removal is ignored).
 */
const withTempFile = <A>(
  target: string,
  data: string | Uint8Array,
  mode: number,
  commit: (tempPath: string) => Effect.Effect<A, StateFileError>
): Effect.Effect<A, StateFileError> =>
  Effect.gen(function*() {
    const directory = nodePath.dirname(target)
    yield* attempt(directory, () => fs.mkdir(directory, { recursive: true }))
    const tempPath = nodePath.join(directory, `.${nodePath.basename(target)}.${randomSuffix()}.tmp`)
    return yield* attempt(tempPath, async () => {
      const handle = await fs.open(tempPath, "wx", mode)
      try {
        await handle.writeFile(data)
        await handle.sync()
      } finally {
        await handle.close()
      }
    }).pipe(
      Effect.zipRight(commit(tempPath)),
      Effect.tap(() => syncDirectory(directory)),
      Effect.ensuring(Effect.promise(() => fs.rm(tempPath, { force: true }).catch(() => undefined)))
    )
  })

/**
 * Writes `data` to `target` atomically (temp file + rename). A symlink at
 * `target` is followed, so the file it points to is replaced and the link
 * stays; an existing file's permission bits are kept.
 *
 * @internal
 */
export const writeAtomic = (target: string, data: string | Uint8Array): Effect.Effect<void, StateFileError> =>
  Effect.gen(function*() {
    const resolved = yield* resolveTarget(target)
    const mode = yield* targetMode(resolved)
    yield* withTempFile(resolved, data, mode, (tempPath) => attempt(resolved, () => fs.rename(tempPath, resolved)))
  })

/**
 * Creates `target` with `data` only when nothing exists at that path: `true`
 * when this call created it, `false` when something already was there.
 * Readers never see a partial file. On a file system without hard links it
 * falls back to an exclusive open and a write (a reader may then briefly see
 * an empty file).
 *
 * @internal
 */
export const createExclusive = (target: string, data: string | Uint8Array): Effect.Effect<boolean, StateFileError> =>
  withTempFile(target, data, 0o666, (tempPath) =>
    attempt(target, () => fs.link(tempPath, target)).pipe(
      Effect.as(true),
      Effect.catchAll((error) => {
        if (error.reason === "AlreadyExists") return Effect.succeed(false)
        if (error.reason === "NotFound" || error.reason === "PermissionDenied" || error.reason === "BadArgument") {
          return Effect.fail(error)
        }
        return Effect.logDebug(`hard links unavailable for ${target} (${error.message}); using an exclusive open`).pipe(
          Effect.zipRight(attempt(target, () => fs.writeFile(target, data, { flag: "wx" }))),
          Effect.as(true),
          Effect.catchIf((failure) => failure.reason === "AlreadyExists", () => Effect.succeed(false))
        )
      })
    ))

/**
 * Removes `target`; nothing at the path is fine.
 *
 * @internal
 */
export const remove = (target: string): Effect.Effect<void, StateFileError> =>
  attempt(target, () => fs.rm(target)).pipe(Effect.catchIf(isNotFound, () => Effect.void))

/**
 * The modification time of the file at `target` (epoch ms), or `undefined`
 * when nothing is there.
 *
 * @internal
 */
export const modifiedAtMs = (target: string): Effect.Effect<number | undefined> =>
  Effect.promise(() => fs.stat(target).then((info) => info.mtimeMs, () => undefined))
