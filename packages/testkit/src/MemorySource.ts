/**
 * An `ActivitySource` over plain row arrays, answered by the in-memory oracle
 * (`InMemoryQuery`): the compiled queries run with the same semantics as
 * their SQL. Tests swap it in to prove a gate or a plan without a file.
 *
 * @since 0.1.0
 */
import type { Query } from "@posthog-backfill/core"
import { ActivitySource } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { columnsOfRows, runQueryInMemory, type TableRows } from "./InMemoryQuery.js"

/**
 * The source over `tables`; `columns` declares columns of tables that have
 * no rows.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (tables: TableRows, columns?: Query.TableColumns): ActivitySource.Service => ({
  columns: Effect.sync(() => columnsOfRows(tables, columns)),
  run: (query) => Effect.sync(() => runQueryInMemory(query, tables))
})

/**
 * The source over `tables` as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (tables: TableRows, columns?: Query.TableColumns): Layer.Layer<ActivitySource.ActivitySource> =>
  Layer.succeed(ActivitySource.ActivitySource, make(tables, columns))
