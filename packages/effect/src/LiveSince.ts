/**
 * When the app's live telemetry began: the UTC day its first event was
 * acknowledged (`liveSince` in the app's config file, written once, through
 * `ConfigFile.update`). A backfill never ships that day or a later one
 * (`throughDay = min(lastFullDay, liveSince - 1)`), so no day is counted by
 * both. The `Telemetry` service records it by itself; a host with its own
 * live pipeline calls `record` (or the facade's `recordLiveSince`) once its
 * first live event is acknowledged.
 *
 * @since 0.1.0
 */
import { DayWindow } from "@posthog-backfill/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { ConfigFile, type ConfigFileError } from "./ConfigFile.js"
import { withKey } from "./internal/configText.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The recorded day, if any. Never writes. */
  readonly read: Effect.Effect<string | undefined>
  /**
   * Records `day` (default: today, UTC) when no earlier day is recorded; an
   * earlier record is kept. Returns the day in force.
   */
  readonly record: (day?: string | undefined) => Effect.Effect<string, ConfigFileError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class LiveSince extends Context.Tag("@posthog-backfill/effect/LiveSince")<LiveSince, Service>() {}

/**
 * The key in the config file.
 *
 * @since 0.1.0
 * @category constants
 */
export const KEY = "liveSince"

const dayIn = (value: unknown): string | undefined =>
  typeof value === "string" && DayWindow.isUtcDay(value) ? value : undefined

/**
 * The live-era start over the app's `ConfigFile`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, ConfigFile> = Effect.gen(function*() {
  const config = yield* ConfigFile
  const read: Service["read"] = config.read.pipe(
    Effect.map((contents) => (contents._tag === "Object" ? dayIn(contents.value[KEY]) : undefined)),
    Effect.orElseSucceed(() => undefined)
  )
  const record: Service["record"] = (day) =>
    Effect.gen(function*() {
      const wanted = day ?? DayWindow.utcDay(yield* Clock.currentTimeMillis)
      if (!DayWindow.isUtcDay(wanted)) return yield* Effect.dieMessage(`LiveSince.record: "${wanted}" is not a YYYY-MM-DD day`)
      return yield* config.update((current) => {
        const recorded = dayIn(current?.[KEY])
        return Effect.succeed(
          recorded !== undefined && recorded <= wanted
            ? { value: recorded }
            : { value: wanted, next: withKey(current ?? {}, KEY, wanted) }
        )
      })
    })
  return LiveSince.of({ read, record })
})

/**
 * The live-era start over the app's `ConfigFile`, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<LiveSince, never, ConfigFile> = Layer.effect(LiveSince, make)

/**
 * An in-memory live-era start, for tests.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (initial?: string | undefined): Layer.Layer<LiveSince> =>
  Layer.effect(
    LiveSince,
    Effect.map(Ref.make(initial), (ref) =>
      LiveSince.of({
        read: Ref.get(ref),
        record: (day) =>
          Effect.flatMap(Clock.currentTimeMillis, (nowMs) => {
            const wanted = day ?? DayWindow.utcDay(nowMs)
            return Ref.modify(ref, (recorded) =>
              recorded !== undefined && recorded <= wanted ? [recorded, recorded] : [wanted, wanted])
          })
      }))
  )
