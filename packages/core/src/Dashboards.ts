/**
 * Dashboards as code. A dashboard is a list of typed insight definitions; each
 * definition compiles, purely, into a HogQL query and PostHog's
 * `DataVisualizationNode` (a SQL insight), so the same text can be printed,
 * reviewed in a diff and applied through PostHog's REST API.
 *
 * Applying is keyed by stable ids, never by names: every dashboard and insight
 * the library manages carries a marker in its description
 * (`[posthog-backfill:<dashboard>]`, `[posthog-backfill:<dashboard>/<insight>]`),
 * so a renamed definition updates the same insight in place and a second apply
 * changes nothing. {@link planApply} is the pure diff between the definitions
 * and what the project holds; the shell only performs the requests.
 *
 * Every query reads the `events` table, bounds its result with an explicit
 * `LIMIT` (HogQL's default is 100 rows), and counts installs by `distinct_id`
 * (the install id, the distinct id of both backfilled and live events).
 *
 * @since 0.1.0
 */
import { hogqlAlias, hogqlEvent, hogqlProperty, hogqlString, HogQLNameError, isHogQLEventName, isHogQLPropertyName } from "./HogQL.js"

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

/**
 * Thrown by {@link defineDashboard}; lists every problem at once.
 *
 * @since 0.1.0
 * @category errors
 */
export class DashboardDefinitionError extends Error {
  override readonly name = "DashboardDefinitionError"
  constructor(
    readonly dashboard: string,
    readonly problems: ReadonlyArray<string>
  ) {
    super(`Invalid dashboard "${dashboard}": fix these and try again:\n- ${problems.join("\n- ")}`)
  }
}

// ---------------------------------------------------------------------------
// HogQL generation
// ---------------------------------------------------------------------------

const ROW_LIMIT = 10_000
const INDENT = "    "

const UNIT: Readonly<Record<Interval, string>> = { day: "DAY", week: "WEEK", month: "MONTH" }

const bucket = (interval: Interval, expression: string): string => {
  switch (interval) {
    case "day":
      return `toDate(${expression})`
    case "week":
      // Mode 1: weeks start on Monday.
      return `toStartOfWeek(${expression}, 1)`
    case "month":
      return `toStartOfMonth(${expression})`
  }
}

const since = (lookback: Lookback): string => `now() - INTERVAL ${lookback.amount} ${UNIT[lookback.unit]}`

const matchCondition = (match: EventMatch): string => {
  const conditions = Object.entries(match.where ?? {}).map(
    ([property, value]) => `toString(${hogqlProperty(property)}) = ${hogqlString(String(value))}`
  )
  const event = `event = ${hogqlEvent(match.event)}`
  return conditions.length === 0 ? event : `(${[event, ...conditions].join(" AND ")})`
}

/** `event IN (...)` when no match has conditions, else the conditions OR-ed. */
const eventFilter = (matches: ReadonlyArray<EventMatch>): string => {
  if (matches.length === 1) return matchCondition(matches[0]!)
  if (matches.every((match) => Object.keys(match.where ?? {}).length === 0)) {
    const names = Array.from(new Set(matches.map((match) => hogqlEvent(match.event))))
    return names.length === 1 ? `event = ${names[0]}` : `event IN (${names.join(", ")})`
  }
  return `(${matches.map(matchCondition).join(" OR ")})`
}

const textOf = (property: string): string => `ifNull(toString(${hogqlProperty(property)}), '(none)')`

const numberOf = (property: string): string => `toFloat(${hogqlProperty(property)})`

const NOT_BACKFILLED = `ifNull(toString(${hogqlProperty("backfilled")}), '') != 'true'`

const lines = (...parts: ReadonlyArray<string | ReadonlyArray<string> | undefined>): string =>
  parts.flatMap((part) => (part === undefined ? [] : typeof part === "string" ? [part] : part)).join("\n")

const indent = (text: string, depth = 1): string =>
  text.split("\n").map((line) => `${INDENT.repeat(depth)}${line}`).join("\n")

