/**
 * Part of the claude-mem sample generator (see `../index.ts`).
 *
 * @internal
 */

export const DAY_MS = 86_400_000
export const HOUR_MS = 3_600_000
export const MINUTE_MS = 60_000
export const SECOND_MS = 1_000
export const SECONDS_THRESHOLD = 1_000_000_000_000
