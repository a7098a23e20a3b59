/**
 * The live-event outbox: events not acknowledged when live telemetry shut
 * down (offline, a server error, a crash before the flush) kept in a bounded
 * file in the app's data dir, `<config>.outbox.json` beside its config file.
 * The next start delivers them with the same uuids (PostHog's dedupe key) and
 * their original timestamps, oldest first. Past the bound the oldest are
 * dropped, and counted. With consent off or telemetry disabled the file is
 * deleted. A corrupt file is discarded with a warning, never thrown.
 *
 * On by default for `NodeTelemetry.layer` and `createLiveTelemetry` (the
 * `AppDataDir` layer provides it); a `Context.Reference` whose default keeps
 * nothing, so `Telemetry.layer` alone never writes a file.
 *
 * @since 0.1.0
 */
import { type CaptureEvent, Outbox } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { readText, remove, writeAtomic } from "./internal/stateFile.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The events kept, oldest first (a corrupt or unreadable file: none, reported and removed). */
  readonly load: Effect.Effect<ReadonlyArray<CaptureEvent.CaptureEvent>>
  /** Replaces what is kept with `events`, bounded; how many were dropped. Never fails (a failed write is reported). */
  readonly save: (events: ReadonlyArray<CaptureEvent.CaptureEvent>) => Effect.Effect<{ readonly kept: number; readonly dropped: number }>
  /** Deletes the outbox (best effort). */
  readonly clear: Effect.Effect<void>
}

const none: Service = {
  load: Effect.succeed([]),
  save: (events) => Effect.succeed({ kept: 0, dropped: events.length }),
  clear: Effect.void
}

/**
 * @since 0.1.0
 * @category tags
 */
export class LiveOutbox extends Context.Reference<LiveOutbox>()("@posthog-backfill/effect/LiveOutbox", {
  defaultValue: (): Service => none
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The file, `<dataDir>/telemetry.outbox.json` for the default config file. */
  readonly path: string
  /** Default {@link Outbox.DEFAULT_MAX_EVENTS}. */
  readonly maxEvents?: number | undefined
}

/**
 * The outbox file's path beside the app's config file.
 *
 * @since 0.1.0
 * @category paths
 */
export const pathFor = (configPath: string): string =>
  configPath.endsWith(".json") ? `${configPath.slice(0, -".json".length)}.outbox.json` : `${configPath}.outbox`

/**
 * The outbox over a file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Service => {
  const file = options.path
  const clear: Service["clear"] = remove(file).pipe(Effect.catchAll((error) => Effect.logWarning(`Could not remove ${file} (${error.message}).`)))
  const load: Service["load"] = readText(file).pipe(
    Effect.flatMap((text) => {
      if (text === undefined) return Effect.succeed([])
      const parsed = Outbox.parseOutbox(text)
      if (parsed.problem !== undefined) {
        return Effect.as(
          Effect.zipRight(Effect.logWarning(`The live-event outbox ${file} was discarded: ${parsed.problem}.`), clear),
          []
        )
      }
      return Effect.as(
        parsed.malformed > 0 ? Effect.logWarning(`The live-event outbox ${file}: ${parsed.malformed} malformed event(s) discarded.`) : Effect.void,
        parsed.events
      )
    }),
    Effect.catchAll((error) =>
      Effect.as(Effect.zipRight(Effect.logWarning(`The live-event outbox ${file} cannot be read (${error.message}); discarding it.`), clear), [])
    )
  )
  const save: Service["save"] = (events) => {
    if (events.length === 0) return Effect.as(clear, { kept: 0, dropped: 0 })
    const encoded = Outbox.encodeOutbox(events, options.maxEvents)
    return writeAtomic(file, encoded.text).pipe(
      Effect.as({ kept: encoded.kept, dropped: encoded.dropped }),
      Effect.tap(({ dropped }) => (dropped > 0 ? Effect.logWarning(`The live-event outbox ${file} is full: the ${dropped} oldest event(s) were dropped.`) : Effect.void)),
      Effect.catchAll((error) =>
        Effect.as(Effect.logWarning(`Could not keep ${events.length} unacknowledged live event(s) in ${file} (${error.message}).`), {
          kept: 0,
          dropped: events.length
        })
      )
    )
  }
  return { load, save, clear }
}

/**
 * The outbox over a file, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<LiveOutbox> => Layer.succeed(LiveOutbox, make(options))

/**
 * An in-memory outbox, for tests; `current` is what it keeps.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (
  initial: ReadonlyArray<CaptureEvent.CaptureEvent> = [],
  maxEvents: number = Outbox.DEFAULT_MAX_EVENTS
): Effect.Effect<Service & { readonly current: Effect.Effect<ReadonlyArray<CaptureEvent.CaptureEvent>> }> =>
  Effect.map(Ref.make(initial), (ref) => ({
    load: Ref.get(ref),
    save: (events) => {
      const kept = [...events].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime()).slice(-maxEvents)
      return Effect.as(Ref.set(ref, kept), { kept: kept.length, dropped: events.length - kept.length })
    },
    clear: Ref.set(ref, []),
    current: Ref.get(ref)
  }))