const select = (columns: ReadonlyArray<string>): ReadonlyArray<string> => [
  "SELECT",
  ...columns.map((column, index) => `${INDENT}${column}${index < columns.length - 1 ? "," : ""}`)
]

const where = (conditions: ReadonlyArray<string>): ReadonlyArray<string> =>
  conditions.map((condition, index) => (index === 0 ? `WHERE ${condition}` : `${INDENT}AND ${condition}`))

const activeInstallsHogQL = (query: ActiveInstallsQuery): string => {
  const period = query.interval
  return lines(
    select([`${bucket(period, "timestamp")} AS ${period}`, "count(DISTINCT distinct_id) AS active_installs"]),
    "FROM events",
    where([eventFilter(query.activity), `timestamp >= ${since(query.lookback)}`]),
    `GROUP BY ${period}`,
    `ORDER BY ${period} ASC`,
    `LIMIT ${ROW_LIMIT}`
  )
}

const adoptionHogQL = (query: AdoptionQuery): string => {
  const period = query.interval
  const firstInstall = lines(
    select(["distinct_id", `${bucket(period, "min(timestamp)")} AS first_${period}`]),
    "FROM events",
    `WHERE ${eventFilter(query.installs)}`,
    "GROUP BY distinct_id"
  )
  const perPeriod = lines(
    select([`first_${period} AS ${period}`, "count() AS new_installs"]),
    "FROM (",
    indent(firstInstall),
    ")",
    `GROUP BY ${period}`
  )
  return lines(
    select([
      period,
      "new_installs",
      `sum(new_installs) OVER (ORDER BY ${period} ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total_installs`
    ]),
    "FROM (",
    indent(perPeriod),
    ")",
    `ORDER BY ${period} ASC`,
    `LIMIT ${ROW_LIMIT}`
  )
}

const cohortRetentionHogQL = (query: CohortRetentionQuery): string => {
  const cohortStart = `toStartOfWeek(${since(query.lookback)}, 1)`
  const activity = lines(
    "SELECT DISTINCT distinct_id, toStartOfWeek(timestamp, 1) AS week",
    "FROM events",
    where([eventFilter(query.activity), `timestamp >= ${cohortStart}`])
  )
  const cohortEvent = hogqlEvent(query.cohortEvent)
  const cohorts = lines(
    select([
      "distinct_id",
      `toStartOfWeek(ifNull(minIf(toDate(${hogqlProperty(query.cohortProperty)}), event = ${cohortEvent}), ` +
      "toDate(min(timestamp))), 1) AS cohort_week"
    ]),
    "FROM events",
    `WHERE ${eventFilter([{ event: query.cohortEvent }, ...query.activity])}`,
    "GROUP BY distinct_id"
  )
  const weeksSince = lines(
    select([
      "activity.distinct_id AS distinct_id",
      "cohorts.cohort_week AS cohort_week",
      "dateDiff('week', cohorts.cohort_week, activity.week) AS weeks_since"
    ]),
    "FROM (",
    indent(activity),
    ") AS activity",
    "INNER JOIN (",
    indent(cohorts),
    ") AS cohorts ON activity.distinct_id = cohorts.distinct_id",
    "WHERE activity.week >= cohorts.cohort_week"
  )
  const weekColumns = Array.from(
    { length: query.weeks + 1 },
    (_, week) => `round(100 * countIf(weeks_since = ${week}) / count(DISTINCT distinct_id), 1) AS week_${week}`
  )
  return lines(
    select(["cohort_week", "count(DISTINCT distinct_id) AS installs", ...weekColumns]),
    "FROM (",
    indent(weeksSince),
    ")",
    `WHERE cohort_week >= ${cohortStart}`,
    "GROUP BY cohort_week",
    "ORDER BY cohort_week ASC",
    `LIMIT ${ROW_LIMIT}`
  )
}

