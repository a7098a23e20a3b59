/**
 * The activity source over a SQLite file on Node, through better-sqlite3
 * (an optional peer dependency, loaded when the layer is built). The file is
 * opened read-only, must exist, and waits up to a busy timeout when the host
 * app holds a lock; the connection closes when the layer's scope ends.
 *
 * Two layers: {@link layerWorker} runs every query in a `node:worker_threads`
 * worker with its own connection, so a scan of millions of rows never blocks
 * the host's event loop (the default of `NodeBackfill` and the facade for a
 * path); {@link layer} runs them on the calling thread (a one-shot script or a
 * CLI that has nothing else to do, or a runtime without worker threads).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as os from "node:os"
import { ActivitySource, ActivitySourceError, columnsFromRows, COLUMNS_SQL, fromDriverError, type Service } from "./ActivitySource.js"
import { openProbed } from "./internal/openProbed.js"
import { ownConnectionSource } from "./internal/readTransaction.js"
import { type SqliteWorker, SqliteWorkerError, startSqliteWorkerPool } from "./internal/sqliteWorkerClient.js"
import type { SqliteDatabase } from "./SqliteDatabase.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly path: string
  /** How long to wait for a lock held by the host app. Default 5000 ms. */
  readonly busyTimeoutMs?: number | undefined
  /**
   * Worker threads of {@link layerWorker}, each with its own connection: a
   * large table is read in rowid chunks that the workers share (the tables in
   * the spec's order). Default {@link DEFAULT_WORKERS}; ignored by the inline layers.
   */
  readonly workers?: number | undefined
  /**
   * Run the worker threads of {@link layerWorker} at a lower CPU priority
   * (nice +10, Linux only, where priority is per thread: elsewhere nothing
   * changes). When the host's threads want a core, they get it first: the
   * workers can use every core without stalling the host's event loop. When
   * nothing else runs, nothing changes; on a machine busy with other work the
   * backfill is slower (measured: several times slower next to two CPU-bound
   * processes on two cores). Default `true`: a backfill is background work.
   */
  readonly lowPriority?: boolean | undefined
  /**
   * Whether the worker threads of {@link layerWorker} hold the host's process
   * open. Default `true`. `false` lets a short-lived host exit mid-read (the
   * backfill then has written nothing, and the next start reads again).
   */
  readonly keepAlive?: boolean | undefined
}

/** See {@link DEFAULT_WORKERS}. */
function defaultWorkers(cores: number, platform: string): number {
  return cores > 2 || (cores === 2 && platform === "linux") ? 2 : 1
}

/** The nice value added to the worker threads with `lowPriority`. */
const LOW_PRIORITY_NICENESS = 10

/**
 * The default busy timeout: long enough to ride out the host's write
 * transactions, short enough not to stall a worker's startup.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000

/**
 * The default number of worker threads: two where the host's own thread can
 * still get a core while both work, else one. That is above two cores, and on
 * two cores on Linux, where the workers run at a lower priority
 * (`lowPriority`, per thread there) and the host's thread goes first; on two
 * cores elsewhere two workers would leave the host's event loop waiting for a
 * core (up to ~60 ms was measured), so one. Two workers read the largest table
 * in rowid chunks side by side: on two cores a plan takes about 40% less time
 * than with one (BENCHMARKS.md, the `ours, 1 worker` column).
 * A third adds nothing on two cores.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_WORKERS: number = defaultWorkers(os.availableParallelism(), process.platform)

/**
 * Pragmas for the read-only connection this module opens (never applied to a
 * host's own connection). A rollup's cost is reading every row of a table and
 * SQLite's `GROUP BY` sort of them (SQLite has no hash aggregation); each pragma
 * is kept because the benchmark measured it (BENCHMARKS.md):
 *
 * - `query_only`: the connection is read-only already; this also refuses
 *   writes to the temp schema, so nothing in a plan can write anywhere.
 * - `threads = 1`: SQLite's sorter sorts runs of rows in one helper thread
 *   while the query keeps scanning (about a fifth off the largest query on two
 *   cores).
 * - `cache_size = -4000` (4 MiB, better-sqlite3's default is 16): a one-pass
 *   scan gains nothing from a page cache, and the sorter's runs are sized by it:
 *   smaller runs are sorted in the helper thread while they are still in the CPU
 *   caches (faster than 16 MiB runs), and resident memory stays lower.
 *
 * Left out on purpose: `mmap_size` (reads get faster, but every page of the
 * file read through the map counts in the process's resident memory, which
 * would then grow with the database), `temp_store = MEMORY` (the sort would
 * hold every row in memory instead of spilling sorted runs to temp files:
 * memory would grow with the rows).
 *
 * @since 0.1.0
 * @category constants
 */
export const READ_PRAGMAS: ReadonlyArray<string> = ["query_only = 1", "threads = 1", "cache_size = -4000"]

/**
 * The read pragmas for each of `workers` connections scanning at once: as
 * {@link READ_PRAGMAS}, without the sorter's helper thread (`threads = 0`) when
 * the workers alone fill the cores (measured on two cores with two workers:
 * the helper threads then only compete with the scans).
 *
 * @since 0.1.0
 * @category constants
 */
export const readPragmas = (workers: number, cores: number = os.availableParallelism()): ReadonlyArray<string> =>
  workers >= cores ? READ_PRAGMAS.map((pragma) => (pragma.startsWith("threads") ? "threads = 0" : pragma)) : READ_PRAGMAS

