/**
 * Checking a backfill after it was sent, from what PostHog holds for the
 * install: the HogQL the check runs (three queries on this install's
 * distinct id, through PostHog's query API) and the pure judgement of their
 * rows against the marker. The seed's post-ship checks:
 *
 * - `count`: the events PostHog holds are the marker's count (after its
 *   uuid dedupe: distinct uuids);
 * - `window`: every day at or before the marker's last day, and one
 *   `install_inferred`;
 * - `perDay`: at most one `historical_activity` per day;
 * - `duplicates`: no uuid stored more than once (PostHog dedupes at merge
 *   time, eventually);
 * - `noon`: every timestamp exactly 12:00:00 UTC;
 * - `persons`: the person event (`install_inferred`) and the profile-less
 *   days count as one user (the seed's merge check).
 *
 * @since 0.1.0
 */
import { hogqlString } from "../dashboards/HogQL.js"
import { HISTORICAL_ACTIVITY, INSTALL_INFERRED } from "../events/HistoricalEvents.js"
import type { BackfillMarker } from "../protocol/Marker.js"

/**
 * The queries, each a HogQL `SELECT` with a leading comment naming it.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerificationQueries {
  /** `event, day, events, uuids, at_noon` per event name and UTC day. */
  readonly days: string
  /** `persons, ids`: distinct persons and distinct ids over the install's backfilled events. */
  readonly persons: string
  /** `uuid, copies` for uuids stored more than once (at most 20). */
  readonly duplicates: string
}

const EVENTS = `event IN (${hogqlString(HISTORICAL_ACTIVITY)}, ${hogqlString(INSTALL_INFERRED)})`

/**
 * The three queries for one install.
 *
 * @since 0.1.0
 * @category queries
 */
export const verificationQueries = (installId: string): VerificationQueries => {
  const where = `WHERE distinct_id = ${hogqlString(installId)} AND ${EVENTS}`
  return {
    days: [
      "-- posthog-backfill:verify/days",
      "SELECT event, toDate(toTimeZone(timestamp, 'UTC')) AS day, count() AS events, uniqExact(uuid) AS uuids,",
      "    countIf(formatDateTime(toTimeZone(timestamp, 'UTC'), '%H:%i:%S') = '12:00:00') AS at_noon",
      "FROM events",
      where,
      "GROUP BY event, day",
      "ORDER BY day ASC, event ASC",
      "LIMIT 10000"
    ].join("\n"),
    persons: [
      "-- posthog-backfill:verify/persons",
      "SELECT count(DISTINCT person_id) AS persons, count(DISTINCT distinct_id) AS ids",
      "FROM events",
      where
    ].join("\n"),
    duplicates: [
      "-- posthog-backfill:verify/duplicates",
      "SELECT uuid, count() AS copies",
      "FROM events",
      where,
      "GROUP BY uuid",
      "HAVING copies > 1",
      "ORDER BY copies DESC, uuid ASC",
      "LIMIT 20"
    ].join("\n")
  }
}

/**
 * One row of the `days` query.
 *
 * @since 0.1.0
 * @category models
 */
export interface DayRow {
  readonly event: string
  readonly day: string
  readonly events: number
  readonly uuids: number
  readonly atNoon: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Check {
  readonly id: "count" | "window" | "perDay" | "duplicates" | "noon" | "persons"
  readonly ok: boolean
  /** One line: what was found. */
  readonly summary: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface VerificationReport {
  readonly ok: boolean
  readonly installId: string
  readonly checks: ReadonlyArray<Check>
  /** Events per event name, as PostHog holds them (distinct uuids). */
  readonly byEvent: Readonly<Record<string, number>>
  readonly firstDay: string | null
  readonly lastDay: string | null
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/**
 * Judges the rows of the three queries against the marker.
 *
 * @since 0.1.0
 * @category checking
 */
export const evaluateVerification = (input: {
  readonly marker: BackfillMarker
  readonly days: ReadonlyArray<DayRow>
  readonly persons: number
  readonly duplicates: ReadonlyArray<{ readonly uuid: string; readonly copies: number }>
}): VerificationReport => {
  const { marker } = input
  const byEvent: Record<string, number> = {}
  for (const row of input.days) byEvent[row.event] = (byEvent[row.event] ?? 0) + row.uuids
  const stored = input.days.reduce((sum, row) => sum + row.uuids, 0)
  const copies = input.days.reduce((sum, row) => sum + row.events, 0)
  const days = input.days.map((row) => row.day).sort()
  const late = input.days.filter((row) => row.day > marker.throughDay)
  const installs = byEvent[INSTALL_INFERRED] ?? 0
  const crowded = input.days.filter((row) => row.event === HISTORICAL_ACTIVITY && row.uuids > 1)
  const offNoon = input.days.reduce((sum, row) => sum + (row.events - row.atNoon), 0)
  const checks: Array<Check> = [
    {
      id: "count",
      ok: stored === marker.eventCount,
      summary: stored === marker.eventCount
        ? `${plural(stored, "event")}, as the marker says`
        : `PostHog holds ${plural(stored, "event")}, the marker says ${marker.eventCount}` +
          (stored < marker.eventCount ? " (ingestion can lag a few minutes: run verify again later)" : "")
    },
    {
      id: "window",
      ok: late.length === 0 && installs === 1,
      summary: late.length > 0
        ? `${plural(late.length, "day")} after the marker's last day ${marker.throughDay} (first: ${late[0]!.day})`
        : installs === 1
        ? `every day at or before ${marker.throughDay}; one ${INSTALL_INFERRED}`
        : `${plural(installs, INSTALL_INFERRED + " event")}, expected one`
    },
    {
      id: "perDay",
      ok: crowded.length === 0,
      summary: crowded.length === 0
        ? `at most one ${HISTORICAL_ACTIVITY} per day`
        : `${plural(crowded.length, "day")} with more than one ${HISTORICAL_ACTIVITY} (first: ${crowded[0]!.day})`
    },
    {
      id: "duplicates",
      ok: input.duplicates.length === 0 && copies === stored,
      summary: input.duplicates.length === 0 && copies === stored
        ? "no uuid stored twice"
        : `${plural(copies - stored, "extra copy")} of ${plural(input.duplicates.length, "uuid")} (e.g. ${input.duplicates[0]?.uuid ?? "?"}); ` +
          "PostHog merges them eventually, and counts them until it does"
    },
    {
      id: "noon",
      ok: offNoon === 0,
      summary: offNoon === 0 ? "every timestamp at 12:00:00 UTC" : `${plural(offNoon, "event")} not at 12:00:00 UTC`
    },
    {
      id: "persons",
      ok: input.persons === 1,
      summary: input.persons === 1
        ? "the person event and the profile-less days count as one user"
        : `the install's events count as ${plural(input.persons, "person")} in PostHog, expected 1 (the merge check)`
    }
  ]
  return {
    ok: checks.every((check) => check.ok),
    installId: marker.installId,
    checks,
    byEvent,
    firstDay: days[0] ?? null,
    lastDay: days.at(-1) ?? null
  }
}
