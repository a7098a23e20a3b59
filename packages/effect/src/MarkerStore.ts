/**
 * The completion marker store: reads and writes the backfill's marker file
 * (`backfill.json` in the app's data dir, `{completedAt, throughDay,
 * eventCount, installId}`). The backfill's first gate reads it, the last one
 * writes it after a positively confirmed delivery.
 *
 * What `read` answers (the shape and parsing come from
 * `@posthog-backfill/core`'s `Marker`):
 *
 * - `Absent`: nothing at the path (or a parent directory is missing).
 * - `Present`: a marker, including one written by the app's own earlier
 *   backfill code with extra fields (`version`).
 * - `Unreadable`: something is there but it is not a readable marker (garbage,
 *   an empty file, a directory in its place, no read permission). That also
 *   means done, because a duplicate is worse than a gap; it is reported with
 *   `Effect.logWarning`. Nothing is written, so the next run looks again.
 *
 * Only a path the platform rejects outright (a `BadArgument`, e.g. a NUL
 * byte) fails `read` with a {@link MarkerReadError}: that is a configuration
 * bug, not a state of the marker.
 *
 * `write` is atomic (temp file + rename in the same directory, flushed to
 * disk; the data directory is created when missing): a crash at any instant
 * leaves the old state or the complete marker, never a partial file.
 *
 * @since 0.1.0
 */
import { Marker } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as nodePath from "node:path"
import { readText, remove, type StateFileError, sweepTemps, writeAtomic } from "./internal/stateFile.js"

type BackfillMarker = Marker.BackfillMarker
type MarkerState = Marker.MarkerState
type PendingSend = Marker.PendingSend

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** What the marker file says now. See the module docs for `Unreadable`. */
  readonly read: Effect.Effect<MarkerState, MarkerReadError>
  /** Writes the marker atomically, replacing any earlier one. */
  readonly write: (marker: BackfillMarker) => Effect.Effect<void, MarkerWriteError>
  /** The send that started and was not confirmed, if any (an unreadable file counts as none). */
  readonly readPending: Effect.Effect<PendingSend | undefined>
  /** Records a send about to start, atomically, before any event leaves. */
  readonly writePending: (pending: PendingSend) => Effect.Effect<void, MarkerWriteError>
  /** Forgets the pending send once the marker is written (best effort: the marker wins anyway). */
  readonly clearPending: Effect.Effect<void>
  /**
   * Removes the temp files a killed writer left in the data dir (of this
   * library's own naming, older than a minute). Best effort; never fails.
   */
  readonly sweep: Effect.Effect<void>
}

/**
 * The marker store service.
 *
 * @since 0.1.0
 * @category tags
 */
export class MarkerStore extends Context.Tag("@posthog-backfill/effect/MarkerStore")<MarkerStore, Service>() {}

/**
 * The marker path itself is invalid (rejected by the platform before any
 * file was touched).
 *
 * @since 0.1.0
 * @category errors
 */
