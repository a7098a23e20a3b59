import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Base2 } from "@posthog-backfill/core"

// Every finite double up to the largest finite power of two: subnormals, huge
// values and exact powers of two included.
const finiteInRange = fc.double({ noNaN: true, noDefaultInfinity: true, min: -Number.MAX_VALUE, max: Base2.MAX_BASE2_BUCKET })
const positiveInRange = fc.double({ noNaN: true, min: Number.MIN_VALUE, max: Base2.MAX_BASE2_BUCKET })
const exactPowerOfTwo = fc.integer({ min: -1074, max: 1023 }).map((exponent) => 2 ** exponent)
const sample = fc.oneof(finiteInRange, exactPowerOfTwo, fc.integer({ min: -10, max: 5000 }))

const isPowerOfTwo = (value: number): boolean => {
  // A power of two has mantissa 1: divide by 2 exactly until it reaches 1.
  let rest = value
  while (rest > 1) rest /= 2
  while (rest < 1 && rest > 0) rest *= 2
  return rest === 1
}

describe("bucketBase2", () => {
  it("maps examples to the next power of two at or above", () => {
    const cases: ReadonlyArray<readonly [number, number]> = [
      [0, 0],
      [-0, 0],
      [-1, 0],
      [-Number.MAX_VALUE, 0],
      [Number.MIN_VALUE, Number.MIN_VALUE],
      [2 ** -1022 * 1.5, 2 ** -1021],
      [0.2, 0.25],
      [0.25, 0.25],
      [0.3, 0.5],
      [0.5, 0.5],
      [0.75, 1],
      [1, 1],
      [1.0000001, 2],
      [2, 2],
      [3, 4],
      [4, 4],
      [5, 8],
      [1000, 1024],
      [1024, 1024],
      [1025, 2048],
      [2 ** 53 + 2, 2 ** 54],
      [2 ** 60 - 2 ** 8, 2 ** 60],
      [Base2.MAX_BASE2_BUCKET, Base2.MAX_BASE2_BUCKET],
      [Base2.MAX_BASE2_BUCKET / 2 + 2 ** 971, Base2.MAX_BASE2_BUCKET]
    ]
    for (const [value, expected] of cases) {
      expect(Base2.bucketBase2(value), `bucketBase2(${value})`).toBe(expected)
    }
    expect(Object.is(Base2.bucketBase2(-0), 0)).toBe(true)
  })

  it("is exact just above and at every power of two", () => {
    for (let exponent = -1022; exponent <= 1023; exponent++) {
      const power = 2 ** exponent
      expect(Base2.bucketBase2(power)).toBe(power)
      // The next double above a power of two is power * (1 + 2^-52).
      if (exponent < 1023) expect(Base2.bucketBase2(power * (1 + Number.EPSILON))).toBe(power * 2)
      // The double just below is power * (1 - 2^-53).
      expect(Base2.bucketBase2(power * (1 - Number.EPSILON / 2))).toBe(power)
    }
  })

  it("returns 0 or a power of two", () => {
    fc.assert(fc.property(sample, (value) => {
      const bucket = Base2.bucketBase2(value)
      return bucket === 0 || isPowerOfTwo(bucket)
    }))
  })

  it("is at or above the value for positive values, and below twice the value above 1", () => {
    fc.assert(fc.property(positiveInRange, (value) => {
      const bucket = Base2.bucketBase2(value)
      return bucket >= value && (value <= 1 || bucket < value * 2)
    }))
  })

  it("is monotone", () => {
    fc.assert(fc.property(sample, sample, (a, b) => {
      const [low, high] = a <= b ? [a, b] : [b, a]
      return Base2.bucketBase2(low) <= Base2.bucketBase2(high)
    }))
  })

  it("is idempotent", () => {
    fc.assert(fc.property(sample, (value) => Base2.bucketBase2(Base2.bucketBase2(value)) === Base2.bucketBase2(value)))
  })

  it("gives 0 for values <= 0", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, max: 0 }), (value) => Base2.bucketBase2(value) === 0))
  })

  it("follows the seed's rule below 1: a power of two in (value/2 ... value], at or above, never 1 for small values", () => {
    fc.assert(fc.property(fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }), (value) => {
      const bucket = Base2.bucketBase2(value)
      // 2^k with 2^(k-1) < value <= 2^k, checked with exact arithmetic on powers of two.
      return bucket >= value && bucket / 2 < value && Number.isInteger(Math.log2(bucket)) && bucket <= 1
    }))
    expect(Base2.bucketBase2(0.001)).toBe(2 ** -9)
  })

  it("rejects NaN and ±Infinity with a RangeError", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => Base2.bucketBase2(value)).toThrow(RangeError)
    }
    expect(() => Base2.bucketBase2(Number.NaN)).toThrow(/expected a finite number, got NaN/)
  })

  it("rejects finite values above 2^1023, whose next power of two is not finite", () => {
    expect(() => Base2.bucketBase2(Number.MAX_VALUE)).toThrow(RangeError)
    expect(() => Base2.bucketBase2(Base2.MAX_BASE2_BUCKET * (1 + Number.EPSILON))).toThrow(/above 2\^1023/)
    fc.assert(
      fc.property(fc.double({ min: Base2.MAX_BASE2_BUCKET * (1 + Number.EPSILON), max: Number.MAX_VALUE, noNaN: true }), (value) => {
        expect(() => Base2.bucketBase2(value)).toThrow(RangeError)
      })
    )
  })
})
