/**
 * The activity source: runs the core's compiled queries and returns plain
 * rows. It reads each table's columns first (`PRAGMA table_info`), so a missing
 * table or column only drops the keys that need it.
 *
 * Layers: `layerDatabase` over any open connection that fits the structural
 * {@link SqliteDatabase} interface (a host's own connection: it is never
 * closed here; an in-memory better-sqlite3 database makes a test source); over
 * an existing `@effect/sql` `SqlClient`: `SqlClientActivitySource` in
 * `@posthog-backfill/effect/sql`. Files are
 * opened read-only by `NodeActivitySource` (better-sqlite3) and
 * `BunActivitySource` (`bun:sqlite`); `RuntimeActivitySource` picks one.
 *
 * @since 0.1.0
 */
import { type Query } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { SqliteDatabase } from "./SqliteDatabase.js"

/**
 * Why the source could not answer, with a message that says what to do.
 *
 * - `NotFound`: the database file does not exist.
 * - `NotADatabase`: the file is not SQLite (or is encrypted / corrupt).
 * - `Locked`: another connection held a lock longer than the busy timeout.
 * - `DriverMissing`: the SQLite driver for this runtime is not installed.
 * - `QueryFailed`: anything else SQLite refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class ActivitySourceError extends Data.TaggedError("ActivitySourceError")<{
  readonly reason: "NotFound" | "NotADatabase" | "Locked" | "DriverMissing" | "QueryFailed"
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The tables and columns the database has. */
  readonly columns: Effect.Effect<Query.TableColumns, ActivitySourceError>
  /** Runs one compiled query. */
  readonly run: (query: Query.AnyQuery) => Effect.Effect<ReadonlyArray<Query.Row>, ActivitySourceError>
  /**
   * How many queries the source runs at once (its connections); a plan issues
   * that many at a time. Default 1.
   */
  readonly concurrency?: number | undefined
  /**
   * Pins one read snapshot of the database on every connection until the
   * scope closes, and tells whether they all read the same one. Only then
   * does a plan cut a large table into rowid chunks that several connections
   * read at once: in one snapshot every row is in exactly one chunk, even while
   * the app writes (a row it rewrites under a new rowid could otherwise be
   * counted in two chunks, or in none). Sources with one connection leave it
   * out.
   */
  readonly sharedSnapshot?: Effect.Effect<boolean, ActivitySourceError, Scope.Scope> | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ActivitySource extends Context.Tag("@posthog-backfill/effect/ActivitySource")<ActivitySource, Service>() {}

/**
 * One query lists every table with its columns (`pragma_table_info` as a
 * table-valued function), instead of one `PRAGMA` per table.
 *
 * @since 0.1.0
 * @category constants
 */
export const COLUMNS_SQL =
  "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p " +
  "WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid"

/**
 * Groups `(table_name, column_name)` rows into {@link TableColumns}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const columnsFromRows = (rows: ReadonlyArray<unknown>): Query.TableColumns => {
  const columns: Record<string, Array<string>> = {}
  for (const row of rows as ReadonlyArray<{ table_name: string; column_name: string }>) {
    ;(columns[row.table_name] ??= []).push(row.column_name)
  }
  return columns
}

/**
 * Turns a driver error into an {@link ActivitySourceError} that names the
 * problem and the fix. `where` names the database for the message.
 *
 * @since 0.1.0
 * @category errors
 */
export const fromDriverError = (where: string, cause: unknown): ActivitySourceError => {
  const code = String((cause as { code?: unknown } | null)?.code ?? "")
  const text = cause instanceof Error ? cause.message : String(cause)
  if (code === "SQLITE_CANTOPEN" || /unable to open|cannot open|ENOENT|does not exist/i.test(text)) {
    return new ActivitySourceError({
      reason: "NotFound",
      message: `Cannot open the database ${where}: check the path (the file must exist; it is opened read-only).`,
      cause
    })
  }
  if (code === "SQLITE_NOTADB" || /not a database|file is encrypted/i.test(text)) {
    return new ActivitySourceError({
      reason: "NotADatabase",
      message: `${where} is not a SQLite database: point at the app's SQLite file.`,
      cause
    })
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || /database is locked|busy/i.test(text)) {
    return new ActivitySourceError({
      reason: "Locked",
      message: `The database ${where} stayed locked by another connection longer than the busy timeout: try again later, ` +
        "or wait longer for the app's locks (the busyTimeoutMs option; on the command line, --busy-timeout <ms>).",
      cause
    })
  }
  return new ActivitySourceError({ reason: "QueryFailed", message: `SQLite refused a query on ${where}: ${text}`, cause })
}

/**
 * Builds the source over an open connection. The connection stays the
 * caller's: nothing here closes it. `where` names it in error messages.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromDatabase = (db: SqliteDatabase, where = "(host connection)"): Service => {
  const all = (sql: string, params: ReadonlyArray<unknown>) =>
    Effect.try({
      try: () => db.prepare(sql).all(...params) as ReadonlyArray<Query.Row>,
      catch: (cause) => fromDriverError(where, cause)
    })
  return {
    columns: Effect.map(all(COLUMNS_SQL, []), columnsFromRows),
    run: (query) => all(query.sql, query.params)
  }
}

/**
 * The source over an open connection (a host's own better-sqlite3,
 * `bun:sqlite` or `node:sqlite` database). It is not closed by the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDatabase = (db: SqliteDatabase): Layer.Layer<ActivitySource> =>
  Layer.succeed(ActivitySource, fromDatabase(db))

/**
 * Defers building `inner` (e.g. opening a file) until the first query, then
 * keeps it for the layer's lifetime. The backfill's first gates (marker,
 * consent) then run without touching the database: a host whose backfill is
 * done never opens it again, and a missing file cannot fail a run that would
 * have stopped anyway.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLazy = (
  inner: Layer.Layer<ActivitySource, ActivitySourceError>,
  /** The `concurrency` of the source `inner` builds (known before it is built). Default 1. */
  concurrency?: number | undefined
): Layer.Layer<ActivitySource> =>
  Layer.scoped(
    ActivitySource,
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const source = yield* Effect.cached(
        Effect.map(Layer.buildWithScope(inner, scope), (context) => Context.get(context, ActivitySource))
      )
      return {
        columns: Effect.flatMap(source, (s) => s.columns),
        run: (query) => Effect.flatMap(source, (s) => s.run(query)),
        concurrency,
        sharedSnapshot: Effect.flatMap(source, (s) => s.sharedSnapshot ?? Effect.succeed(false))
      }
    })
  )
