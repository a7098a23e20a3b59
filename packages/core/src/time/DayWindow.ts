/**
 * The day window: which whole UTC days may ship.
 *
 * `lastFullDay = utcDay(now - 60h)`: PostHog's historical-migration rule wants
 * timestamps at least 48h old, and events are stamped at noon UTC, so 12h more
 * keeps every shipped noon at least 48h in the past. `installDay` is the UTC day
 * of the first activity. Only days with `installDay <= day <= lastFullDay` ship,
 * compared as `YYYY-MM-DD` strings (never raw epochs, so no partial day ships).
 * Once the app's live telemetry has had an event acknowledged, the day of that
 * first acknowledgement (`liveSince`) ends the window too: the window ends the
 * day before it, so no day is counted by both the backfill and live events.
 * `now` is always a parameter.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category constants
 */
export const HOUR_MS = 3_600_000

/**
 * @since 0.1.0
 * @category constants
 */
export const DAY_MS = 24 * HOUR_MS

/**
 * 48h (PostHog's historical-migration rule) + 12h (events are stamped at noon UTC).
 *
 * @since 0.1.0
 * @category constants
 */
export const LAST_FULL_DAY_LAG_MS = 60 * HOUR_MS

/** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the range of four-digit-year days. */
const FIRST_DAY_MS = -62_167_219_200_000
const AFTER_LAST_DAY_MS = 253_402_300_800_000

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * True when `value` is a real calendar day written `YYYY-MM-DD`.
 *
 * @since 0.1.0
 * @category days
 */
export const isUtcDay = (value: string): boolean => {
  const match = DAY_PATTERN.exec(value)
  if (match === null) return false
  // Arithmetic, not a Date round trip: events check their day several times each.
  const year = Number(match[1])
  const month = Number(match[2])
  const day = Number(match[3])
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

/** Days in a month of the proleptic Gregorian calendar (the one `Date` uses). */
const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31

/**
 * True when `ms` is an instant whose UTC day can be written `YYYY-MM-DD`
 * (years 0000 to 9999).
 *
 * @since 0.1.0
 * @category days
 */
export const isDayRepresentable = (ms: number): boolean =>
  Number.isFinite(ms) && ms >= FIRST_DAY_MS && ms < AFTER_LAST_DAY_MS

/**
 * The UTC day (`YYYY-MM-DD`) of an instant in milliseconds.
 *
 * @throws RangeError when the instant has no four-digit-year UTC day.
 * @since 0.1.0
 * @category days
 */
export const utcDay = (ms: number): string => {
  if (!isDayRepresentable(ms)) {
    throw new RangeError(`utcDay: ${ms} is not an instant between years 0000 and 9999`)
  }
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * Midnight UTC of a day, in milliseconds.
 *
 * @since 0.1.0
 * @category days
 */
export const dayStartMs = (day: string): number => {
  if (!isUtcDay(day)) throw new RangeError(`dayStartMs: "${day}" is not a YYYY-MM-DD day`)
  return Date.parse(`${day}T00:00:00.000Z`)
}

/**
 * Noon UTC of a day, the timestamp every event of that day carries. Noon keeps
 * the event inside its day for dashboard timezones from UTC-12 to UTC+11 and is
 * retry-stable (the dedupe key needs a byte-identical timestamp).
 *
 * @since 0.1.0
 * @category days
 */
export const dayNoon = (day: string): Date => new Date(dayStartMs(day) + 12 * HOUR_MS)

/**
 * The day before a `YYYY-MM-DD` day.
 *
 * @since 0.1.0
 * @category days
 */
export const dayBefore = (day: string): string => utcDay(dayStartMs(day) - DAY_MS)

/**
 * The last whole UTC day that may ship at `nowMs`.
 *
 * @since 0.1.0
 * @category window
 */
export const lastFullDay = (nowMs: number): string => utcDay(nowMs - LAST_FULL_DAY_LAG_MS)

/**
 * The window of days that may ship. `installDay` is `null` when there is no
 * first activity. It is shippable only when `installDay <= lastFullDay`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DayWindow {
  readonly installDay: string | null
  readonly lastFullDay: string
}

/**
 * A window with at least one shippable day.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShippableWindow extends DayWindow {
  readonly installDay: string
}

/**
 * Computes the window from the clock and the first activity (already
 * normalized and floored; see `RollupCompiler.compileFirstActivity`). A first
 * activity that is not a representable instant counts as none.
 *
 * @since 0.1.0
 * @category window
 */
export const dayWindow = (options: {
  readonly nowMs: number
  readonly firstActivityMs: number | null
  /**
   * The last full day of an earlier attempt whose delivery was not confirmed
   * (a pending send). Reusing it makes the retry the same send, not a later,
   * larger one. An earlier day only: a pin never moves the window past the rule.
   */
  readonly pinnedLastFullDay?: string | undefined
  /**
   * The day the app's live telemetry first had an event acknowledged: the
   * window ends the day before it (`throughDay = min(lastFullDay, liveSince - 1)`).
   */
  readonly liveSince?: string | undefined
}): DayWindow => {
  const candidates = [lastFullDay(options.nowMs)]
  const pinned = options.pinnedLastFullDay
  if (pinned !== undefined && isUtcDay(pinned)) candidates.push(pinned)
  const live = options.liveSince
  if (live !== undefined && isUtcDay(live) && dayStartMs(live) - DAY_MS >= FIRST_DAY_MS) candidates.push(dayBefore(live))
  return {
    installDay:
      options.firstActivityMs !== null && isDayRepresentable(options.firstActivityMs)
        ? utcDay(options.firstActivityMs)
        : null,
    lastFullDay: candidates.reduce((earliest, day) => (day < earliest ? day : earliest))
  }
}

/**
 * True when the window holds at least one day: `installDay <= lastFullDay`.
 * Otherwise nothing ships at all.
 *
 * @since 0.1.0
 * @category window
 */
export const isShippable = (window: DayWindow): window is ShippableWindow =>
  window.installDay !== null && window.installDay <= window.lastFullDay

/**
 * True when `day` is inside a shippable window (string comparison).
 *
 * @since 0.1.0
 * @category window
 */
export const isDayInWindow = (day: string, window: DayWindow): boolean =>
  isShippable(window) && isUtcDay(day) && window.installDay <= day && day <= window.lastFullDay

/**
 * Number of days in the window (0 when not shippable).
 *
 * @since 0.1.0
 * @category window
 */
export const windowLength = (window: DayWindow): number =>
  isShippable(window) ? Math.round((dayStartMs(window.lastFullDay) - dayStartMs(window.installDay)) / DAY_MS) + 1 : 0
