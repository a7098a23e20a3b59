/**
 * The event builder of the backfill: one `historical_activity` per shipped day
 * and one `install_inferred` for the install day, as plain `CaptureEvent`s
 * (`Date` timestamps at noon UTC, deterministic v5 uuids), every property
 * through the whitelist scrubber.
 *
 * @since 0.1.0
 */
import { type BackfillApp, backfillWhitelist } from "../app/BackfillApp.js"
import type { CaptureEvent, PropertyScalar, Properties } from "./CaptureEvent.js"
import { dayNoon, type DayWindow, isDayInWindow, isShippable } from "../time/DayWindow.js"
import { eventUuid, INSTALL_DAY_KEY } from "./EventId.js"
import type { DailyRollup } from "../rollup/RollupMerge.js"
import { personSet, type PropertyWhitelist, scrubProperties } from "./Scrub.js"

/**
 * @since 0.1.0
 * @category constants
 */
export const HISTORICAL_ACTIVITY = "historical_activity"

/**
 * @since 0.1.0
 * @category constants
 */
export const INSTALL_INFERRED = "install_inferred"

/**
 * @since 0.1.0
 * @category models
 */
export interface HistoricalEventsInput {
  readonly app: BackfillApp
  readonly installId: string
  readonly window: DayWindow
  readonly rollups: ReadonlyArray<DailyRollup>
  /** The app's current base properties (version, os, ...); only `install_inferred` carries them. */
  readonly baseProperties?: Readonly<Record<string, PropertyScalar>> | undefined
}

/**
 * The properties of one `historical_activity`: counters + `backfilled`,
 * scrubbed, then `$process_person_profile: false` (profile-less) and
 * `$ignore_sent_at: true` (the server must keep noon exactly). No base
 * properties: stamping the current version/os on a past day would poison
 * version-over-time charts forever.
 */
const activityProperties = (whitelist: PropertyWhitelist, rollup: DailyRollup): Properties => {
  const properties = scrubProperties(whitelist, { ...rollup.counters, backfilled: true })
  properties["$process_person_profile"] = false
  properties["$ignore_sent_at"] = true
  return properties
}

/**
 * The whitelist of each app, built once: a shell that builds a long history's
 * events in slices (to keep an event loop free) calls the builder many times.
 */
const whitelists = new WeakMap<BackfillApp, PropertyWhitelist>()
const whitelistOf = (app: BackfillApp): PropertyWhitelist => {
  let whitelist = whitelists.get(app)
  if (whitelist === undefined) whitelists.set(app, (whitelist = backfillWhitelist(app)))
  return whitelist
}

/**
 * The properties of `install_inferred`, a person event: base properties +
 * `first_active_date` + `backfilled`, scrubbed; `$set` from the person keys
 * present; `first_active_date` in `$set_once` so an event stamped in the past
 * never overwrites a newer person value.
 */
const installProperties = (
  app: BackfillApp,
  installDay: string,
  baseProperties: Readonly<Record<string, PropertyScalar>>
): Properties => {
  const scrubbed = scrubProperties(whitelistOf(app), {
    ...baseProperties,
    first_active_date: installDay,
    backfilled: true
  })
  const { first_active_date: _firstActiveDate, ...set } = personSet(app.personPropertyKeys, scrubbed)
  return {
    ...scrubbed,
    $set: set,
    $set_once: { first_active_date: installDay },
    $ignore_sent_at: true
  }
}

/**
 * Builds the backfill's events: `install_inferred` first, then one
 * `historical_activity` per rollup day inside the window, in day order.
 * Returns `[]` when the window is not shippable (`installDay > lastFullDay` or
 * no first activity): nothing ships at all.
 *
 * @since 0.1.0
 * @category building
 */
export const buildHistoricalEvents = (input: HistoricalEventsInput): ReadonlyArray<CaptureEvent> => {
  const { app, installId, window } = input
  if (!isShippable(window)) return []
  const install: CaptureEvent = {
    event: INSTALL_INFERRED,
    distinctId: installId,
    uuid: eventUuid(app.namespace, installId, INSTALL_INFERRED, INSTALL_DAY_KEY),
    timestamp: dayNoon(window.installDay),
    properties: installProperties(app, window.installDay, input.baseProperties ?? {})
  }
  const days = input.rollups
    .filter((rollup) => isDayInWindow(rollup.day, window))
    .toSorted((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
  // Once per app, not per day: a multi-year plan has a thousand days.
  const whitelist = whitelistOf(app)
  return [
    install,
    ...days.map(
      (rollup): CaptureEvent => ({
        event: HISTORICAL_ACTIVITY,
        distinctId: installId,
        uuid: eventUuid(app.namespace, installId, HISTORICAL_ACTIVITY, rollup.day),
        timestamp: dayNoon(rollup.day),
        properties: activityProperties(whitelist, rollup)
      })
    )
  ]
}

/**
 * A summary of a plan for logs and the CLI: window, day count, totals per counter.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlanSummary {
  readonly installDay: string | null
  readonly lastFullDay: string
  readonly firstActiveDay: string | null
  readonly lastActiveDay: string | null
  readonly days: number
  readonly events: number
  readonly totals: Readonly<Record<string, number>>
}

/**
 * Summarizes events built by {@link buildHistoricalEvents}.
 *
 * @since 0.1.0
 * @category building
 */
export const summarizeEvents = (window: DayWindow, events: ReadonlyArray<CaptureEvent>): PlanSummary => {
  const activity = events.filter((event) => event.event === HISTORICAL_ACTIVITY)
  const totals: Record<string, number> = {}
  for (const event of activity) {
    for (const [key, value] of Object.entries(event.properties)) {
      if (typeof value === "number") totals[key] = (totals[key] ?? 0) + value
    }
  }
  const dayOf = (event: CaptureEvent | undefined) => event?.timestamp.toISOString().slice(0, 10) ?? null
  return {
    installDay: window.installDay,
    lastFullDay: window.lastFullDay,
    firstActiveDay: dayOf(activity[0]),
    lastActiveDay: dayOf(activity.at(-1)),
    days: activity.length,
    events: events.length,
    totals
  }
}
