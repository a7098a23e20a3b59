/**
 * The activity source over an existing `@effect/sql` `SqlClient`, for hosts
 * already on it (e.g. `@effect/sql-sqlite-node`). It lives in its own entry,
 * `@posthog-backfill/effect/sql`, so `@effect/sql` stays an optional peer: the
 * main entry's code and declarations never name it.
 *
 * ```ts
 * import { SqlClientActivitySource } from "@posthog-backfill/effect/sql"
 * const source = SqlClientActivitySource.layer.pipe(Layer.provide(SqliteClient.layer({ filename })))
 * ```
 *
 * @since 0.1.0
 */
import type { Query } from "@posthog-backfill/core"
import { SqlClient } from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ActivitySource, COLUMNS_SQL, columnsFromRows, fromDriverError } from "../ActivitySource.js"

/**
 * Queries run through `sql.unsafe` with bound parameters, on the client's own
 * connection (never closed here).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ActivitySource, never, SqlClient> = Layer.effect(
  ActivitySource,
  Effect.gen(function*() {
    const sql = yield* SqlClient
    const all = (text: string, params: ReadonlyArray<unknown>) =>
      sql.unsafe<Query.Row>(text, params as Array<never>).pipe(
        Effect.mapError((cause) => fromDriverError("(SqlClient)", cause.cause ?? cause))
      )
    return {
      columns: Effect.map(all(COLUMNS_SQL, []), columnsFromRows),
      run: (query) => all(query.sql, query.params)
    }
  })
)
