/**
 * `plan --json`: the window, the totals and every event exactly as it would
 * be captured, as one JSON object (timestamps as ISO strings). The envelope
 * (`schemaVersion`, `command`) is `json.ts`'s.
 *
 * @since 0.1.0
 */
import { type CaptureEvent, type DayWindow, HistoricalEvents } from "@posthog-backfill/core"

/**
 * One event as `plan --json` prints it.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventJson {
  readonly event: string
  readonly distinctId: string
  readonly uuid: string
  /** `YYYY-MM-DDT12:00:00.000Z` */
  readonly timestamp: string
  readonly properties: CaptureEvent.CaptureEvent["properties"]
}

/**
 * The whole `plan --json` document.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlanJson {
  readonly window: {
    readonly installDay: string | null
    readonly lastFullDay: string
    readonly firstActiveDay: string | null
    readonly lastActiveDay: string | null
    /** Days with activity: one `historical_activity` event each. */
    readonly activeDays: number
  }
  /** `events`: every event; then each counter summed over the days. */
  readonly totals: Readonly<Record<string, number>>
  readonly events: ReadonlyArray<EventJson>
}

/**
 * @since 0.1.0
 * @category rendering
 */
export const eventJson = (event: CaptureEvent.CaptureEvent): EventJson => ({
  event: event.event,
  distinctId: event.distinctId,
  uuid: event.uuid,
  timestamp: event.timestamp.toISOString(),
  properties: event.properties
})

/**
 * @since 0.1.0
 * @category rendering
 */
export const planJson = (plan: { readonly window: DayWindow.DayWindow; readonly events: ReadonlyArray<CaptureEvent.CaptureEvent> }): PlanJson => {
  const summary = HistoricalEvents.summarizeEvents(plan.window, plan.events)
  return {
    window: {
      installDay: summary.installDay,
      lastFullDay: summary.lastFullDay,
      firstActiveDay: summary.firstActiveDay,
      lastActiveDay: summary.lastActiveDay,
      activeDays: summary.days
    },
    totals: { events: summary.events, ...summary.totals },
    events: plan.events.map(eventJson)
  }
}
