/**
 * The Promise facade for hosts that do not use Effect. `runHistoricalBackfill`
 * never rejects: it resolves the outcome, or an `Error` outcome that says what
 * went wrong. `startHistoricalBackfill` is fire-and-forget and cannot produce
 * an unhandled rejection: call it at startup and carry on.
 *
 * ```ts
 * import { claudeMem } from "@posthog-backfill/core"
 * import { startHistoricalBackfill } from "@posthog-backfill/effect"
 *
 * startHistoricalBackfill({
 *   app: claudeMem,
 *   dataDir: "/home/me/.claude-mem",
 *   database: "/home/me/.claude-mem/claude-mem.db",
 *   apiKey: "phc_...",
 *   baseProperties: { version: "10.4.1", os: process.platform }
 * })
 * ```
 *
 * @since 0.1.0
 */
import type { BackfillApp, CaptureEvent, Rollout } from "@posthog-backfill/core"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Scheduler from "effect/Scheduler"
import * as LogLevel from "effect/LogLevel"
import * as Backfill from "../Backfill.js"
import * as NodeBackfill from "../NodeBackfill.js"
import type * as PostHogSink from "../PostHogSink.js"
import type { SqliteDatabase } from "../SqliteDatabase.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface HistoricalBackfillOptions {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir (marker, config file with consent and install id). */
  readonly dataDir: string
  /**
   * The SQLite file (opened read-only, read in a worker thread on Node so the
   * host's event loop keeps running) or the host's own open connection
   * (queried on the host's thread).
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
  /** Default 5000 ms. */
  readonly busyTimeoutMs?: number | undefined
  /** Read the file on the calling thread instead of a worker thread. Default `false`. */
  readonly inline?: boolean | undefined
  /** Worker threads reading the file. Default `NodeActivitySource.DEFAULT_WORKERS` (two, or one on two cores outside Linux). */
  readonly workers?: number | undefined
  /** Read the file at a lower CPU priority (Linux: the host's threads get the cores first). Default `true`. */
  readonly lowPriority?: boolean | undefined
  /** posthog-node tuning. */
  readonly sink?: PostHogSink.Options | undefined
  /**
   * Overrides the app's rollout for this run, e.g. `{ spreadMs: 0 }` to send
   * at once in development. Default: the app's (`Rollout.DEFAULT_ROLLOUT`:
   * every install, spread over 48 hours).
   */
  readonly rollout?: Partial<Rollout.Rollout> | undefined
  /** The least severe log level printed. Default `"Warning"`; `"None"` prints nothing. */
  readonly logLevel?: LogLevel.Literal | undefined
}

/**
 * The facade's result: a run's outcome, or `Error` when the run could not be
 * carried out (the database could not be read, the marker could not be
 * written, ...). An `Error` wrote no marker.
 *
 * @since 0.1.0
 * @category models
 */
export type HistoricalBackfillResult =
  | Backfill.Outcome
  | { readonly _tag: "Error"; readonly message: string; readonly error: unknown }

/**
 * The facade runs inside a host's process (a worker's startup), so it gives
 * the host's event loop a turn whenever the fiber yields (every 2048 Effect
 * operations, and at each explicit yield): batches run from `setImmediate`, a
 * macrotask. Effect's default scheduler resumes yielded fibers on microtasks
 * (a timer only every 2048 yields), so a long stretch of Effect work (building
 * the layers, the gates) would otherwise hold the loop for tens of ms.
 */
const hostScheduler = Scheduler.makeBatched((runBatch) => void setImmediate(runBatch))

const configProvider = (env: Readonly<Record<string, string | undefined>>) =>
  ConfigProvider.fromMap(
    new Map(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))
  )

/**
 * Runs the gated backfill once. Never rejects.
 *
 * @since 0.1.0
 * @category running
 */
export const runHistoricalBackfill = async (options: HistoricalBackfillOptions): Promise<HistoricalBackfillResult> => {
  try {
    const program = Backfill.run({
      app: options.app,
      apiKey: options.apiKey,
      host: options.host,
      baseProperties: options.baseProperties,
      rollout: options.rollout
    }).pipe(
      Effect.provide(NodeBackfill.layer(options)),
      Effect.withConfigProvider(configProvider(options.env ?? process.env)),
      Logger.withMinimumLogLevel(LogLevel.fromLiteral(options.logLevel ?? "Warning")),
      Effect.withScheduler(hostScheduler)
    )
    const exit = await Effect.runPromiseExit(program)
    if (Exit.isSuccess(exit)) return exit.value
    const error = Cause.squash(exit.cause)
    return { _tag: "Error", message: error instanceof Error ? error.message : String(error), error }
  } catch (error) {
    return { _tag: "Error", message: error instanceof Error ? error.message : String(error), error }
  }
}

/**
 * Starts the backfill in the background and returns at once. It cannot
 * produce an unhandled rejection; `onDone` (optional) receives the result.
 *
 * @since 0.1.0
 * @category running
 */
export const startHistoricalBackfill = (
  options: HistoricalBackfillOptions & { readonly onDone?: ((result: HistoricalBackfillResult) => void) | undefined }
): void => {
  void runHistoricalBackfill(options).then(
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

