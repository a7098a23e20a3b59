/**
 * The minimal structural SQLite interface the activity source needs, the way
 * Kysely's SQLite dialect avoids depending on a driver: better-sqlite3 (Node),
 * `bun:sqlite` (Bun), `node:sqlite` and a host's own open connection all fit
 * without an adapter.
 *
 * @since 0.1.0
 */

/**
 * A prepared statement: `all` runs it with bound parameters and returns plain rows.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteStatement {
  all(...params: ReadonlyArray<unknown>): ReadonlyArray<unknown> | Array<unknown>
}

/**
 * An open SQLite connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement
  close(): unknown
}
