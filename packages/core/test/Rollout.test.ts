/**
 * The staged rollout: each install's point is its own (the same on every run,
 * from a hash of the install id under the app's namespace, here checked
 * against the `uuid` package's v5), raising the fraction keeps every install
 * already in, the shares are what they say, and the spread and the start
 * delay stay inside their bounds.
 */
import { Presets, Rollout } from "@posthog-backfill/core"
import fc from "fast-check"
import { v5 as uuidPackageV5 } from "uuid"
import { describe, expect, it } from "vitest"

const ns = Presets.claudeMem.namespace
const ids = (n: number) => Array.from({ length: n }, (_, i) => `6f9d2c1a-0000-4000-8000-${String(i).padStart(12, "0")}`)
const pointByHand = (name: string) => {
  const uuid = uuidPackageV5(name, ns)
  return Number.parseInt(uuid.slice(0, 8) + uuid.slice(9, 13), 16) / 2 ** 48
}

describe("the rollout", () => {
  it("decides each install from 48 bits of the v5 uuid of rollout|<id> under the app's namespace", () => {
    for (const id of ids(50)) expect(Rollout.rolloutPoint(ns, id)).toBe(pointByHand(`rollout|${id}`))
  })

  it("is monotone: an install in at one fraction is in at every larger one", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (id, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a]
        if (Rollout.inRollout(ns, id, low)) expect(Rollout.inRollout(ns, id, high)).toBe(true)
      })
    )
  })

  it("takes the share it says: 1%, 10% and 50% of 20 000 installs, within sampling error", () => {
    const fleet = ids(20_000)
    for (const [fraction, tolerance] of [[0.01, 0.003], [0.1, 0.01], [0.5, 0.015]] as const) {
      const share = fleet.filter((id) => Rollout.inRollout(ns, id, fraction)).length / fleet.length
      expect([fraction, Math.abs(share - fraction) <= tolerance]).toEqual([fraction, true])
    }
    expect(fleet.every((id) => Rollout.inRollout(ns, id, 1))).toBe(true)
    expect(fleet.some((id) => Rollout.inRollout(ns, id, 0))).toBe(false)
  })

  it("spreads sends over [0, spreadMs) and delays starts over [0, maxStartDelayMs), independently of the rollout point", () => {
    const day = 86_400_000
    const fleet = ids(10_000)
    const offsets = fleet.map((id) => Rollout.spreadOffsetMs(ns, id, day))
    expect(offsets.every((offset) => offset >= 0 && offset < day)).toBe(true)
    // Each hour of the day gets about 1/24 of the fleet (417).
    const hours = Array.from({ length: 24 }, (_, h) => offsets.filter((offset) => Math.floor(offset / 3_600_000) === h).length)
    for (const count of hours) expect(count).toBeGreaterThan(330)
    for (const count of hours) expect(count).toBeLessThan(500)
    expect(fleet.every((id) => Rollout.spreadOffsetMs(ns, id, 0) === 0 && Rollout.startDelayMs(ns, id, 0) === 0)).toBe(true)
    expect(fleet.every((id) => Rollout.startDelayMs(ns, id, 600_000) < 600_000)).toBe(true)
    // The first 1% is not also the first hour of the spread.
    const early = fleet.filter((id) => Rollout.inRollout(ns, id, 0.01))
    expect(early.filter((id) => Rollout.spreadOffsetMs(ns, id, day) < 3_600_000).length).toBeLessThan(early.length / 4)
  })

  it("refuses a fraction outside 0..1 and a negative or fractional duration, saying which", () => {
    expect(Rollout.validateRollout({ fraction: 1.5, spreadMs: -1, maxStartDelayMs: 0.5 })).toEqual([
      "rollout.fraction 1.5 must be a number from 0 to 1",
      "rollout.spreadMs -1 must be a whole number of milliseconds >= 0",
      "rollout.maxStartDelayMs 0.5 must be a whole number of milliseconds >= 0"
    ])
    expect(Rollout.validateRollout(Rollout.DEFAULT_ROLLOUT)).toEqual([])
    expect(Rollout.DEFAULT_ROLLOUT).toEqual({ fraction: 1, spreadMs: 172_800_000, maxStartDelayMs: 0 })
  })
})
