/**
 * The local fake's query endpoint: it answers posthog-backfill's own verify
 * queries (named by their leading `-- posthog-backfill:verify/<name>`
 * comment) from the events it holds, as PostHog would: per event and UTC day,
 * the distinct persons, the uuids stored twice. Any other query is refused:
 * the fake does not run HogQL.
 *
 * @internal
 */
import type { CapturedEvent } from "../LocalCaptureServer.js"

/** What the fake holds: events (as the capture server received them), and how persons merge. @internal */
export interface QueryState {
  readonly events: ReadonlyArray<CapturedEvent>
  /** A failed merge: profile-less events count as another person than the person event. */
  readonly splitPersons: boolean
}

const BACKFILLED = new Set(["historical_activity", "install_inferred"])

const distinctIdOf = (hogql: string): string | undefined => {
  const match = /distinct_id = '((?:[^'\\]|\\.)*)'/.exec(hogql)
  return match?.[1]?.replace(/\\(.)/g, "$1")
}

const utcDay = (timestamp: string | undefined) => (timestamp ?? "").slice(0, 10)
const atNoon = (timestamp: string | undefined) => /T12:00:00(?:\.0+)?Z$/.test(timestamp ?? "")

/** The answer to a query, `{ columns, results }`, or why not. @internal */
export const answerQuery = (
  hogql: string,
  state: QueryState
): { readonly columns: ReadonlyArray<string>; readonly results: ReadonlyArray<ReadonlyArray<unknown>> } | { readonly refused: string } => {
  const name = /^-- posthog-backfill:verify\/(\w+)/.exec(hogql)?.[1]
  const distinctId = distinctIdOf(hogql)
  if (name === undefined || distinctId === undefined) return { refused: "the local fake answers only posthog-backfill's verify queries" }
  const events = state.events.filter((event) => event.distinct_id === distinctId && BACKFILLED.has(event.event))
  switch (name) {
    case "days": {
      const groups = new Map<string, { event: string; day: string; events: number; uuids: Set<string>; atNoon: number }>()
      for (const event of events) {
        const key = `${utcDay(event.timestamp)}|${event.event}`
        const group = groups.get(key) ?? { event: event.event, day: utcDay(event.timestamp), events: 0, uuids: new Set(), atNoon: 0 }
        group.events += 1
        group.uuids.add(event.uuid)
        if (atNoon(event.timestamp)) group.atNoon += 1
        groups.set(key, group)
      }
      const rows = Array.from(groups.values()).sort((a, b) => (a.day === b.day ? a.event.localeCompare(b.event) : a.day.localeCompare(b.day)))
      return { columns: ["event", "day", "events", "uuids", "at_noon"], results: rows.map((g) => [g.event, g.day, g.events, g.uuids.size, g.atNoon]) }
    }
    case "persons": {
      const persons = new Set(events.map((event) => (state.splitPersons && event.properties?.["$process_person_profile"] === false ? `${distinctId}:personless` : distinctId)))
      return { columns: ["persons", "ids"], results: [[persons.size, events.length === 0 ? 0 : 1]] }
    }
    case "duplicates": {
      const copies = new Map<string, number>()
      for (const event of events) copies.set(event.uuid, (copies.get(event.uuid) ?? 0) + 1)
      const rows = Array.from(copies.entries()).filter(([, n]) => n > 1).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 20)
      return { columns: ["uuid", "copies"], results: rows }
    }
    default:
      return { refused: `unknown verify query ${name}` }
  }
}