const versionBreakdownHogQL = (query: VersionBreakdownQuery): string => {
  const period = query.interval
  return lines(
    select([
      `${bucket(period, "timestamp")} AS ${period}`,
      `${textOf(query.versionProperty)} AS app_version`,
      "count(DISTINCT distinct_id) AS installs"
    ]),
    "FROM events",
    where([eventFilter(query.events), NOT_BACKFILLED, `timestamp >= ${since(query.lookback)}`]),
    `GROUP BY ${period}, app_version`,
    `ORDER BY ${period} ASC, installs DESC`,
    `LIMIT ${ROW_LIMIT}`
  )
}

const eventTrendHogQL = (query: EventTrendQuery): string => {
  const period = query.interval
  const count = hogqlAlias(query.countAs ?? "events")
  const breakdown = query.breakdown === undefined ? undefined : hogqlAlias(query.breakdown)
  return lines(
    select([
      `${bucket(period, "timestamp")} AS ${period}`,
      ...(breakdown === undefined ? [] : [`${textOf(breakdown)} AS ${breakdown}`]),
      `count() AS ${count}`
    ]),
    "FROM events",
    where([eventFilter([query.event]), `timestamp >= ${since(query.lookback)}`]),
    `GROUP BY ${period}${breakdown === undefined ? "" : `, ${breakdown}`}`,
    `ORDER BY ${period} ASC${breakdown === undefined ? "" : `, ${breakdown} ASC`}`,
    `LIMIT ${ROW_LIMIT}`
  )
}

const measureColumn = (measure: Measure): string => {
  const as = hogqlAlias(measure.as)
  switch (measure._tag) {
    case "Count":
      return `count() AS ${as}`
    case "Installs":
      return `count(DISTINCT distinct_id) AS ${as}`
    case "Median":
      return `median(${numberOf(measure.property)}) AS ${as}`
    case "Average":
      return `round(avg(${numberOf(measure.property)}), 3) AS ${as}`
    case "Sum":
      return `sum(${numberOf(measure.property)}) AS ${as}`
    case "Min":
      return `min(${numberOf(measure.property)}) AS ${as}`
    case "Max":
      return `max(${numberOf(measure.property)}) AS ${as}`
    case "Ratio":
      return `round(avg(${numberOf(measure.numerator)} / nullIf(${numberOf(measure.denominator)}, 0)), 3) AS ${as}`
  }
}

const eventTableHogQL = (query: EventTableQuery): string => {
  const groups = query.groupBy.map(hogqlAlias)
  const first = query.measures[0]
  return lines(
    select([...groups.map((group) => `${textOf(group)} AS ${group}`), ...query.measures.map(measureColumn)]),
    "FROM events",
    where([eventFilter([query.event]), `timestamp >= ${since(query.lookback)}`]),
    groups.length === 0 ? undefined : `GROUP BY ${groups.join(", ")}`,
    first === undefined ? undefined : `ORDER BY ${hogqlAlias(first.as)} DESC${groups.length === 0 ? "" : `, ${groups.join(", ")}`}`,
    `LIMIT ${query.limit ?? 100}`
  )
}

/**
 * The HogQL of one insight query. Pure; the text is stable (snapshot-tested)
 * so a change to a definition shows up as a readable diff.
 *
 * @throws HogQLNameError when a name in the query cannot be written into HogQL
 *   ({@link defineDashboard} reports these up front).
 * @since 0.1.0
 * @category hogql
 */
export const insightHogQL = (query: InsightQuery): string => {
  switch (query._tag) {
    case "ActiveInstalls":
      return activeInstallsHogQL(query)
    case "Adoption":
      return adoptionHogQL(query)
    case "CohortRetention":
      return cohortRetentionHogQL(query)
    case "VersionBreakdown":
      return versionBreakdownHogQL(query)
    case "EventTrend":
      return eventTrendHogQL(query)
    case "EventTable":
      return eventTableHogQL(query)
  }
}

// ---------------------------------------------------------------------------
// PostHog query nodes
// ---------------------------------------------------------------------------

/**
 * PostHog's chart kinds (`ChartDisplayType`) the generator uses.
 *
 * @since 0.1.0
 * @category models
 */
export type ChartDisplay = "ActionsLineGraph" | "ActionsBar" | "ActionsStackedBar" | "ActionsTable"

