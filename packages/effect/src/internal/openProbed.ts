/**
 * Opening a SQLite file for the activity source, shared by the Node and Bun
 * drivers: set the connection up (read pragmas, busy timeout), probe it so a
 * file that is not SQLite fails now rather than at the first query, close it
 * if any of that throws, and close it with the scope.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ActivitySourceError, fromDriverError } from "../ActivitySource.js"
import type { SqliteDatabase } from "../SqliteDatabase.js"

/** The cheapest statement that reads the file's header and schema. */
const PROBE = "SELECT count(*) FROM sqlite_master"

export const openProbed = <D extends SqliteDatabase>(
  path: string,
  connect: Effect.Effect<() => D, ActivitySourceError>,
  setUp: (db: D) => void
): Effect.Effect<D, ActivitySourceError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(connect, (openDatabase) =>
      Effect.try({
        try: () => {
          const db = openDatabase()
          try {
            setUp(db)
            db.prepare(PROBE).all()
          } catch (error) {
            db.close()
            throw error
          }
          return db
        },
        catch: (cause) => fromDriverError(path, cause)
      })),
    (db) => Effect.sync(() => db.close())
  )
