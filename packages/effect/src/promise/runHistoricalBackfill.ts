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
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as LogLevel from "effect/LogLevel"
import * as Backfill from "../Backfill.js"
import * as NodeBackfill from "../NodeBackfill.js"
import type * as PostHogSink from "../PostHogSink.js"
import type { SqliteDatabase } from "../SqliteDatabase.js"
import { forHost, holdingProcess, type HostLogger, stopSignal } from "./internal/hostRuntime.js"

export type { HostLogger, HostLogLevel } from "./internal/hostRuntime.js"

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
  /**
   * Receives every message of the run (`{ debug, info, warn, error }`, or one
   * function). Default: none; the library prints nothing into its host. The
   * debug dry run (`<PREFIX>_DEBUG=1`) prints its events to stderr, as
   * documented, whatever the logger.
   */
  readonly logger?: HostLogger | undefined
  /** The least severe level handed to `logger`. Default `"Debug"`. */
  readonly logLevel?: LogLevel.Literal | undefined
  /**
   * Whether the run holds the host's process open until it ends.
   * `runHistoricalBackfill`: default `true` (the host awaits it).
   * `startHistoricalBackfill`: default `false`: a short-lived host exits when
   * its own work is done, mid-send if need be; the pending send makes the
   * next start the same send.
   */
  readonly keepAlive?: boolean | undefined
  /** Stops the run after this long (the result is `Stopped`). */
  readonly deadlineMs?: number | undefined
  /** Stops the run when aborted (the result is `Stopped`). */
  readonly signal?: AbortSignal | undefined
}

/**
 * The facade's result: a run's outcome; `Stopped` when the deadline or the
 * host's signal ended it first; `Error` when the run could not be carried out
 * (the database could not be read, the marker could not be written, ...).
 * Neither writes a marker.
 *
 * @since 0.1.0
 * @category models
 */
export type HistoricalBackfillResult =
  | Backfill.Outcome
  | { readonly _tag: "Stopped"; readonly message: string }
  | { readonly _tag: "Error"; readonly message: string; readonly error: unknown }

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const run = async (options: HistoricalBackfillOptions, keepAliveByDefault: boolean): Promise<HistoricalBackfillResult> => {
  try {
    const keepAlive = options.keepAlive ?? keepAliveByDefault
    const program = Backfill.run({
      app: options.app,
      apiKey: options.apiKey,
      host: options.host,
      baseProperties: options.baseProperties,
      rollout: options.rollout
    }).pipe(Effect.provide(NodeBackfill.layer({ ...options, keepAlive })))
    const signal = stopSignal(options)
    const go = () => Effect.runPromiseExit(forHost(program, { ...options, keepAlive }), signal === undefined ? {} : { signal })
    const exit = keepAlive ? await holdingProcess(go) : await go()
    if (Exit.isSuccess(exit)) return exit.value
    if (Cause.isInterruptedOnly(exit.cause) && signal?.aborted === true) {
      return {
        _tag: "Stopped",
        message: (options.signal?.aborted === true ? "the host stopped the backfill" : `the backfill ran past its ${options.deadlineMs} ms deadline`) +
          "; no marker written, the next start runs it again (the same send, if one had begun)"
      }
    }
    const error = Cause.squash(exit.cause)
    return { _tag: "Error", message: messageOf(error), error }
  } catch (error) {
    return { _tag: "Error", message: messageOf(error), error }
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
