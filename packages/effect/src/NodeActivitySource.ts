/**
 * The activity source over a SQLite file on Node, through better-sqlite3
 * (an optional peer dependency, loaded when the layer is built). The file is
 * opened read-only, must exist, and waits up to a busy timeout when the host
 * app holds a lock; the connection closes when the layer's scope ends.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { ActivitySource, ActivitySourceError, fromDatabase, fromDriverError } from "./ActivitySource.js"
import type { SqliteDatabase } from "./SqliteDatabase.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly path: string
  /** How long to wait for a lock held by the host app. Default 5000 ms. */
  readonly busyTimeoutMs?: number | undefined
}

/**
 * The default busy timeout: long enough to ride out the host's write
 * transactions, short enough not to stall a worker's startup.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000

type BetterSqlite3 = new (path: string, options: { readonly: boolean; fileMustExist: boolean; timeout: number }) => SqliteDatabase

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
export const open = (options: Options): Effect.Effect<SqliteDatabase, ActivitySourceError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(loadDriver, (Driver) =>
      Effect.try({
        try: () => {
          const db = new Driver(options.path, {
            readonly: true,
            fileMustExist: true,
            timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
          })
          try {
            db.prepare("SELECT count(*) FROM sqlite_master").all()
          } catch (error) {
            db.close()
            throw error
          }
          return db
        },
        catch: (cause) => fromDriverError(options.path, cause)
      })
    ),
    (db) => Effect.sync(() => db.close())
  )

/**
 * The activity source over a SQLite file (scoped: closes with the layer).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ActivitySource, ActivitySourceError> =>
  Layer.scoped(ActivitySource, Effect.map(open(options), (db) => fromDatabase(db, options.path)))