type BetterSqlite3 = new (path: string, options: { readonly: boolean; fileMustExist: boolean; timeout: number }) => SqliteDatabase & {
  pragma(source: string): unknown
  exec(source: string): unknown
}

const loadDriver = Effect.tryPromise({
  try: async () => (await import("better-sqlite3")).default as unknown as BetterSqlite3,
  catch: (cause) =>
    new ActivitySourceError({
      reason: "DriverMissing",
      message: "better-sqlite3 is not installed: add it to your app's dependencies (npm install better-sqlite3).",
      cause
    })
})

/**
 * Opens the file read-only and probes it, so a missing file or a file that
 * is not SQLite fails here with a clear error rather than at the first query.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open = (options: Options): Effect.Effect<SqliteDatabase, ActivitySourceError, Scope.Scope> => openOwned(options)

/** {@link open}, keeping the driver's own type (the layer needs `exec`). */
const openOwned = (options: Options) =>
  openProbed(
    options.path,
    Effect.map(loadDriver, (Driver) => () =>
      new Driver(options.path, {
        readonly: true,
        fileMustExist: true,
        timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
      })),
    (db) => {
      for (const pragma of READ_PRAGMAS) db.pragma(pragma)
    }
  )

/**
 * The activity source over a SQLite file, queried on the calling thread
 * (scoped: closes with the layer). A query blocks the thread for as long as
 * SQLite reads the table; in a host with other work on its event loop, use
 * {@link layerWorker}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ActivitySource, ActivitySourceError> =>
  Layer.scoped(
    ActivitySource,
    Effect.map(openOwned(options), (db) => ownConnectionSource(db, options.path))
  )

const fromWorkerError = (where: string, error: unknown): ActivitySourceError => {
  if (error instanceof SqliteWorkerError && error.code === "DRIVER_MISSING") {
    return new ActivitySourceError({
      reason: "DriverMissing",
      message: "better-sqlite3 is not installed: add it to your app's dependencies (npm install better-sqlite3).",
      cause: error
    })
  }
  if (error instanceof SqliteWorkerError && error.code.startsWith("WORKER_")) {
    return new ActivitySourceError({
      reason: "QueryFailed",
      message: `${error.message} while reading ${where}; if this runtime cannot start worker threads, use the inline layer (NodeActivitySource.layer, or inline: true).`,
      cause: error
    })
  }
  return fromDriverError(where, error)
}

/** The worker threads could not run here (not the file, not the driver): reading inline still can. */
const cannotRunThreads = (cause: unknown): cause is SqliteWorkerError =>
  cause instanceof SqliteWorkerError && (cause.code === "WORKER_START" || cause.code === "WORKER_ERROR" || cause.code === "WORKER_EXIT")

/**
 * Starts the worker threads, which open and probe the file (the threads end
 * with the scope); where threads cannot run, the source reads on the calling
 * thread instead, and says why in the log.
 */
const openWorker = (options: Options): Effect.Effect<Service, ActivitySourceError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () =>
        startSqliteWorkerPool(
          {
            path: options.path,
            busyTimeoutMs: Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)),
            pragmas: readPragmas(workerCount(options)),
            niceness: options.lowPriority === false ? 0 : LOW_PRIORITY_NICENESS,
            keepAlive: options.keepAlive ?? true
          },
          workerCount(options)
        ),
      catch: (cause) => cause
    }),
    (worker) => Effect.promise(() => worker.close())
  ).pipe(
    Effect.map((worker) => fromWorker(worker, options.path, workerCount(options))),
    Effect.catchAll((cause) =>
      cannotRunThreads(cause)
        ? Effect.zipRight(
          Effect.logWarning(`${cause.message}; reading ${options.path} on the calling thread instead`),
          Effect.map(openOwned(options), (db) => ownConnectionSource(db, options.path))
        )
        : Effect.fail(fromWorkerError(options.path, cause))
    )
  )

/** The source over started workers: queries run in their threads; rows come back in slices, one per event-loop turn. */
const fromWorker = (worker: SqliteWorker, where: string, concurrency: number): Service => {
  const all = (sql: string, params: ReadonlyArray<unknown>) =>
    Effect.tryPromise({ try: () => worker.all(sql, params), catch: (cause) => fromWorkerError(where, cause) })
  return {
    columns: Effect.map(all(COLUMNS_SQL, []), columnsFromRows),
    run: (query) => all(query.sql, query.params),
    concurrency,
    sharedSnapshot: Effect.map(
      Effect.acquireRelease(
        Effect.tryPromise({ try: () => worker.snapshot(), catch: (cause) => fromWorkerError(where, cause) }),
        (lease) => Effect.promise(() => lease.release())
      ),
      (lease) => lease.aligned
    )
  }
}

const workerCount = (options: Options): number => Math.max(1, Math.floor(options.workers ?? DEFAULT_WORKERS))

/**
 * The activity source over a SQLite file, queried in `node:worker_threads`
 * workers (`workers`, default {@link DEFAULT_WORKERS}), each with its own
 * read-only connection, so the host's event loop keeps running while SQLite
 * scans (scoped: the threads end with the layer). Queries wait in one queue
 * for the first idle worker. Same errors as {@link layer}. The worker starts
 * from source text, so a bundled host needs no extra file; where threads
 * cannot run at all, the source reads on the calling thread and logs why.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWorker = (options: Options): Layer.Layer<ActivitySource, ActivitySourceError> =>
  Layer.scoped(ActivitySource, openWorker(options))