/**
 * How PostHog draws a SQL insight: a chart kind and its axes
 * (`DataVisualizationNode.display` and `chartSettings`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Visualization {
  readonly display: ChartDisplay
  readonly xAxis?: string | undefined
  readonly yAxis?: ReadonlyArray<string> | undefined
  readonly seriesBreakdownColumn?: string | undefined
}

/**
 * The chart an insight query is drawn as.
 *
 * @since 0.1.0
 * @category hogql
 */
export const insightVisualization = (query: InsightQuery): Visualization => {
  switch (query._tag) {
    case "ActiveInstalls":
      return { display: "ActionsLineGraph", xAxis: query.interval, yAxis: ["active_installs"] }
    case "Adoption":
      return { display: "ActionsLineGraph", xAxis: query.interval, yAxis: ["total_installs", "new_installs"] }
    case "CohortRetention":
      return { display: "ActionsTable" }
    case "VersionBreakdown":
      return { display: "ActionsLineGraph", xAxis: query.interval, yAxis: ["installs"], seriesBreakdownColumn: "app_version" }
    case "EventTrend":
      return query.breakdown === undefined
        ? { display: "ActionsBar", xAxis: query.interval, yAxis: [query.countAs ?? "events"] }
        : {
          display: "ActionsStackedBar",
          xAxis: query.interval,
          yAxis: [query.countAs ?? "events"],
          seriesBreakdownColumn: query.breakdown
        }
    case "EventTable":
      return { display: "ActionsTable" }
  }
}

/**
 * A JSON value as PostHog's REST API exchanges it.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * The `query` of a SQL insight: a `DataVisualizationNode` over a
 * `HogQLQuery`, with its chart settings.
 *
 * @since 0.1.0
 * @category hogql
 */
export const insightQueryNode = (query: InsightQuery): { readonly [key: string]: Json } => {
  const visualization = insightVisualization(query)
  const chartSettings: Record<string, Json> = {}
  if (visualization.xAxis !== undefined) chartSettings["xAxis"] = { column: visualization.xAxis }
  if (visualization.yAxis !== undefined) chartSettings["yAxis"] = visualization.yAxis.map((column) => ({ column }))
  if (visualization.seriesBreakdownColumn !== undefined) {
    chartSettings["seriesBreakdownColumn"] = visualization.seriesBreakdownColumn
    chartSettings["showLegend"] = true
  }
  return {
    kind: "DataVisualizationNode",
    source: { kind: "HogQLQuery", query: insightHogQL(query) },
    display: visualization.display,
    ...(Object.keys(chartSettings).length === 0 ? {} : { chartSettings })
  }
}

// ---------------------------------------------------------------------------
// Definitions and validation
// ---------------------------------------------------------------------------

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/

/**
 * Whether `id` can key a dashboard or an insight: lowercase letters, digits
 * and `-`, at most 63 characters.
 *
 * @since 0.1.0
 * @category validation
 */
export const isDefinitionId = (id: string): boolean => ID.test(id)

const lookbackProblems = (where: string, lookback: Lookback): ReadonlyArray<string> =>
  Number.isSafeInteger(lookback.amount) && lookback.amount >= 1 && lookback.amount <= 10_000
    ? []
    : [`${where}: lookback amount ${lookback.amount} must be a whole number from 1 to 10000`]

const matchProblems = (where: string, matches: ReadonlyArray<EventMatch>): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (matches.length === 0) problems.push(`${where}: needs at least one event`)
  for (const match of matches) {
    if (!isHogQLEventName(match.event)) problems.push(`${where}: event name ${JSON.stringify(match.event)} is not accepted`)
    for (const property of Object.keys(match.where ?? {})) {
      if (!isHogQLPropertyName(property)) problems.push(`${where}: property ${JSON.stringify(property)} is not a plain name`)
    }
  }
  return problems
}

const nameProblems = (where: string, what: string, names: ReadonlyArray<string>): ReadonlyArray<string> =>
  names.filter((name) => !isHogQLPropertyName(name)).map((name) => `${where}: ${what} ${JSON.stringify(name)} is not a plain name`)

