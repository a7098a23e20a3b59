/**
 * Small file helpers shared by the file-backed services (marker, install id,
 * consent config):
 *
 * - `writeFileAtomic`: write a whole file so that a reader (or a crash) sees
 *   either the old content or the new one, never a partial file: the parent
 *   directory is created, the data goes to a fresh temp file beside the target
 *   (exclusive create, so two writers never share one), is flushed to disk, and
 *   is renamed over the target. The temp file is removed when anything fails.
 * - `createFileExclusive`: the same, but only when the target does not exist
 *   yet (a hard link of the finished temp file, which fails when the target
 *   exists), so concurrent first runs agree on one file.
 * - `readJsonObject`: a strict reader for small JSON-object files (missing,
 *   an object, or invalid with a reason).
 *
 * @internal
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"

/**
 * The two platform services the helpers use, taken from a service's `make`.
 *
 * @internal
 */
export interface FileIo {
  readonly fs: FileSystem.FileSystem
  readonly path: Path.Path
}

/** @internal */
export const isNotFound = (error: PlatformError): boolean =>
  error._tag === "SystemError" && error.reason === "NotFound"

/** @internal */
export const isAlreadyExists = (error: PlatformError): boolean =>
  error._tag === "SystemError" && error.reason === "AlreadyExists"

/**
 * One line for a platform error, e.g. `PermissionDenied: EACCES: permission denied, open '/x'`.
 *
 * @internal
 */
export const describePlatformError = (error: PlatformError): string =>
  error._tag === "SystemError"
    ? `${error.reason}${error.description === undefined ? "" : `: ${error.description}`}`
    : `BadArgument${error.description === undefined ? "" : `: ${error.description}`}`

const encoder = new TextEncoder()

const randomSuffix = Effect.sync(() => globalThis.crypto.randomUUID().slice(0, 8))

/** The real file behind a symlink, so the link survives the rename; the path itself otherwise. */
const resolveTarget = (io: FileIo, target: string): Effect.Effect<string> =>
  io.fs.realPath(target).pipe(Effect.orElseSucceed(() => target))

/** The permission bits of an existing target (a 0600 file stays 0600), else the default. */
const targetMode = (io: FileIo, target: string): Effect.Effect<number> =>
  io.fs.stat(target).pipe(
    Effect.map((info) => (info.type === "File" ? info.mode & 0o777 : 0o666)),
    Effect.orElseSucceed(() => 0o666)
  )

/** Best effort: persist the rename itself (not supported everywhere, e.g. Windows). */
const syncDirectory = (io: FileIo, directory: string): Effect.Effect<void> =>
  Effect.scoped(Effect.flatMap(io.fs.open(directory, { flag: "r" }), (file) => file.sync)).pipe(Effect.ignore)

/**
 * Creates the parent directory and a fully written, flushed temp file beside
 * `target`; runs `commit(tempPath)`; removes the temp file whatever happens
 * (after a successful rename it is already gone, and the removal is ignored).
 */
const withTempFile = <A>(
  io: FileIo,
  target: string,
  data: string | Uint8Array,
  mode: number,
  commit: (tempPath: string) => Effect.Effect<A, PlatformError>
): Effect.Effect<A, PlatformError> =>
  Effect.gen(function*() {
    const directory = io.path.dirname(target)
    yield* io.fs.makeDirectory(directory, { recursive: true })
    const tempPath = io.path.join(directory, `.${io.path.basename(target)}.${yield* randomSuffix}.tmp`)
    const bytes = typeof data === "string" ? encoder.encode(data) : data
    return yield* Effect.scoped(
      Effect.gen(function*() {
        const file = yield* io.fs.open(tempPath, { flag: "wx", mode })
        yield* file.writeAll(bytes)
        yield* file.sync
      })
    ).pipe(
      Effect.zipRight(commit(tempPath)),
      Effect.tap(() => syncDirectory(io, directory)),
      Effect.ensuring(io.fs.remove(tempPath).pipe(Effect.ignore))
    )
  })

/**
 * Writes `data` to `target` atomically (temp file + rename). A symlink at
 * `target` is followed, so the file it points to is replaced and the link
 * stays; an existing file's permission bits are kept.
 *
 * @internal
 */
export const writeFileAtomic = (
  io: FileIo,
  target: string,
  data: string | Uint8Array
): Effect.Effect<void, PlatformError> =>
  Effect.gen(function*() {
    const resolved = yield* resolveTarget(io, target)
    const mode = yield* targetMode(io, resolved)
    yield* withTempFile(io, resolved, data, mode, (tempPath) => io.fs.rename(tempPath, resolved))
  })

/**
 * Creates `target` with `data` only when nothing exists at that path: `true`
 * when this call created it, `false` when it already existed (someone else
 * won). Readers never see a partial file. On a file system without hard links
 * it falls back to an existence check + rename (not exclusive).
 *
 * @internal
 */
export const createFileExclusive = (
  io: FileIo,
  target: string,
  data: string | Uint8Array
): Effect.Effect<boolean, PlatformError> =>
  withTempFile(io, target, data, 0o666, (tempPath) =>
    io.fs.link(tempPath, target).pipe(
      Effect.as(true),
      Effect.catchAll((error) => {
        if (isAlreadyExists(error)) return Effect.succeed(false)
        if (error._tag === "SystemError" && (error.reason === "NotFound" || error.reason === "PermissionDenied")) {
          return Effect.fail(error)
        }
        return Effect.logDebug(`hard links unavailable for ${target} (${describePlatformError(error)}); using rename`).pipe(
          Effect.zipRight(io.fs.exists(target)),
          Effect.flatMap((exists) => exists ? Effect.succeed(false) : Effect.as(io.fs.rename(tempPath, target), true))
        )
      })
    ))

/**
 * A small JSON-object file as read by {@link readJsonObject}.
 *
 * @internal
 */
export type JsonObjectFile =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Object"; readonly value: Readonly<Record<string, unknown>> }
  | { readonly _tag: "Invalid"; readonly reason: string }

/**
 * Parses a JSON-object file's text strictly: anything but a JSON object
 * (an array, a string, `null`, garbage, an empty file) is `Invalid`.
 *
 * @internal
 */
export const parseJsonObject = (text: string): JsonObjectFile => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return {
      _tag: "Invalid",
      reason: text.trim() === "" ? "it is empty" : `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { _tag: "Invalid", reason: `it holds ${Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`}, not a JSON object` }
  }
  return { _tag: "Object", value: value as Record<string, unknown> }
}

/**
 * Reads a small JSON-object file: `Missing` when nothing is at the path,
 * `Object` or `Invalid` otherwise; any other read failure (permissions, a
 * directory in its place) is the platform error.
 *
 * @internal
 */
export const readJsonObject = (io: FileIo, file: string): Effect.Effect<JsonObjectFile, PlatformError> =>
  io.fs.readFileString(file).pipe(
    Effect.map(parseJsonObject),
    Effect.catchIf(isNotFound, () => Effect.succeed<JsonObjectFile>({ _tag: "Missing" }))
  )

/**
 * The text written for a JSON-object file: two-space indent, trailing newline,
 * keys in their original order.
 *
 * @internal
 */
export const encodeJsonObject = (value: Readonly<Record<string, unknown>>): string => `${JSON.stringify(value, null, 2)}\n`

/**
 * `value` with `key` set, as an own data property whatever the key (even `__proto__`).
 *
 * @internal
 */
export const withKey = (
  value: Readonly<Record<string, unknown>>,
  key: string,
  next: unknown
): Record<string, unknown> => ({ ...value, [key]: next })
