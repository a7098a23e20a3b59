/**
 * Base-2 bucketing of sizes and durations. Live events never ship an exact
 * size or duration (an exact number can fingerprint a user's data); they ship
 * the bucket it falls into, through the one function defined here.
 *
 * @since 0.1.0
 */

/**
 * The largest finite power of two, 2^1023, and so the largest bucket
 * {@link bucketBase2} can return. Finite values above it have no finite
 * bucket (2^1024 is `Infinity`) and are rejected.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_BASE2_BUCKET = 2 ** 1023

/**
 * The next power of two at or above `value` (not the nearest one):
 *
 * - `value <= 0` (including `-0`) gives `0`;
 * - `value > 0` gives the smallest `2^k` with `2^k >= value` (k may be
 *   negative: the seed's rule, mux's `roundToBase2`), so an exact power of two
 *   maps to itself: 0.2 -> 0.25, 0.5 -> 0.5, 1 -> 1, 3 -> 4, 5 -> 8,
 *   1000 -> 1024. A 300 ms compaction is `duration_b2: 0.5` (seconds), not 1.
 *
 * The result is exact (no floating-point rounding), and the function is
 * monotone and idempotent.
 *
 * @throws RangeError when `value` is `NaN` or `±Infinity`, or when it is above
 *   {@link MAX_BASE2_BUCKET} (e.g. `Number.MAX_VALUE`), whose next power of
 *   two is not a finite number.
 * @since 0.1.0
 * @category bucketing
 */
export const bucketBase2 = (value: number): number => {
  if (!Number.isFinite(value)) {
    throw new RangeError(`bucketBase2: expected a finite number, got ${String(value)}`)
  }
  if (value <= 0) return 0
  if (value > MAX_BASE2_BUCKET) {
    throw new RangeError(
      `bucketBase2: ${String(value)} is above 2^1023, the largest finite power of two; ` +
        `its next power of two (2^1024) is not a finite number`
    )
  }
  return correctPowerOfTwoGuess(value, 2 ** Math.ceil(Math.log2(value)))
}

/**
 * `Math.log2` can be off by one ulp near exact powers of two, so its guess is
 * only a starting point. Powers of two are exact doubles, so doubling, halving
 * and comparing them never rounds.
 */
const correctPowerOfTwoGuess = (value: number, guess: number): number => {
  let bucket = guess
  while (bucket < value) bucket *= 2
  while (bucket / 2 >= value) bucket /= 2
  return bucket
}
