/**
 * The record of failed deliveries (`backfill.attempts.json` beside the
 * marker): how many, the last error and its class, and when the next attempt
 * may start (the core's `Backoff`). A run before that time stops before it
 * reads the database; a confirmed delivery clears it. A record that cannot be
 * read never blocks an attempt: it is reported and ignored.
 *
 * @since 0.1.0
 */
import { Backoff } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { readText, remove, writeAtomic } from "./internal/stateFile.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The record, if any (an unreadable one is reported and counts as none). */
  readonly read: Effect.Effect<Backoff.AttemptRecord | undefined>
  /** Replaces the record, atomically. */
  readonly write: (record: Backoff.AttemptRecord) => Effect.Effect<void, AttemptLogError>
  /** Forgets it (best effort). */
  readonly clear: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class AttemptLog extends Context.Tag("@posthog-backfill/effect/AttemptLog")<AttemptLog, Service>() {}

/**
 * The record could not be written.
 *
 * @since 0.1.0
 * @category errors
 */
export class AttemptLogError extends Data.TaggedError("AttemptLogError")<{
  readonly path: string
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The record's file, `<dataDir>/backfill.attempts.json`. */
  readonly path: string
}

/**
 * The record over a file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service> =>
  Effect.sync(() => {
    const file = options.path
    const read: Service["read"] = readText(file).pipe(
      Effect.map((text) => (text === undefined ? undefined : Backoff.parseAttempts(text))),
      Effect.catchAll((error) =>
        Effect.as(Effect.logWarning(`The attempt record ${file} cannot be read (${error.message}); ignoring it.`), undefined)
      )
    )
    const write: Service["write"] = (record) =>
      writeAtomic(file, Backoff.encodeAttempts(record)).pipe(
        Effect.mapError((error) =>
          new AttemptLogError({ path: file, message: `Could not record the failed attempt in ${file} (${error.message}).`, cause: error })
        )
      )
    const clear: Service["clear"] = remove(file).pipe(
      Effect.catchAll((error) => Effect.logWarning(`Could not remove ${file} (${error.message}).`))
    )
    return AttemptLog.of({ read, write, clear })
  })

/**
 * The record over a file, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<AttemptLog> => Layer.effect(AttemptLog, make(options))

/**
 * An in-memory record starting at `initial`, for tests.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (
  initial?: Backoff.AttemptRecord | undefined
): Effect.Effect<Service & { readonly current: Effect.Effect<Backoff.AttemptRecord | undefined> }> =>
  Effect.map(Ref.make(initial), (ref) => ({
    read: Ref.get(ref),
    write: (record) => Ref.set(ref, record),
    clear: Ref.set(ref, undefined),
    current: Ref.get(ref)
  }))

/**
 * An in-memory record, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (initial?: Backoff.AttemptRecord | undefined): Layer.Layer<AttemptLog> =>
  Layer.effect(AttemptLog, Effect.map(makeMemory(initial), (memory) => AttemptLog.of(memory)))
