/**
 * Epoch normalization. Rows may store seconds (legacy) or milliseconds; every
 * reader normalizes per row, inside aggregates (`MIN(norm(x))`, never
 * `norm(MIN(x))`), with the one rule defined here.
 *
 * @since 0.1.0
 */

/**
 * Values below this are seconds, at or above it milliseconds (1e12 ms is
 * 2001-09-09; 1e12 s is in the year 33658, so the split is unambiguous).
 *
 * @since 0.1.0
 * @category constants
 */
export const SECONDS_THRESHOLD = 1_000_000_000_000

/**
 * The default project floor, 2024-01-01T00:00:00Z. Normalized epochs below the
 * floor are corrupt and ignored everywhere (rollups and first activity alike).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_FLOOR_MS = Date.UTC(2024, 0, 1)

/**
 * Normalizes one stored epoch to milliseconds.
 *
 * @since 0.1.0
 * @category epochs
 */
export const normalizeEpochMs = (value: number): number => (value < SECONDS_THRESHOLD ? value * 1000 : value)

/**
 * The same rule as {@link normalizeEpochMs}, as a SQLite expression over an
 * already-quoted column. NULL stays NULL, so NULL rows never pass a predicate.
 *
 * @since 0.1.0
 * @category epochs
 */
export const sqlNormalizedEpochMs = (quotedColumn: string): string =>
  `(CASE WHEN ${quotedColumn} < ${SECONDS_THRESHOLD} THEN ${quotedColumn} * 1000 ELSE ${quotedColumn} END)`
