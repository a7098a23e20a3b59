/**
 * The engine of the facade, bundled with the Effect 3 runtime it runs on
 * (`dist/engine.js` carries both, so the host's own Effect, of any version,
 * or none, never meets it). Loaded by the entry points only once a run needs
 * it.
 *
 * @internal
 */
import {
  createLiveTelemetry,
  EventCatalog,
  NodeTelemetry,
  recordLiveSince,
  runHistoricalBackfill,
  verifyHistoricalBackfill
} from "@posthog-backfill/effect"
import * as Schema from "effect/Schema"
import type { CaptureOptions, CaptureResult, Field, LiveEvent, LiveTelemetry, LiveTelemetryOptions, TelemetryReport } from "./liveTypes.js"
import type { HistoricalBackfillOptions, HistoricalBackfillResult, RecordLiveSinceResult } from "./types.js"

/** @internal */
export const runBackfill = (options: HistoricalBackfillOptions & { readonly keepAlive: boolean }): Promise<HistoricalBackfillResult> =>
  runHistoricalBackfill(options)

/** @internal */
export const recordLive = (options: Parameters<typeof recordLiveSince>[0]): Promise<RecordLiveSinceResult> => recordLiveSince(options)

/** @internal */
export const verify = (options: Parameters<typeof verifyHistoricalBackfill>[0]): ReturnType<typeof verifyHistoricalBackfill> =>
  verifyHistoricalBackfill(options)

/** A field kind as the schema the engine validates with. */
const schemaOf = (field: Field): Schema.Schema.Any | Schema.PropertySignature.Any => {
  const base: Schema.Schema.Any = field.kind === "count"
    ? EventCatalog.Count
    : field.kind === "amount"
    ? EventCatalog.Amount
    : field.kind === "base2"
    ? EventCatalog.Base2
    : field.kind === "boolean"
    ? Schema.Boolean
    : EventCatalog.literals(...field.values)
  return field.optional ? Schema.optional(base) : base
}

/** What the live entry point forwards to. @internal */
export interface Live {
  readonly capture: (event: LiveEvent, payload: unknown, options?: CaptureOptions) => Promise<CaptureResult>
  readonly flush: () => Promise<TelemetryReport>
  readonly shutdown: () => Promise<TelemetryReport>
  readonly notice: LiveTelemetry["notice"]
}

/** Live telemetry over the catalog's events, compiled to the engine's schemas. @internal */
export const createLive = (options: LiveTelemetryOptions): Live => {
  const compiled = new Map(
    options.catalog.events.map((event) => [
      event.name,
      EventCatalog.defineEvent({
        name: event.name,
        payload: Schema.Struct(Object.fromEntries(Object.entries(event.fields).map(([key, field]) => [key, schemaOf(field)]))),
        dedupeKey: event.dedupeKey,
        description: event.description
      }) as EventCatalog.AnyEvent
    ])
  )
  const telemetry = createLiveTelemetry({
    ...options,
    catalog: EventCatalog.defineCatalog([...compiled.values()]),
    baseProperties: options.baseProperties ?? (options.version === undefined ? undefined : NodeTelemetry.detectBaseProperties(options.version))
  })
  /** A capture; `payload` may be a function (building it may throw: the event is then invalid, never thrown). */
  const capture = async (event: LiveEvent, payload: unknown, captureOptions?: CaptureOptions): Promise<CaptureResult> => {
    const definition = compiled.get(event.name)
    if (definition === undefined) return { _tag: "Invalid", message: `event ${event.name} is not in the catalog` }
    let built: unknown
    try {
      built = typeof payload === "function" ? (payload as () => unknown)() : payload
    } catch (error) {
      return { _tag: "Invalid", message: `${event.name}: building the payload threw: ${error instanceof Error ? error.message : String(error)}` }
    }
    return telemetry.capture(definition, built as EventCatalog.PayloadOf<typeof definition>, captureOptions)
  }
  return {
    capture,
    flush: (): Promise<TelemetryReport> => telemetry.flush(),
    shutdown: (): Promise<TelemetryReport> => telemetry.shutdown(),
    notice: telemetry.notice
  }
}
