/**
 * `@posthog-backfill/effect/sql`: what needs `@effect/sql` (an optional peer).
 *
 * @since 0.1.0
 */

/** The activity source over an existing `@effect/sql` `SqlClient`. */
export * as SqlClientActivitySource from "./SqlClientActivitySource.js"
