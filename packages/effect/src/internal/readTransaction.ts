/**
 * One read snapshot on a connection the source owns: a read transaction held
 * for a scope. From its first read until it ends, the connection sees one
 * state of the file (in WAL mode the app's later commits stay invisible to
 * it; in rollback-journal mode its shared lock holds the app's commits off
 * until it ends, as any running query would).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ActivitySourceError, fromDatabase, fromDriverError, type Service } from "../ActivitySource.js"
import type { SqliteDatabase } from "../SqliteDatabase.js"

/** Begins the transaction; the snapshot is taken by the first read, so the schema is read at once. */
export const BEGIN = "BEGIN"
/** The first read: the cheapest statement that reads the file. */
export const FIRST_READ = "SELECT count(*) FROM sqlite_master"
/** Ends it (nothing was written: a rollback is a commit). */
export const END = "ROLLBACK"

/**
 * `ActivitySource.Service.sharedSnapshot` for a source with one connection of
 * its own: always shared.
 */
export const ownSnapshot = (
  db: SqliteDatabase & { exec(sql: string): unknown },
  where: string
): Effect.Effect<boolean, ActivitySourceError, Scope.Scope> =>
  Effect.as(
    Effect.acquireRelease(
      Effect.try({
        try: () => {
          db.exec(BEGIN)
          try {
            db.prepare(FIRST_READ).all()
          } catch (error) {
            db.exec(END)
            throw error
          }
        },
        catch: (cause) => fromDriverError(where, cause)
      }),
      () =>
        Effect.sync(() => {
          try {
            db.exec(END)
          } catch {
            // Already ended (the connection rolled back on an error): nothing to end.
          }
        })
    ),
    true
  )

/**
 * The source over a connection the source opened itself (the inline Node and
 * the Bun file sources): its queries, and a plan's snapshot as one read
 * transaction on it.
 */
export const ownConnectionSource = (db: SqliteDatabase & { exec(sql: string): unknown }, where: string): Service => ({
  ...fromDatabase(db, where),
  sharedSnapshot: ownSnapshot(db, where)
})
