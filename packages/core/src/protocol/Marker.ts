/**
 * The completion marker: its own file (`backfill.json` in the app's data dir),
 * `{completedAt, throughDay, eventCount, installId}`. Any existing marker means
 * the backfill is done: a marker from the app's own earlier backfill code
 * (extra fields) is done, and so is one that cannot be read (a duplicate is
 * worse than a gap), which is reported.
 *
 * @since 0.1.0
 */
import { isUtcDay } from "../time/DayWindow.js"
import { isCount, jsonRecordOf, parseJsonRecord } from "./internal/jsonRecord.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface BackfillMarker {
  readonly completedAt: string
  readonly throughDay: string
  readonly eventCount: number
  readonly installId: string
}

/**
 * What the marker file says.
 *
 * @since 0.1.0
 * @category models
 */
export type MarkerState =
  | { readonly _tag: "Absent" }
  | { readonly _tag: "Present"; readonly marker: BackfillMarker }
  | { readonly _tag: "Unreadable"; readonly reason: string }

/**
 * @since 0.1.0
 * @category constructors
 */
export const markerAbsent: MarkerState = { _tag: "Absent" }

/**
 * True when the marker file exists at all (readable or not): the backfill is done.
 *
 * @since 0.1.0
 * @category guards
 */
export const isMarkerDone = (state: MarkerState): boolean => state._tag !== "Absent"

/**
 * Parses the marker file's text. Extra fields are allowed (an earlier
 * backfill's marker with `version` is still a marker); anything else that is
 * not a marker is `Unreadable` with the reason.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseMarker = (text: string): MarkerState => {
  const parsed = parseJsonRecord(text)
  if (parsed._tag === "NotJson") return { _tag: "Unreadable", reason: "the marker file is not valid JSON" }
  if (parsed._tag === "NotAnObject") return { _tag: "Unreadable", reason: "the marker file does not hold a JSON object" }
  const { completedAt, eventCount, installId, throughDay } = parsed.record
  if (typeof completedAt !== "string" || typeof throughDay !== "string" || typeof installId !== "string" || !isCount(eventCount)) {
    return {
      _tag: "Unreadable",
      reason: "the marker file lacks completedAt, throughDay, eventCount or installId"
    }
  }
  return { _tag: "Present", marker: { completedAt, throughDay, eventCount, installId } }
}

/**
 * Builds the marker written after a confirmed delivery (or a run with nothing
 * to send). `completedAtMs` comes from the shell's clock.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMarker = (options: {
  readonly completedAtMs: number
  readonly throughDay: string
  readonly eventCount: number
  readonly installId: string
}): BackfillMarker => {
  if (!isUtcDay(options.throughDay)) throw new RangeError(`makeMarker: "${options.throughDay}" is not a YYYY-MM-DD day`)
  return {
    completedAt: new Date(options.completedAtMs).toISOString(),
    throughDay: options.throughDay,
    eventCount: options.eventCount,
    installId: options.installId
  }
}

/**
 * What a run says of a marker that exists but cannot be read: it counts as
 * done, and how to allow a backfill if none ever ran.
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeUnreadable = (path: string, reason: string): string =>
  `The backfill marker ${path} exists but is unreadable: ${reason}. The backfill counts as done ` +
  "(a duplicate is worse than a gap). If no backfill ever ran on this machine, replace it with a valid " +
  "marker or remove it to allow one."

/**
 * The marker file's text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeMarker = (marker: BackfillMarker): string => `${JSON.stringify(marker, null, 2)}\n`

/**
 * A send that started and was not confirmed yet: written just before the
 * events leave, removed once the marker is written. The next run reuses its
 * `throughDay`, so a crash or a failed delivery is retried as the same send
 * (same window, same uuids, same timestamps), never a later, larger one.
 *
 * @since 0.1.0
 * @category models
 */
export interface PendingSend {
  readonly startedAt: string
  readonly throughDay: string
  readonly installId: string
  readonly eventCount: number
}

/**
 * Parses a pending-send file; `undefined` when it is not one (it is then ignored).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parsePendingSend = (text: string): PendingSend | undefined => {
  const record = jsonRecordOf(text)
  if (record === undefined) return undefined
  const { eventCount, installId, startedAt, throughDay } = record
  return typeof startedAt === "string" && typeof throughDay === "string" && isUtcDay(throughDay) &&
      typeof installId === "string" && isCount(eventCount)
    ? { startedAt, throughDay, installId, eventCount }
    : undefined
}

/**
 * The pending-send file's text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodePendingSend = (pending: PendingSend): string => `${JSON.stringify(pending, null, 2)}\n`
