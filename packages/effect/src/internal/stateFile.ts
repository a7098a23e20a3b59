/**
 * The small state files the library keeps in an app's data dir (the marker,
 * the pending-send record, the config file, lock files), read and written
 * through `node:fs` (Node, Bun and Electron all have it), so no platform
 * package is needed:
 *
 * - `readText`: the whole file, or `undefined` when nothing is at the path.
 *   Only a regular file of at most {@link MAX_STATE_FILE_BYTES} is read, and
 *   never through a symbolic link (`O_NOFOLLOW`, after an `lstat`), opened
 *   without blocking: a FIFO, a device, a directory, a huge file or a link
 *   (dangling, looping, or to `/dev/zero`) is refused at once.
 * - `writeAtomic`: a reader (or a crash) sees the old content or the new one,
 *   never a partial file: the parent directory is created, the data goes to a
 *   fresh temp file beside the target (exclusive create, so two writers never
 *   share one and none follows a link there), is flushed, and is renamed over
 *   the target: a rename replaces the name itself, never what a link points
 *   to, and a link at the target is refused before anything is written.
 * - `createExclusive`: the same, but only when nothing exists at the target
 *   yet (a hard link of the finished temp file, which fails when the target
 *   exists, even as a link), so concurrent writers agree on one file.
 * - `remove`: gone, or already gone (a link is removed, never its target).
 * - `sweepTemps`: removes temp files of our own naming that a killed writer
 *   left behind.
 *
 * The data dir itself may be a symbolic link (users link `~/.app` to another
 * disk): only the last component of a state file's path is never followed.
 *
 * Every failure is a {@link StateFileError} whose `reason` says what kind of
 * failure it is; its message names the path.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { constants as fsConstants } from "node:fs"
import * as fsSync from "node:fs"
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
  | "SymbolicLink"
  | "NotAFile"
  | "TooLarge"
  | "NotADirectory"
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
  EISDIR: "NotAFile",
  ENOTDIR: "NotADirectory",
  ELOOP: "SymbolicLink",
  EBUSY: "Busy",
  EFBIG: "TooLarge",
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
 * The most a state file may hold: they are a few hundred bytes; anything this
 * large is not ours.
 *
 * @internal
 */
export const MAX_STATE_FILE_BYTES = 1024 * 1024

const refuse = (path: string, reason: StateFileReason, description: string) =>
  Effect.fail(new StateFileError({ path, reason, description }))

const LINK_REFUSED = "it is a symbolic link, and posthog-backfill never reads or writes its state files through a " +
  "link; replace it with a regular file (or delete it)"

/** What is at `path`, without following a link: `undefined` when nothing is. */
const lstatOf = (path: string) =>
  attempt(path, () => fs.lstat(path)).pipe(Effect.catchIf(isNotFound, () => Effect.succeed(undefined)))

/** A thing at `path` that is not a regular file, described, or `undefined` for a regular file. */
const notARegularFile = (path: string, info: { isSymbolicLink(): boolean; isFile(): boolean; isDirectory(): boolean }) =>
  info.isSymbolicLink()
    ? refuse(path, "SymbolicLink", `${path}: ${LINK_REFUSED}`)
    : info.isFile()
    ? undefined
    : refuse(
      path,
      "NotAFile",
      `${path} is not a regular file (${info.isDirectory() ? "a directory" : "a FIFO, a socket or a device"}); ` +
        "remove it and run again"
    )

const { O_NOFOLLOW = 0, O_NONBLOCK = 0, O_RDONLY } = fsConstants

/**
 * The file's text, or `undefined` when nothing is at the path (or a parent
 * directory is missing). Refused: a link, anything but a regular file, more
 * than {@link MAX_STATE_FILE_BYTES}, and a path under a regular file.
 *
 * @internal
 */
export const readText = (path: string): Effect.Effect<string | undefined, StateFileError> =>
  Effect.gen(function*() {
    const info = yield* lstatOf(path)
    if (info === undefined) return undefined
    const refused = notARegularFile(path, info)
    if (refused !== undefined) return yield* refused
    if (info.size > MAX_STATE_FILE_BYTES) {
      return yield* refuse(path, "TooLarge", `${path} holds ${info.size} bytes, more than a state file ever does (${MAX_STATE_FILE_BYTES}); remove it and run again`)
    }
    // O_NOFOLLOW: a link swapped in after the lstat fails here; O_NONBLOCK: so does a FIFO, at once.
    return yield* attempt(path, async () => {
      const handle = await fs.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
      try {
        const opened = await handle.stat()
        if (!opened.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: "EISDIR" })
        const buffer = Buffer.alloc(Math.min(opened.size, MAX_STATE_FILE_BYTES) + 1)
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
        if (bytesRead > MAX_STATE_FILE_BYTES) throw Object.assign(new Error(`${path} grew past ${MAX_STATE_FILE_BYTES} bytes`), { code: "EFBIG" })
        return buffer.subarray(0, bytesRead).toString("utf8")
      } finally {
        await handle.close()
      }
    })
  }).pipe(Effect.catchIf(isNotFound, () => Effect.succeed(undefined)), Effect.mapError(explainNotADirectory))