const queryProblems = (where: string, query: InsightQuery): ReadonlyArray<string> => {
  switch (query._tag) {
    case "ActiveInstalls":
      return [...matchProblems(where, query.activity), ...lookbackProblems(where, query.lookback)]
    case "Adoption":
      return matchProblems(where, query.installs)
    case "CohortRetention": {
      const problems = [
        ...matchProblems(where, query.activity),
        ...matchProblems(where, [{ event: query.cohortEvent }]),
        ...nameProblems(where, "cohort property", [query.cohortProperty]),
        ...lookbackProblems(where, query.lookback)
      ]
      if (!Number.isSafeInteger(query.weeks) || query.weeks < 1 || query.weeks > 52) {
        problems.push(`${where}: weeks ${query.weeks} must be a whole number from 1 to 52`)
      }
      return problems
    }
    case "VersionBreakdown":
      return [
        ...matchProblems(where, query.events),
        ...nameProblems(where, "version property", [query.versionProperty]),
        ...lookbackProblems(where, query.lookback)
      ]
    case "EventTrend": {
      const problems = [
        ...matchProblems(where, [query.event]),
        ...nameProblems(where, "name", [
          ...(query.breakdown === undefined ? [] : [query.breakdown]),
          ...(query.countAs === undefined ? [] : [query.countAs])
        ]),
        ...lookbackProblems(where, query.lookback)
      ]
      for (const column of [query.breakdown, query.countAs]) {
        if (column !== undefined && column === query.interval) problems.push(`${where}: column ${column} collides with the period column`)
      }
      if (query.breakdown !== undefined && query.breakdown === (query.countAs ?? "events")) {
        problems.push(`${where}: the breakdown and the count column are both named ${query.breakdown}`)
      }
      return problems
    }
    case "EventTable": {
      const columns = [...query.groupBy, ...query.measures.map((measure) => measure.as)]
      const properties = query.measures.flatMap((measure) =>
        measure._tag === "Count" || measure._tag === "Installs"
          ? []
          : measure._tag === "Ratio"
          ? [measure.numerator, measure.denominator]
          : [measure.property]
      )
      const problems = [
        ...matchProblems(where, [query.event]),
        ...nameProblems(where, "column", columns),
        ...nameProblems(where, "property", properties),
        ...lookbackProblems(where, query.lookback)
      ]
      if (query.measures.length === 0) problems.push(`${where}: needs at least one measure`)
      const duplicate = columns.find((column, index) => columns.indexOf(column) !== index)
      if (duplicate !== undefined) problems.push(`${where}: column ${duplicate} appears twice`)
      if (query.limit !== undefined && (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > ROW_LIMIT)) {
        problems.push(`${where}: limit ${query.limit} must be a whole number from 1 to ${ROW_LIMIT}`)
      }
      return problems
    }
  }
}

const MARKER_TEXT = /\[posthog-backfill:/i

/**
 * Every problem with a dashboard definition, as sentences (empty when valid).
 *
 * @since 0.1.0
 * @category validation
 */
export const validateDashboard = (dashboard: DashboardDefinition): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (!isDefinitionId(dashboard.id)) {
    problems.push(`dashboard id ${JSON.stringify(dashboard.id)} must be lowercase letters, digits and - (at most 63)`)
  }
  if (dashboard.name.trim() === "") problems.push("the dashboard name is empty")
  if (MARKER_TEXT.test(dashboard.description)) problems.push("the dashboard description must not contain a [posthog-backfill:...] marker (one is added)")
  if (dashboard.insights.length === 0) problems.push("the dashboard has no insights")
  const seen = new Set<string>()
  for (const insight of dashboard.insights) {
    const where = `insight ${JSON.stringify(insight.id)}`
    if (!isDefinitionId(insight.id)) problems.push(`${where}: id must be lowercase letters, digits and - (at most 63)`)
    if (seen.has(insight.id)) problems.push(`${where}: id used twice (ids key the insights in PostHog)`)
    seen.add(insight.id)
    if (insight.name.trim() === "") problems.push(`${where}: name is empty`)
    if (MARKER_TEXT.test(insight.description)) problems.push(`${where}: description must not contain a [posthog-backfill:...] marker`)
    problems.push(...queryProblems(where, insight.query))
    if (problems.length === 0) {
      try {
        insightHogQL(insight.query)
      } catch (error) {
        problems.push(`${where}: ${error instanceof HogQLNameError ? error.message : String(error)}`)
      }
    }
  }
  return problems
}

