/**
 * `@posthog-backfill/promise/live`: typed live events for any host, with or
 * without Effect. Events are declared with plain field kinds (the kinds are
 * the whitelist: counts, amounts, base-2 buckets, booleans, closed enums);
 * the engine loads on the first call that needs it.
 *
 * ```ts
 * import { Base2, Presets } from "@posthog-backfill/promise"
 * import { createLiveTelemetry, defineCatalog, defineEvent, field } from "@posthog-backfill/promise/live"
 *
 * const CompactionCompleted = defineEvent("compaction_completed", {
 *   duration_b2: field.base2(),
 *   input_tokens_b2: field.base2(),
 *   compaction_source: field.oneOf("manual", "idle", "auto")
 * }, { dedupeKey: "the compaction request id" })
 *
 * const telemetry = createLiveTelemetry({ app, dataDir, apiKey, version: "1.4.0", catalog: defineCatalog([CompactionCompleted]) })
 * await telemetry.capture(CompactionCompleted, { duration_b2: Base2.bucketBase2(3.2), input_tokens_b2: 4096, compaction_source: "manual" }, { dedupeKey: id })
 * await telemetry.shutdown()
 * ```
 *
 * @since 0.1.0
 */
import { RollupSpec } from "@posthog-backfill/core"
import { loadEngine } from "./internal/loadEngine.js"
import type { Field, LiveCatalog, LiveEvent, LiveTelemetry, LiveTelemetryOptions, TelemetryReport } from "./liveTypes.js"

export type * from "./liveTypes.js"

/**
 * The field kinds.
 *
 * @since 0.1.0
 * @category fields
 */
export const field = {
  /** A whole number >= 0. */
  count: () => ({ kind: "count", optional: false }) as const,
  /** A finite number >= 0 (a size, a duration). */
  amount: () => ({ kind: "amount", optional: false }) as const,
  /** A value `Base2.bucketBase2` produced (0 or a power of two). */
  base2: () => ({ kind: "base2", optional: false }) as const,
  boolean: () => ({ kind: "boolean", optional: false }) as const,
  /** One of these strings (a closed enum). */
  oneOf: <const V extends readonly [string, ...Array<string>]>(...values: V) => ({ kind: "oneOf", values, optional: false }) as const,
  /** The field may be left out. */
  optional: <F extends Field>(inner: F) => ({ ...inner, optional: true }) as const
}

/**
 * Defining an event or a catalog went wrong; the message lists every problem.
 *
 * @since 0.1.0
 * @category errors
 */
export class LiveCatalogError extends Error {
  override readonly name = "LiveCatalogError"
  constructor(readonly problems: ReadonlyArray<string>) {
    super(`Invalid event catalog: fix these and try again:\n- ${problems.join("\n- ")}`)
  }
}

const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/

/**
 * Defines an event: a snake_case name, plain property keys (no `$`, none of
 * the backfill's own keys), and a kind per property.
 *
 * @throws LiveCatalogError naming every problem.
 * @since 0.1.0
 * @category constructors
 */
export const defineEvent = <const Name extends string, const Fields extends Readonly<Record<string, Field>>>(
  name: Name,
  fields: Fields,
  options: { readonly dedupeKey?: string | undefined; readonly description?: string | undefined } = {}
): LiveEvent<Name, Fields> => {
  const problems: Array<string> = []
  if (!EVENT_NAME.test(name)) problems.push(`event name ${JSON.stringify(name)} must be snake_case (a-z, 0-9, _), at most 64 characters`)
  for (const [key, kind] of Object.entries(fields)) {
    if (!RollupSpec.isPropertyKey(key)) problems.push(`event ${name}: property ${JSON.stringify(key)} is not a plain key (no $)`)
    if (RollupSpec.RESERVED_KEYS.includes(key)) problems.push(`event ${name}: property "${key}" is reserved for the backfill`)
    if (kind.kind === "oneOf" && kind.values.length === 0) problems.push(`event ${name}: property "${key}" needs at least one value`)
  }
  if (options.dedupeKey !== undefined && options.dedupeKey.trim() === "") {
    problems.push(`event ${name}: dedupeKey, when set, says what identifies one occurrence (e.g. "the request id")`)
  }
  if (problems.length > 0) throw new LiveCatalogError(problems)
  return { _tag: "LiveEvent", name, fields, dedupeKey: options.dedupeKey, description: options.description }
}

/**
 * Defines the catalog; event names must be unique.
 *
 * @throws LiveCatalogError naming every problem.
 * @since 0.1.0
 * @category constructors
 */
export const defineCatalog = (events: ReadonlyArray<LiveEvent>): LiveCatalog => {
  const seen = new Set<string>()
  const problems = events.flatMap((event) => (seen.has(event.name) ? [`event ${event.name} is defined twice`] : (seen.add(event.name), [])))
  if (problems.length > 0) throw new LiveCatalogError(problems)
  return { _tag: "LiveCatalog", events: events.slice() }
}

type Engine = Awaited<ReturnType<typeof loadEngine>>
type Live = ReturnType<Engine["createLive"]>

/**
 * Starts live telemetry for an app's data dir. Returns at once; the engine
 * and the client start on first use.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createLiveTelemetry = (options: LiveTelemetryOptions): LiveTelemetry => {
  let live: Promise<Live | string> | undefined
  const started = (): Promise<Live | string> =>
    (live ??= loadEngine()
      .then((engine) => engine.createLive(options))
      .catch((error: unknown) => `posthog-backfill could not start live telemetry: ${error instanceof Error ? error.message : String(error)}`))
  const emptyReport = (reason: string): TelemetryReport => ({
    captured: 0,
    acknowledged: 0,
    pending: 0,
    unacknowledged: 0,
    unacknowledgedUuids: [],
    errors: [reason],
    delivered: true,
    replayed: 0,
    outbox: { kept: 0, dropped: 0 }
  })
  const capture: LiveTelemetry["capture"] = async (event, payload, captureOptions) => {
    const target = await started()
    return typeof target === "string" ? { _tag: "Disabled", reason: target } : target.capture(event, payload, captureOptions)
  }
  return {
    capture,
    track: async (work, event, payload, captureOptions) => {
      const result = await work()
      const target = await started()
      if (typeof target !== "string") await target.capture(event, () => payload(result), captureOptions)
      return result
    },
    flush: async () => {
      const target = await started()
      return typeof target === "string" ? emptyReport(target) : target.flush()
    },
    shutdown: async () => {
      const target = await started()
      return typeof target === "string" ? emptyReport(target) : target.shutdown()
    },
    notice: {
      shouldShow: async (version) => {
        const target = await started()
        return typeof target === "string" ? false : target.notice.shouldShow(version)
      },
      markShown: async (version) => {
        const target = await started()
        return typeof target === "string" ? false : target.notice.markShown(version)
      },
      showOnce: async (notice, show) => {
        const target = await started()
        return typeof target === "string" ? false : target.notice.showOnce(notice, show)
      }
    }
  }
}
