/**
 * Dashboards as code, the definitions: a dashboard is a list of typed insight
 * definitions, each with a stable id (the key it is applied by) and a typed
 * query that `InsightHogQL` compiles, purely, into HogQL. Every query reads
 * the `events` table and counts installs by `distinct_id` (the install id,
 * the distinct id of both backfilled and live events).
 *
 * @since 0.1.0
 */

/**
 * The most rows any generated query returns (an explicit `LIMIT`: HogQL's
 * default is 100 rows).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_ROWS = 10_000

/**
 * A time bucket.
 *
 * @since 0.1.0
 * @category models
 */
export type Interval = "day" | "week" | "month"

/**
 * How far back a query reads: `timestamp >= now() - INTERVAL <amount> <unit>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lookback {
  readonly amount: number
  readonly unit: Interval
}

/**
 * An event, optionally narrowed by property equalities, e.g.
 * `{ event: "install_completed", where: { is_update: false } }`. Values are
 * compared as text (`toString(properties.is_update) = 'false'`), which holds
 * whatever type PostHog inferred for the property.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventMatch {
  readonly event: string
  readonly where?: Readonly<Record<string, boolean | string>> | undefined
}

/**
 * Distinct installs active per week or month, from every matching event (the
 * backfill's `historical_activity` together with the app's live activity).
 *
 * @since 0.1.0
 * @category models
 */
export interface ActiveInstallsQuery {
  readonly _tag: "ActiveInstalls"
  readonly interval: "week" | "month"
  readonly activity: ReadonlyArray<EventMatch>
  readonly lookback: Lookback
}

/**
 * The adoption curve: each install counted once, in the period of its
 * earliest install event (`install_inferred` or the app's live install
 * event), with the running total.
 *
 * @since 0.1.0
 * @category models
 */
export interface AdoptionQuery {
  readonly _tag: "Adoption"
  readonly interval: "week" | "month"
  readonly installs: ReadonlyArray<EventMatch>
}

/**
 * Weekly cohort retention: installs grouped by the week of their
 * `first_active_date` (from `install_inferred`; installs without one fall back
 * to their earliest event), and the share of each cohort active 0..N weeks
 * later.
 *
 * @since 0.1.0
 * @category models
 */
export interface CohortRetentionQuery {
  readonly _tag: "CohortRetention"
  readonly activity: ReadonlyArray<EventMatch>
  /** The event carrying the cohort date, e.g. `install_inferred`. */
  readonly cohortEvent: string
  /** The date property on it, e.g. `first_active_date` (`YYYY-MM-DD`). */
  readonly cohortProperty: string
  /** Columns `week_0` .. `week_<weeks>`. */
  readonly weeks: number
  /** Cohorts that started within this lookback. */
  readonly lookback: Lookback
}

/**
 * Distinct installs per app version over time. Events with `backfilled = true`
 * are always excluded: `install_inferred` carries the version of the day the
 * backfill ran on an event stamped months earlier.
 *
 * @since 0.1.0
 * @category models
 */
export interface VersionBreakdownQuery {
  readonly _tag: "VersionBreakdown"
  readonly events: ReadonlyArray<EventMatch>
  readonly versionProperty: string
  readonly interval: Interval
  readonly lookback: Lookback
}

/**
 * An event's volume per period, optionally broken down by one property.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventTrendQuery {
  readonly _tag: "EventTrend"
  readonly event: EventMatch
  readonly interval: Interval
  readonly lookback: Lookback
  readonly breakdown?: string | undefined
  /** The name of the count column. Default `events`. */
  readonly countAs?: string | undefined
}

/**
 * One aggregate column of an {@link EventTableQuery}.
 *
 * - `Count`: events; `Installs`: distinct installs.
 * - `Median` / `Average` / `Sum` / `Min` / `Max` of a numeric property.
 * - `Ratio`: the average of `numerator / denominator` per event (events with a
 *   zero denominator are skipped), rounded to 3 decimals.
 *
 * @since 0.1.0
 * @category models
 */
export type Measure =
  | { readonly _tag: "Count"; readonly as: string }
  | { readonly _tag: "Installs"; readonly as: string }
  | {
    readonly _tag: "Median" | "Average" | "Sum" | "Min" | "Max"
    readonly property: string
    readonly as: string
  }
  | { readonly _tag: "Ratio"; readonly numerator: string; readonly denominator: string; readonly as: string }

/**
 * A table of aggregates of one event, grouped by properties, ordered by its
 * first measure (descending).
 *
 * @since 0.1.0
 * @category models
 */
export interface EventTableQuery {
  readonly _tag: "EventTable"
  readonly event: EventMatch
  readonly groupBy: ReadonlyArray<string>
  readonly measures: ReadonlyArray<Measure>
  readonly lookback: Lookback
  /** Default 100. */
  readonly limit?: number | undefined
}

/**
 * Every kind of insight the generator writes.
 *
 * @since 0.1.0
 * @category models
 */
export type InsightQuery =
  | ActiveInstallsQuery
  | AdoptionQuery
  | CohortRetentionQuery
  | VersionBreakdownQuery
  | EventTrendQuery
  | EventTableQuery

/**
 * One insight: a stable `id` (the key it is applied by; renaming `name` keeps
 * the same insight), what people read, and its typed query.
 *
 * @since 0.1.0
 * @category models
 */
export interface InsightDefinition {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly query: InsightQuery
}

/**
 * One dashboard and its insights, in display order.
 *
 * @since 0.1.0
 * @category models
 */
export interface DashboardDefinition {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly pinned?: boolean | undefined
  readonly insights: ReadonlyArray<InsightDefinition>
}
