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
import type { BackfillApp, CaptureEvent, Rollout } from "@posthog-backfill/core"
import { hostLog } from "./internal/hostLog.js"
import { loadEngine } from "./internal/loadEngine.js"
import { quickGates } from "./internal/quickGates.js"
import type { HistoricalBackfillResult, HostLogger, LogLevel, RecordLiveSinceResult, SinkOptions, SqliteDatabase, VerifyHistoricalBackfillResult } from "./types.js"

export * from "@posthog-backfill/core"
export type * from "./types.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface HistoricalBackfillOptions {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir (marker, config file with consent and install id). */
  readonly dataDir: string
  /**
   * The SQLite file (opened read-only; on Node read in worker threads through
   * better-sqlite3, so the host's event loop keeps running; on Bun through
   * `bun:sqlite`) or the host's own open connection (queried on its thread).
   */
  readonly database: string | SqliteDatabase
  /** The PostHog project API key. Without one nothing is sent and no marker is written. */
  readonly apiKey?: string | undefined
  /** Default PostHog US cloud. */
  readonly host?: string | undefined
  /** The app's current base properties (version, os, ...); only `install_inferred` carries them. */
  readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>> | undefined
  /** The environment consent is read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** How long to wait for the app's own write locks, in ms. Default 5000. */
  readonly busyTimeoutMs?: number | undefined
  /** Read the file on the calling thread instead of worker threads. Default `false`. */
  readonly inline?: boolean | undefined
  /** Worker threads reading the file on Node. Default two (one on two cores outside Linux). */
  readonly workers?: number | undefined
  /** Read the file at a lower CPU priority (Linux: the host's threads get the cores first). Default `true`. */
  readonly lowPriority?: boolean | undefined
  /** posthog-node tuning. */
  readonly sink?: SinkOptions | undefined
  /** Overrides the app's rollout for this run, e.g. `{ spreadMs: 0 }` to send at once in development. */
  readonly rollout?: Partial<Rollout.Rollout> | undefined
  /**
   * Receives every message (`{ debug, info, warn, error }`, or one function).
   * Default: none; nothing is printed into the host. The debug dry run
   * (`<PREFIX>_DEBUG=1`) prints its events to stderr, as documented.
   */
  readonly logger?: HostLogger | undefined
  /** The least severe level handed to `logger`. Default `"Debug"`. */
  readonly logLevel?: LogLevel | undefined
  /**
   * Whether the run holds the host's process open until it ends.
   * `runHistoricalBackfill`: default `true`. `startHistoricalBackfill`: default
   * `false`: a short-lived host exits when its own work is done, mid-send if
   * need be, and the pending send makes its next start the same send.
   */
  readonly keepAlive?: boolean | undefined
  /** Stops the run after this long, in ms (the result is `Stopped`). */
  readonly deadlineMs?: number | undefined
  /** Stops the run when aborted (the result is `Stopped`). */
  readonly signal?: AbortSignal | undefined
}

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
 * @since 0.1.0
 * @category models
 */
export interface RecordLiveSinceOptions {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir (its config file holds the day). */
  readonly dataDir: string
  /** The day (`YYYY-MM-DD`, UTC). Default: today. */
  readonly day?: string | undefined
  /** Receives every message. Default: none. */
  readonly logger?: HostLogger | undefined
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
 * @since 0.1.0
 * @category models
 */
export interface VerifyHistoricalBackfillOptions {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir: the marker to check against. */
  readonly dataDir: string
  /** PostHog's app host, e.g. `https://us.posthog.com` (not the ingestion host). */
  readonly host: string
  /** The numeric project id. */
  readonly projectId: string
  /** A personal API key (`phx_...`) with `query:read`. */
  readonly apiKey: string
  /** Receives every message. Default: none. */
  readonly logger?: HostLogger | undefined
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
