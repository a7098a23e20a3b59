/**
 * The activity source for a database as a host names it, on whichever
 * runtime runs: a host's own open connection is queried on its own thread
 * (SQLite connections do not move between threads); a path is read through
 * `bun:sqlite` under Bun, and on Node through better-sqlite3 in worker
 * threads (`NodeActivitySource.layerWorker`), or on the calling thread with
 * `inline: true`. The drivers load only when the layer is built.
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import { type ActivitySource, type ActivitySourceError, layerDatabase } from "./ActivitySource.js"
import * as BunActivitySource from "./BunActivitySource.js"
import * as NodeActivitySource from "./NodeActivitySource.js"
import type { SqliteDatabase } from "./SqliteDatabase.js"

/**
 * How a path is read (a host connection ignores these).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How long to wait for the host's locks. Default 5000 ms. */
  readonly busyTimeoutMs?: number | undefined
  /** Read a path on the calling thread instead of worker threads (Node only; Bun always reads inline). Default `false`. */
  readonly inline?: boolean | undefined
  /** Worker threads reading a path on Node. Default `NodeActivitySource.DEFAULT_WORKERS`. */
  readonly workers?: number | undefined
  /** Read at a lower CPU priority (Linux): see `NodeActivitySource.Options.lowPriority`. Default `true`. */
  readonly lowPriority?: boolean | undefined
  /** Whether the worker threads hold the host's process open: see `NodeActivitySource.Options.keepAlive`. Default `true`. */
  readonly keepAlive?: boolean | undefined
}

/**
 * Whether this process runs under Bun.
 *
 * @since 0.1.0
 * @category runtime
 */
export const isBun = (): boolean => typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"

/**
 * The activity source for a path or a host connection.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (database: string | SqliteDatabase, options: Options = {}): Layer.Layer<ActivitySource, ActivitySourceError> =>
  typeof database !== "string"
    ? layerDatabase(database)
    : isBun()
    ? BunActivitySource.layer({ path: database, busyTimeoutMs: options.busyTimeoutMs })
    : options.inline === true
    ? NodeActivitySource.layer({ path: database, busyTimeoutMs: options.busyTimeoutMs })
    : NodeActivitySource.layerWorker({
      path: database,
      busyTimeoutMs: options.busyTimeoutMs,
      workers: options.workers,
      lowPriority: options.lowPriority,
      keepAlive: options.keepAlive
    })

/**
 * How many queries the source of {@link layer} runs at once (known before it
 * is built, so a lazily opened source can say it).
 *
 * @since 0.1.0
 * @category getters
 */
export const concurrency = (database: string | SqliteDatabase, options: Options = {}): number =>
  typeof database === "string" && !isBun() && options.inline !== true
    ? Math.max(1, Math.floor(options.workers ?? NodeActivitySource.DEFAULT_WORKERS))
    : 1
