/**
 * The live-event outbox file: events not acknowledged by a shutdown, kept
 * with their uuids and original timestamps for the next start to deliver
 * (PostHog dedupes by uuid). Pure: the text, its bound and its parsing.
 *
 * @since 0.1.0
 */
import type { CaptureEvent, PropertyScalar } from "./CaptureEvent.js"

/**
 * The most events the outbox keeps by default; past it the oldest go.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_EVENTS = 1_000

/**
 * The outbox's text stays under this many bytes (state files are read with a
 * 1 MiB cap): past it the oldest events go.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_BYTES = 900 * 1024

/**
 * @since 0.1.0
 * @category models
 */
export interface Encoded {
  readonly text: string
  readonly kept: number
  /** The oldest events dropped to fit the bound. */
  readonly dropped: number
}

const byTime = (a: CaptureEvent, b: CaptureEvent) => a.timestamp.getTime() - b.timestamp.getTime()

const line = (event: CaptureEvent) =>
  JSON.stringify({ event: event.event, distinctId: event.distinctId, uuid: event.uuid, timestamp: event.timestamp.toISOString(), properties: event.properties })

/**
 * The outbox of `events` (one per uuid, oldest first), bounded to
 * `maxEvents` and {@link MAX_BYTES}.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeOutbox = (events: ReadonlyArray<CaptureEvent>, maxEvents: number = DEFAULT_MAX_EVENTS): Encoded => {
  const unique = Array.from(new Map(events.map((event) => [event.uuid, event])).values()).sort(byTime)
  let kept = unique.slice(Math.max(0, unique.length - Math.max(0, Math.floor(maxEvents))))
  let lines = kept.map(line)
  let bytes = lines.reduce((sum, text) => sum + text.length + 2, 32)
  while (kept.length > 0 && bytes > MAX_BYTES) {
    bytes -= lines[0]!.length + 2
    kept = kept.slice(1)
    lines = lines.slice(1)
  }
  return { text: `{"version":1,"events":[\n${lines.join(",\n")}\n]}\n`, kept: kept.length, dropped: events.length - kept.length }
}

const isScalar = (value: unknown): value is PropertyScalar =>
  typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))

const isPlainProperties = (value: unknown): value is Readonly<Record<string, PropertyScalar>> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every(isScalar)

/**
 * The events of an outbox text, oldest first. Entries that are not a
 * well-formed event are left out and counted; text that is not an outbox at
 * all is `problem`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseOutbox = (text: string): { readonly events: ReadonlyArray<CaptureEvent>; readonly malformed: number; readonly problem?: string } => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { events: [], malformed: 0, problem: "it is not JSON" }
  }
  const list = typeof parsed === "object" && parsed !== null && (parsed as { version?: unknown }).version === 1
    ? (parsed as { events?: unknown }).events
    : undefined
  if (!Array.isArray(list)) return { events: [], malformed: 0, problem: "it is not a version 1 outbox" }
  const events: Array<CaptureEvent> = []
  let malformed = 0
  for (const entry of list as ReadonlyArray<Record<string, unknown>>) {
    const timestamp = typeof entry?.["timestamp"] === "string" ? new Date(entry["timestamp"]) : undefined
    if (
      typeof entry?.["event"] === "string" && typeof entry["distinctId"] === "string" && typeof entry["uuid"] === "string" &&
      timestamp !== undefined && Number.isFinite(timestamp.getTime()) && isPlainProperties(entry["properties"])
    ) {
      events.push({ event: entry["event"], distinctId: entry["distinctId"], uuid: entry["uuid"], timestamp, properties: entry["properties"] })
    } else {
      malformed += 1
    }
  }
  return { events: events.sort(byTime), malformed }
}