/**
 * Checks a dashboard definition and returns it, or throws a
 * {@link DashboardDefinitionError} naming every problem.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defineDashboard = (dashboard: DashboardDefinition): DashboardDefinition => {
  const problems = validateDashboard(dashboard)
  if (problems.length > 0) throw new DashboardDefinitionError(dashboard.id, problems)
  return dashboard
}

// ---------------------------------------------------------------------------
// Managed markers
// ---------------------------------------------------------------------------

/**
 * The key PostHog objects are matched by: `<dashboard>` or
 * `<dashboard>/<insight>`.
 *
 * @since 0.1.0
 * @category markers
 */
export const managedKey = (dashboardId: string, insightId?: string | undefined): string =>
  insightId === undefined ? dashboardId : `${dashboardId}/${insightId}`

/**
 * The marker written into a managed object's description:
 * `[posthog-backfill:<key>]`.
 *
 * @since 0.1.0
 * @category markers
 */
export const managedMarker = (key: string): string => `[posthog-backfill:${key}]`

const MARKER = /\[posthog-backfill:([a-z0-9][a-z0-9-]{0,62}(?:\/[a-z0-9][a-z0-9-]{0,62})?)\]/

/**
 * The key of the first marker in a description, if any.
 *
 * @since 0.1.0
 * @category markers
 */
export const readManagedKey = (description: string | null | undefined): string | undefined =>
  typeof description === "string" ? MARKER.exec(description)?.[1] : undefined

const managedNote = (key: string): string =>
  `${managedMarker(key)} Managed by posthog-backfill: change the definition and run \`posthog-backfill dashboards apply\`; ` +
  "edits made here are overwritten."

/**
 * The description a managed dashboard carries: its text and its marker.
 *
 * @since 0.1.0
 * @category markers
 */
export const dashboardDescription = (dashboard: DashboardDefinition): string =>
  `${dashboard.description.trim()}\n\n${managedNote(managedKey(dashboard.id))}`.trim()

/**
 * The description a managed insight carries: its text and its marker.
 *
 * @since 0.1.0
 * @category markers
 */
export const insightDescription = (dashboard: DashboardDefinition, insight: InsightDefinition): string =>
  `${insight.description.trim()}\n\n${managedNote(managedKey(dashboard.id, insight.id))}`.trim()

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

const comment = (text: string): ReadonlyArray<string> =>
  text.split("\n").map((line) => (line.trim() === "" ? "--" : `-- ${line}`))

/**
 * The HogQL of a whole dashboard as one readable text (`dashboards print`):
 * a header, then each insight's name, key and description as comments and its
 * query terminated by `;`.
 *
 * @since 0.1.0
 * @category printing
 */
export const renderDashboardHogQL = (dashboard: DashboardDefinition): string =>
  [
    lines(comment(`Dashboard: ${dashboard.name} ${managedMarker(managedKey(dashboard.id))}`), comment(dashboard.description)),
    ...dashboard.insights.map((insight) =>
      lines(
        comment(`${insight.name} ${managedMarker(managedKey(dashboard.id, insight.id))}`),
        comment(insight.description),
        `${insightHogQL(insight.query)};`
      )
    )
  ].join("\n\n") + "\n"

// ---------------------------------------------------------------------------
// Planning an apply
// ---------------------------------------------------------------------------

/**
 * A dashboard as PostHog's REST API lists it (the fields the plan reads).
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteDashboard {
  readonly id: number
  readonly name: string | null
  readonly description: string | null
  readonly pinned?: boolean | undefined
  readonly deleted?: boolean | undefined
}

/**
 * An insight as PostHog's REST API lists it (the fields the plan reads).
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteInsight {
  readonly id: number
  readonly name: string | null
  readonly description: string | null
  readonly query: unknown
  readonly dashboards: ReadonlyArray<number>
  readonly deleted?: boolean | undefined
}

/**
 * What a dashboard create or update sends.
 *
 * @since 0.1.0
 * @category models
 */