export class MarkerReadError extends Data.TaggedError("MarkerReadError")<{
  readonly path: string
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * The marker could not be written. No partial file was left behind.
 *
 * @since 0.1.0
 * @category errors
 */
export class MarkerWriteError extends Data.TaggedError("MarkerWriteError")<{
  readonly path: string
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The marker file, e.g. `~/.claude-mem/backfill.json` (`<dataDir>/<app.markerFileName>`). */
  readonly path: string
  /** The pending-send file. Default: beside the marker, `backfill.pending.json` for `backfill.json`. */
  readonly pendingPath?: string | undefined
}

/**
 * The default pending-send path for a marker path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pendingPathFor = (markerPath: string): string =>
  markerPath.endsWith(".json") ? `${markerPath.slice(0, -".json".length)}.pending.json` : `${markerPath}.pending`

/**
 * A file-backed marker store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service> => Effect.sync(() => makeService(options))

const makeService = (options: Options): Service => {
  const file = options.path
  const directory = nodePath.dirname(file)

  const read: Service["read"] = readText(file).pipe(
    Effect.map((text) => (text === undefined ? Marker.markerAbsent : Marker.parseMarker(text))),
    Effect.catchAll((error): Effect.Effect<MarkerState, MarkerReadError> => {
      switch (error.reason) {
        case "BadArgument":
          return Effect.fail(
            new MarkerReadError({
              path: file,
              message: `The backfill marker path ${JSON.stringify(file)} is invalid (${error.message}); pass the marker's ` +
                "file path (e.g. <dataDir>/backfill.json).",
              cause: error
            })
          )
        case "NotADirectory":
          // Not a state of the marker: the data dir itself cannot exist, so nothing could ever be written.
          return Effect.fail(new MarkerReadError({ path: file, message: `Cannot use the data dir: ${error.description}.`, cause: error }))
        default:
          return Effect.succeed({ _tag: "Unreadable", reason: `the marker file cannot be read (${error.description})` })
      }
    }),
    Effect.tap((state) =>
      state._tag === "Unreadable"
        ? Effect.logWarning(Marker.describeUnreadable(file, state.reason))
        : Effect.logDebug(`backfill marker ${file}: ${state._tag}`)
    )
  )

  const write: Service["write"] = (marker) =>
    writeAtomic(file, Marker.encodeMarker(marker)).pipe(
      Effect.mapError((error) =>
        new MarkerWriteError({
          path: file,
          message: `Could not write the backfill marker ${file} (${refusedOrSpace(error, directory)}); until the ` +
            "marker exists the backfill will run again (with the same event ids).",
          cause: error
        })
      ),
      Effect.zipRight(Effect.logDebug(`wrote the backfill marker ${file} (through ${marker.throughDay})`))
    )

  const pendingFile = options.pendingPath ?? pendingPathFor(file)
  const readPending: Service["readPending"] = readText(pendingFile).pipe(
    Effect.map((text) => (text === undefined ? undefined : Marker.parsePendingSend(text))),
    Effect.catchAll((error) =>
      Effect.as(Effect.logWarning(`The pending-send file ${pendingFile} cannot be read (${error.message}); ignoring it.`), undefined)
    )
  )
  const writePending: Service["writePending"] = (pending) =>
    writeAtomic(pendingFile, Marker.encodePendingSend(pending)).pipe(
      Effect.mapError((error) =>
        new MarkerWriteError({
          path: pendingFile,
          message: `Could not record the pending send in ${pendingFile} (${refusedOrSpace(error, directory)}); nothing was sent.`,
          cause: error
        })
      )
    )
  const clearPending: Service["clearPending"] = remove(pendingFile).pipe(
    Effect.catchAll((error) => Effect.logWarning(`Could not remove ${pendingFile} (${error.message}).`))
  )

  const sweep: Service["sweep"] = Effect.flatMap(sweepTemps(directory, STALE_TEMP_MS), (removed) =>
    Effect.forEach(removed, (temp) => Effect.logDebug(`removed ${temp}, a temp file a killed writer left behind`), { discard: true }))

  return MarkerStore.of({ read, write, readPending, writePending, clearPending, sweep })
}

/** What went wrong with a write, and what to do: the refusal itself, or the usual suspects. */
const refusedOrSpace = (error: StateFileError, directory: string): string =>
  ["SymbolicLink", "NotAFile", "NotADirectory"].includes(error.reason)
    ? error.description
    : `${error.message}; check that ${directory} is a writable directory with free space`

/** A writer's temp file lives for milliseconds; one this old belongs to a writer that was killed. */
const STALE_TEMP_MS = 60_000

/**
 * The file-backed marker store as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<MarkerStore> => Layer.effect(MarkerStore, make(options))

/**
 * An in-memory marker store plus what was written to it, for tests.
 *
 * @since 0.1.0
 * @category models
 */
export interface Memory {
  readonly service: Service
  /** Every marker written, oldest first. */
  readonly written: Effect.Effect<ReadonlyArray<BackfillMarker>>
  /** The pending send now recorded, if any. */
  readonly pending: Effect.Effect<PendingSend | undefined>
}

/**
 * An in-memory marker store starting at `initial` (default `Absent`): `read`
 * answers the current state, `write` makes it `Present` and records the
 * marker in `written`. Provide it with `Layer.succeed(MarkerStore, memory.service)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (
  initial: MarkerState = Marker.markerAbsent,
  initialPending?: PendingSend | undefined
): Effect.Effect<Memory> =>
  Effect.gen(function*() {
    const state = yield* Ref.make(initial)
    const written = yield* Ref.make<ReadonlyArray<BackfillMarker>>([])
    const pending = yield* Ref.make<PendingSend | undefined>(initialPending)
    const service = MarkerStore.of({
      read: Ref.get(state),
      write: (marker) =>
        Ref.set(state, { _tag: "Present", marker }).pipe(
          Effect.zipRight(Ref.update(written, (all) => [...all, marker]))
        ),
      readPending: Ref.get(pending),
      writePending: (next) => Ref.set(pending, next),
      clearPending: Ref.set(pending, undefined),
      sweep: Effect.void
    })
    return { service, written: Ref.get(written), pending: Ref.get(pending) }
  })

/**
 * An in-memory marker store starting at `initial` (default `Absent`). To
 * inspect what was written, use {@link makeMemory}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (initial?: MarkerState): Layer.Layer<MarkerStore> =>
  Layer.effect(MarkerStore, Effect.map(makeMemory(initial), (memory) => memory.service))
