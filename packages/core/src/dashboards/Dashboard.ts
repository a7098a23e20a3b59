/**
 * Checking dashboard definitions: every problem at once, as sentences, before
 * anything is printed or applied.
 *
 * @since 0.1.0
 */
import { HogQLNameError, isHogQLEventName, isHogQLPropertyName } from "./HogQL.js"
import { type DashboardDefinition, type EventMatch, type InsightQuery, type Lookback, MAX_ROWS } from "./Insight.js"
import { insightHogQL } from "./InsightHogQL.js"
import { MARKER_TEXT } from "./ManagedMarker.js"

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
      if (query.limit !== undefined && (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > MAX_ROWS)) {
        problems.push(`${where}: limit ${query.limit} must be a whole number from 1 to ${MAX_ROWS}`)
      }
      return problems
    }
  }
}

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