export interface DashboardBody {
  readonly name: string
  readonly description: string
  readonly pinned: boolean
}

/**
 * What an insight create or update sends (dashboard membership is added by
 * the shell, which knows the dashboard's id).
 *
 * @since 0.1.0
 * @category models
 */
export interface InsightBody {
  readonly name: string
  readonly description: string
  readonly query: { readonly [key: string]: Json }
}

/**
 * The step for the dashboard itself.
 *
 * @since 0.1.0
 * @category models
 */
export type DashboardStep =
  | { readonly _tag: "Create"; readonly body: DashboardBody }
  | { readonly _tag: "Update"; readonly id: number; readonly body: Partial<DashboardBody>; readonly changes: ReadonlyArray<string> }
  | { readonly _tag: "Unchanged"; readonly id: number }

/**
 * The step for one insight.
 *
 * - `Create`: no managed insight has this key yet.
 * - `Update`: it exists and differs (`body` holds only the changed fields;
 *   `addToDashboard` when it is not on the dashboard).
 * - `Unchanged`: it exists, is on the dashboard, and matches.
 * - `Remove`: a managed insight of this dashboard whose key is no longer
 *   defined, or a duplicate of a key (`prune` only): soft-deleted.
 * - `Stale`: the same without `prune`: left alone and reported.
 *
 * @since 0.1.0
 * @category models
 */
export type InsightStep =
  | { readonly _tag: "Create"; readonly key: string; readonly body: InsightBody }
  | {
    readonly _tag: "Update"
    readonly key: string
    readonly id: number
    readonly body: Partial<InsightBody>
    readonly addToDashboard: boolean
    readonly dashboards: ReadonlyArray<number>
    readonly changes: ReadonlyArray<string>
  }
  | { readonly _tag: "Unchanged"; readonly key: string; readonly id: number }
  | { readonly _tag: "Remove"; readonly key: string; readonly id: number; readonly why: string }
  | { readonly _tag: "Stale"; readonly key: string; readonly id: number; readonly why: string }

/**
 * The whole plan of an apply. `changes` is false when applying would send
 * nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplyPlan {
  readonly dashboard: DashboardStep
  readonly insights: ReadonlyArray<InsightStep>
  readonly warnings: ReadonlyArray<string>
  readonly changes: boolean
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Whether `remote` holds everything `local` says (objects may carry extra
 * keys the server added, e.g. a schema `version`; arrays must match item by
 * item).
 *
 * @since 0.1.0
 * @category planning
 */
export const jsonContains = (remote: unknown, local: unknown): boolean => {
  if (Array.isArray(local)) {
    return Array.isArray(remote) && remote.length === local.length && local.every((item, index) => jsonContains(remote[index], item))
  }
  if (isRecord(local)) {
    return isRecord(remote) && Object.entries(local).every(([key, value]) => jsonContains(remote[key], value))
  }
  return Object.is(remote, local)
}

/**
 * Diffs the definitions against what the project holds, purely.
 * `dashboards` is every (non-deleted) dashboard of the project, `insights`
 * every insight that may carry one of this dashboard's markers (extra
 * insights are ignored). Matching is by marker only; when several objects
 * carry the same marker the lowest id is the managed one and the others are
 * reported (removed with `prune`).
 *
 * @since 0.1.0
 * @category planning
 */
