/**
 * `@posthog-backfill/promise`: the backfill for any host, with or without
 * Effect (any version). Importing it costs a few milliseconds: the core and
 * the first two gates, the marker and consent. The engine (the Effect 3
 * runtime this package carries inside, posthog-node, the SQLite driver) loads
 * only when a run gets past them, so a done or opted-out install never pays
 * for it.
 *
 * ```ts
 * import { Presets, startHistoricalBackfill } from "@posthog-backfill/promise"
 *
 * startHistoricalBackfill({
 *   app: Presets.claudeMem,
 *   dataDir: "/home/me/.claude-mem",
 *   database: "/home/me/.claude-mem/claude-mem.db",
 *   apiKey: "phc_...",
 *   baseProperties: { version: "10.4.1", os: process.platform }
 * })
 * ```
 *
 * Live events: `@posthog-backfill/promise/live`.
 *
 * @since 0.1.0
 */
import { hostLog } from "./internal/hostLog.js"
import { loadEngine } from "./internal/loadEngine.js"
import { quickGates } from "./internal/quickGates.js"
import type {
  HistoricalBackfillOptions,
  HistoricalBackfillResult,
  RecordLiveSinceOptions,
  RecordLiveSinceResult,
  VerifyHistoricalBackfillOptions,
  VerifyHistoricalBackfillResult
} from "./types.js"

export * from "@posthog-backfill/core"
export type * from "./types.js"


const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const run = async (options: HistoricalBackfillOptions, keepAliveByDefault: boolean): Promise<HistoricalBackfillResult> => {
  // The engine's lines carry the app as an annotation; these do too.
  const logged = hostLog(options.logger, options.logLevel)
  const log = (level: "debug" | "warn", line: string) => logged(level, `${line} app=${options.app.name}`)
  try {
    const quick = await quickGates({ app: options.app, dataDir: options.dataDir, env: options.env, warn: (line) => log("warn", line) })
    if (quick !== undefined) {
      log("debug", `${quick._tag}, decided before the engine loaded`)
      return quick
    }
    const { runBackfill } = await loadEngine()
    return await runBackfill({ ...options, keepAlive: options.keepAlive ?? keepAliveByDefault })
  } catch (error) {
    return { _tag: "Error", message: `posthog-backfill could not run: ${messageOf(error)}`, error }
  }
}

/**
 * Runs the gated backfill once and resolves its result. Never rejects. Holds
 * the host's process open until it ends (`keepAlive`, default `true`).
 *
 * @since 0.1.0
 * @category running
 */
export const runHistoricalBackfill = (options: HistoricalBackfillOptions): Promise<HistoricalBackfillResult> => run(options, true)

/**
 * Starts the backfill in the background and returns at once. It cannot
 * produce an unhandled rejection; `onDone` (optional) receives the result.
 * It never holds the host's process open (`keepAlive`, default `false`).
 *
 * @since 0.1.0
 * @category running
 */
export const startHistoricalBackfill = (
  options: HistoricalBackfillOptions & { readonly onDone?: ((result: HistoricalBackfillResult) => void) | undefined }
): void => {
  void run(options, false).then(
    (result) => {
      try {
        options.onDone?.(result)
      } catch {
        // A throwing callback must not become an unhandled rejection in the host.
      }
    },
    () => undefined
  )
}


/**
 * For a host with its own live pipeline: records the day its live telemetry
 * first had an event acknowledged (the backfill ends the day before). Call it
 * once that happens; more calls keep the earliest day. Never rejects.
 *
 * @since 0.1.0
 * @category running
 */
export const recordLiveSince = async (options: RecordLiveSinceOptions): Promise<RecordLiveSinceResult> => {
  try {
    return await (await loadEngine()).recordLive(options)
  } catch (error) {
    return { _tag: "Error", message: `posthog-backfill could not run: ${messageOf(error)}` }
  }
}


/**
 * After a send: asks PostHog what it holds for this install (three HogQL
 * queries through its query API) and checks it against the marker: the
 * count, the window, one activity event per day, no uuid stored twice, every
 * timestamp at noon UTC, one person. Reads only. Never rejects.
 *
 * @since 0.1.0
 * @category running
 */
export const verifyHistoricalBackfill = async (options: VerifyHistoricalBackfillOptions): Promise<VerifyHistoricalBackfillResult> => {
  try {
    return await (await loadEngine()).verify(options)
  } catch (error) {
    return { _tag: "Error", message: `posthog-backfill could not run: ${messageOf(error)}` }
  }
}