/**
 * A path under a regular file (`ENOTDIR`): say which ancestor is the file, so
 * the message names what is wrong.
 */
const explainNotADirectory = (error: StateFileError): StateFileError => {
  if (error.reason !== "NotADirectory") return error
  let dir = nodePath.dirname(error.path)
  while (dir !== nodePath.dirname(dir)) {
    try {
      if (!fsSync.statSync(dir).isDirectory()) {
        return new StateFileError({
          path: error.path,
          reason: "NotADirectory",
          description: `${dir} is a file, so the data dir ${nodePath.dirname(error.path)} cannot exist there; point the ` +
            "data dir at a directory (or remove that file)",
          cause: error
        })
      }
      break
    } catch {
      dir = nodePath.dirname(dir)
    }
  }
  return error
}

const randomSuffix = (): string => globalThis.crypto.randomUUID().slice(0, 8)


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
 * Renames `from` over `to`. Windows refuses a rename for a moment while an
 * antivirus or an indexer holds the target open (`EPERM`, `EBUSY`,
 * `EACCES`): retried a few times, briefly, before giving up.
 */
const renameOver = (from: string, to: string): Effect.Effect<void, StateFileError> =>
  Effect.promise(async () => {
    for (let attemptNo = 0; ; attemptNo++) {
      try {
        await fs.rename(from, to)
        return undefined
      } catch (error) {
        const code = (error as { code?: unknown }).code
        const transient = process.platform === "win32" && (code === "EPERM" || code === "EBUSY" || code === "EACCES")
        if (!transient || attemptNo >= 5) return fromSystemError(to, error)
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attemptNo))
      }
    }
  }).pipe(Effect.flatMap((failed) => (failed === undefined ? Effect.void : Effect.fail(failed))))

/**
 * Writes `data` to `target` atomically (temp file + rename over the path). A
 * link or anything but a regular file at `target` is refused; an existing
 * file's permission bits are kept (a 0600 file stays 0600).
 *
 * @internal
 */
export const writeAtomic = (target: string, data: string | Uint8Array): Effect.Effect<void, StateFileError> =>
  Effect.gen(function*() {
    const info = yield* lstatOf(target)
    if (info !== undefined) {
      const refused = notARegularFile(target, info)
      if (refused !== undefined) return yield* refused
    }
    const mode = info === undefined ? 0o666 : info.mode & 0o777
    yield* withTempFile(target, data, mode, (tempPath) => renameOver(tempPath, target))
  }).pipe(Effect.mapError(explainNotADirectory))

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
 * The modification time of the file at `target` (epoch ms, of a link itself),
 * or `undefined` when nothing is there.
 *
 * @internal
 */
export const modifiedAtMs = (target: string): Effect.Effect<number | undefined> =>
  Effect.promise(() => fs.lstat(target).then((info) => info.mtimeMs, () => undefined))

/** Our temp files: `.<name>.<8 hex>.tmp` (see `withTempFile`). */
const OWN_TEMP = /^\..+\.[0-9a-f]{8}\.tmp$/

/**
 * Removes, from `directory`, temp files of our own naming older than
 * `olderThanMs` (a writer killed between creating its temp file and renaming
 * it leaves one behind; a live writer's is a few milliseconds old). Best
 * effort: what cannot be listed or removed is left.
 *
 * @internal
 */
export const sweepTemps = (directory: string, olderThanMs: number): Effect.Effect<ReadonlyArray<string>> =>
  Effect.promise(async () => {
    const removed: Array<string> = []
    let names: ReadonlyArray<string>
    try {
      names = await fs.readdir(directory)
    } catch {
      return removed
    }
    const cutoff = Date.now() - olderThanMs
    for (const name of names) {
      if (!OWN_TEMP.test(name)) continue
      const file = nodePath.join(directory, name)
      try {
        const info = await fs.lstat(file)
        if (info.isFile() && info.mtimeMs < cutoff) {
          await fs.rm(file)
          removed.push(file)
        }
      } catch {
        // Gone already, or not ours to remove.
      }
    }
    return removed
  })