export const planApply = (input: {
  readonly dashboard: DashboardDefinition
  readonly dashboards: ReadonlyArray<RemoteDashboard>
  readonly insights: ReadonlyArray<RemoteInsight>
  readonly prune?: boolean | undefined
}): ApplyPlan => {
  const { dashboard } = input
  const prune = input.prune === true
  const warnings: Array<string> = []
  const dashboardKey = managedKey(dashboard.id)

  const ownDashboards = input.dashboards
    .filter((remote) => remote.deleted !== true && readManagedKey(remote.description) === dashboardKey)
    .slice()
    .sort((a, b) => a.id - b.id)
  if (ownDashboards.length > 1) {
    warnings.push(
      `${ownDashboards.length} dashboards carry ${managedMarker(dashboardKey)} (ids ${ownDashboards.map((d) => d.id).join(", ")}); ` +
        `using ${ownDashboards[0]!.id}. Delete the others in PostHog.`
    )
  }
  const existing = ownDashboards[0]
  const wanted: DashboardBody = {
    name: dashboard.name,
    description: dashboardDescription(dashboard),
    pinned: dashboard.pinned ?? false
  }
  let dashboardStep: DashboardStep
  if (existing === undefined) {
    dashboardStep = { _tag: "Create", body: wanted }
  } else {
    const body: { -readonly [K in keyof DashboardBody]?: DashboardBody[K] } = {}
    if (existing.name !== wanted.name) body.name = wanted.name
    if ((existing.description ?? "") !== wanted.description) body.description = wanted.description
    if (existing.pinned !== undefined && existing.pinned !== wanted.pinned) body.pinned = wanted.pinned
    const changes = Object.keys(body)
    dashboardStep = changes.length === 0
      ? { _tag: "Unchanged", id: existing.id }
      : { _tag: "Update", id: existing.id, body, changes }
  }
  const dashboardId = existing?.id

  const byKey = new Map<string, Array<RemoteInsight>>()
  for (const remote of input.insights) {
    if (remote.deleted === true) continue
    const key = readManagedKey(remote.description)
    if (key === undefined || !key.startsWith(`${dashboardKey}/`)) continue
    const list = byKey.get(key) ?? []
    list.push(remote)
    byKey.set(key, list)
  }
  for (const list of byKey.values()) list.sort((a, b) => a.id - b.id)

  const steps: Array<InsightStep> = []
  const leftover = (key: string, remote: RemoteInsight, why: string): InsightStep =>
    prune ? { _tag: "Remove", key, id: remote.id, why } : { _tag: "Stale", key, id: remote.id, why }

  for (const insight of dashboard.insights) {
    const key = managedKey(dashboard.id, insight.id)
    const body: InsightBody = {
      name: insight.name,
      description: insightDescription(dashboard, insight),
      query: insightQueryNode(insight.query)
    }
    const [current, ...duplicates] = byKey.get(key) ?? []
    byKey.delete(key)
    if (current === undefined) {
      steps.push({ _tag: "Create", key, body })
    } else {
      const changed: { -readonly [K in keyof InsightBody]?: InsightBody[K] } = {}
      if (current.name !== body.name) changed.name = body.name
      if ((current.description ?? "") !== body.description) changed.description = body.description
      if (!jsonContains(current.query, body.query)) changed.query = body.query
      const addToDashboard = dashboardId === undefined || !current.dashboards.includes(dashboardId)
      const changes = [...Object.keys(changed), ...(addToDashboard ? ["dashboards"] : [])]
      steps.push(
        changes.length === 0
          ? { _tag: "Unchanged", key, id: current.id }
          : { _tag: "Update", key, id: current.id, body: changed, addToDashboard, dashboards: current.dashboards, changes }
      )
    }
    for (const duplicate of duplicates) {
      steps.push(leftover(key, duplicate, `a second insight with the marker of ${key} (the managed one is ${current!.id})`))
    }
  }
  for (const [key, list] of byKey) {
    for (const remote of list) steps.push(leftover(key, remote, `${key} is no longer defined`))
  }
  const stale = steps.filter((step) => step._tag === "Stale")
  if (stale.length > 0) {
    warnings.push(
      `${stale.length} managed insight(s) are no longer defined or duplicated (${stale.map((step) => `${step.key} #${step.id}`).join(", ")}); ` +
        "left alone: apply with prune to delete them."
    )
  }
  const changes = dashboardStep._tag !== "Unchanged" ||
    steps.some((step) => step._tag === "Create" || step._tag === "Update" || step._tag === "Remove")
  return { dashboard: dashboardStep, insights: steps, warnings, changes }
}
