/**
 * The activity source over a SQLite file on Bun, through `bun:sqlite` (loaded
 * when the layer is built, so this module also loads on Node). Read-only, the
 * file must exist, and a busy timeout rides out the host app's locks.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { ActivitySource, ActivitySourceError } from "./ActivitySource.js"
import { openProbed } from "./internal/openProbed.js"
import { ownConnectionSource } from "./internal/readTransaction.js"
import { DEFAULT_BUSY_TIMEOUT_MS, type Options } from "./NodeActivitySource.js"
import type { SqliteDatabase } from "./SqliteDatabase.js"

export type { Options } from "./NodeActivitySource.js"

type BunDatabase = new (path: string, options: { readonly: boolean; create: boolean }) => SqliteDatabase & {
  exec(sql: string): void
}

const loadDriver = Effect.tryPromise({
  try: async () => {
    // A variable specifier keeps TypeScript and bundlers from resolving bun:sqlite on Node.
    const specifier = "bun:sqlite"
    return ((await import(specifier)) as { Database: BunDatabase }).Database
  },
  catch: (cause) =>
    new ActivitySourceError({
      reason: "DriverMissing",
      message: "bun:sqlite is only available under Bun: on Node use NodeActivitySource.",
      cause
    })
})

/**
 * Opens the file read-only and probes it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open = (options: Options): Effect.Effect<SqliteDatabase, ActivitySourceError, Scope.Scope> => openOwned(options)

/** {@link open}, keeping the driver's own type (the layer needs `exec`). */
const openOwned = (options: Options) =>
  openProbed(
    options.path,
    Effect.map(loadDriver, (Database) => () => new Database(options.path, { readonly: true, create: false })),
    (db) => db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`)
  )

/**
 * The activity source over a SQLite file under Bun (scoped).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ActivitySource, ActivitySourceError> =>
  Layer.scoped(
    ActivitySource,
    Effect.map(openOwned(options), (db) => ownConnectionSource(db, options.path))
  )
