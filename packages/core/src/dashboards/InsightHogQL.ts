/**
 * The HogQL of an insight query, and of a whole dashboard as one readable
 * text (`dashboards print`). Pure; the text is stable, so a change to a
 * definition shows up as a readable diff. Names are checked and literals
 * escaped by `HogQL.ts`: nothing a caller passes is spliced in as raw text.
 *
 * @since 0.1.0
 */
import {
  type ActiveInstallsQuery,
  type AdoptionQuery,
  type CohortRetentionQuery,
  type DashboardDefinition,
  type EventMatch,
  type EventTableQuery,
  type EventTrendQuery,
  type InsightQuery,
  type Interval,
  type Lookback,
  MAX_ROWS,
  type Measure,
  type VersionBreakdownQuery
} from "./Insight.js"
import { hogqlAlias, hogqlEvent, hogqlProperty, hogqlString } from "./HogQL.js"
import { managedKey, managedMarker } from "./ManagedMarker.js"

const INDENT = "    "

const UNIT: Readonly<Record<Interval, string>> = { day: "DAY", week: "WEEK", month: "MONTH" }

/**
 * A timestamp in UTC. HogQL shows timestamps in the project's timezone, and a
 * day, week or month taken of that is the project's; the backfill stamps each
 * day at 12:00 UTC, so its buckets are UTC days.
 */
const utc = (expression: string): string => `toTimeZone(${expression}, 'UTC')`

const bucket = (interval: Interval, expression: string): string => {
  switch (interval) {
    case "day":
      return `toDate(${utc(expression)})`
    case "week":
      // Mode 1: weeks start on Monday.
      return `toStartOfWeek(${utc(expression)}, 1)`
    case "month":
      return `toStartOfMonth(${utc(expression)})`
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
    `LIMIT ${MAX_ROWS}`
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
    `LIMIT ${MAX_ROWS}`
  )
}

const cohortRetentionHogQL = (query: CohortRetentionQuery): string => {
  const cohortStart = `toStartOfWeek(${since(query.lookback)}, 1)`
  const activity = lines(
    `SELECT DISTINCT distinct_id, ${bucket("week", "timestamp")} AS week`,
    "FROM events",
    where([eventFilter(query.activity), `timestamp >= ${cohortStart}`])
  )
  const cohortEvent = hogqlEvent(query.cohortEvent)
  const cohorts = lines(
    select([
      "distinct_id",
      `toStartOfWeek(ifNull(minIf(toDate(${hogqlProperty(query.cohortProperty)}), event = ${cohortEvent}), ` +
      `${bucket("day", "min(timestamp)")}), 1) AS cohort_week`
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
    `LIMIT ${MAX_ROWS}`
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
    `LIMIT ${MAX_ROWS}`
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
    `LIMIT ${MAX_ROWS}`
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
      // Exact: one of the values, never interpolated (median interpolates and samples past 8,192 rows).
      return `medianExact(${numberOf(measure.property)}) AS ${as}`
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

