import { DayWindow, Epoch } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

/** Instants between the floor and 2100, in milliseconds. */
const instantMs = fc.integer({ min: Epoch.DEFAULT_FLOOR_MS, max: Date.UTC(2100, 0, 1) })

describe("epoch normalization", () => {
  it("lands seconds and milliseconds of the same instant on the same day", () => {
    fc.assert(
      fc.property(instantMs, (ms) => {
        const seconds = Math.floor(ms / 1000)
        expect(DayWindow.utcDay(Epoch.normalizeEpochMs(seconds))).toBe(DayWindow.utcDay(ms))
        expect(Epoch.normalizeEpochMs(ms)).toBe(ms)
      })
    )
  })

  it("puts the seed's legacy second epoch on 2025-08-12, not 1970", () => {
    expect(DayWindow.utcDay(Epoch.normalizeEpochMs(1_755_000_000))).toBe("2025-08-12")
  })
})

describe("UTC days", () => {
  it("round-trips a day through its start and noon", () => {
    fc.assert(
      fc.property(instantMs, (ms) => {
        const day = DayWindow.utcDay(ms)
        expect(DayWindow.isUtcDay(day)).toBe(true)
        expect(DayWindow.utcDay(DayWindow.dayStartMs(day))).toBe(day)
        expect(DayWindow.dayNoon(day).toISOString()).toBe(`${day}T12:00:00.000Z`)
        expect(DayWindow.dayStartMs(day) <= ms && ms < DayWindow.dayStartMs(day) + DayWindow.DAY_MS).toBe(true)
      })
    )
  })

  it("accepts exactly the days a Date writes as YYYY-MM-DD, years 0000 to 9999", () => {
    const viaDate = (value: string) => {
      const ms = Date.parse(`${value}T00:00:00.000Z`)
      return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value
    }
    const digits = (length: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: length, maxLength: length })
    const nearlyDays = fc.oneof(
      fc.tuple(digits(4), digits(2), digits(2)).map(([y, m, d]) => `${y}-${m}-${d}`),
      fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(
        ([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`
      )
    )
    fc.assert(
      fc.property(nearlyDays, (value) => {
        expect(DayWindow.isUtcDay(value)).toBe(viaDate(value))
      }),
      { numRuns: 2000 }
    )
    for (const leap of ["2024-02-29", "2000-02-29", "0000-02-29", "0400-02-29"]) expect(DayWindow.isUtcDay(leap)).toBe(true)
    for (const common of ["2025-02-29", "1900-02-29", "2100-02-29", "0100-02-29"]) expect(DayWindow.isUtcDay(common)).toBe(false)
  })

  it("rejects what is not a calendar day", () => {
    for (const bad of ["2025-02-30", "2025-13-01", "2025-1-01", "20250101", "", "2025-01-01T00:00:00Z"]) {
      expect(DayWindow.isUtcDay(bad)).toBe(false)
    }
    expect(() => DayWindow.dayStartMs("2025-02-30")).toThrow(RangeError)
    expect(() => DayWindow.utcDay(Number.NaN)).toThrow(RangeError)
    expect(() => DayWindow.utcDay(1e20)).toThrow(RangeError)
  })
})

describe("the day window", () => {
  it("lastFullDay is the UTC day of now - 60h", () => {
    expect(DayWindow.lastFullDay(Date.parse("2026-06-11T11:59:59.999Z"))).toBe("2026-06-08")
    expect(DayWindow.lastFullDay(Date.parse("2026-06-11T12:00:00.000Z"))).toBe("2026-06-09")
  })

  it("never lets a shipped noon be less than 48h before now", () => {
    fc.assert(
      fc.property(instantMs, instantMs, (nowMs, firstMs) => {
        const window = DayWindow.dayWindow({ nowMs, firstActivityMs: firstMs })
        if (!DayWindow.isShippable(window)) return
        expect(nowMs - DayWindow.dayNoon(window.lastFullDay).getTime()).toBeGreaterThanOrEqual(48 * DayWindow.HOUR_MS)
        // and the day after lastFullDay would break the rule: the window is as late as it may be
        expect(nowMs - (DayWindow.dayNoon(window.lastFullDay).getTime() + DayWindow.DAY_MS)).toBeLessThan(48 * DayWindow.HOUR_MS + 12 * DayWindow.HOUR_MS)
      })
    )
  })

  it("ships nothing when the install day is after the last full day", () => {
    const nowMs = Date.parse("2026-06-11T10:00:00Z")
    const window = DayWindow.dayWindow({ nowMs, firstActivityMs: nowMs - DayWindow.HOUR_MS })
    expect(window.installDay).toBe("2026-06-11")
    expect(DayWindow.isShippable(window)).toBe(false)
    expect(DayWindow.windowLength(window)).toBe(0)
    expect(DayWindow.isDayInWindow("2026-06-08", window)).toBe(false)
  })

  it("ships nothing without a first activity, or with one that is no instant", () => {
    const nowMs = Date.parse("2026-06-11T10:00:00Z")
    expect(DayWindow.isShippable(DayWindow.dayWindow({ nowMs, firstActivityMs: null }))).toBe(false)
    expect(DayWindow.isShippable(DayWindow.dayWindow({ nowMs, firstActivityMs: Number.POSITIVE_INFINITY }))).toBe(false)
    expect(DayWindow.isShippable(DayWindow.dayWindow({ nowMs, firstActivityMs: 1e300 }))).toBe(false)
  })

  it("contains exactly the whole days from installDay to lastFullDay", () => {
    fc.assert(
      fc.property(instantMs, fc.integer({ min: 0, max: 400 }), fc.integer({ min: -3, max: 400 }), (firstMs, spanDays, probe) => {
        const nowMs = firstMs + spanDays * DayWindow.DAY_MS
        const window = DayWindow.dayWindow({ nowMs, firstActivityMs: firstMs })
        const day = DayWindow.utcDay(DayWindow.dayStartMs(DayWindow.utcDay(firstMs)) + probe * DayWindow.DAY_MS)
        const expected = DayWindow.isShippable(window) && window.installDay <= day && day <= window.lastFullDay
        expect(DayWindow.isDayInWindow(day, window)).toBe(expected)
        if (DayWindow.isShippable(window)) {
          expect(DayWindow.windowLength(window)).toBe(Math.round((DayWindow.dayStartMs(window.lastFullDay) - DayWindow.dayStartMs(window.installDay)) / DayWindow.DAY_MS) + 1)
        }
      })
    )
  })

  it("a pending send pins the window to its earlier last full day, never to a later one", () => {
    const nowMs = Date.parse("2026-06-20T08:00:00Z")
    const firstActivityMs = Date.parse("2025-10-19T08:00:00Z")
    expect(DayWindow.dayWindow({ nowMs, firstActivityMs, pinnedLastFullDay: "2026-06-09" }).lastFullDay).toBe("2026-06-09")
    expect(DayWindow.dayWindow({ nowMs, firstActivityMs, pinnedLastFullDay: "2026-07-01" }).lastFullDay).toBe("2026-06-17")
    expect(DayWindow.dayWindow({ nowMs, firstActivityMs, pinnedLastFullDay: "garbage" }).lastFullDay).toBe("2026-06-17")
    fc.assert(
      fc.property(instantMs, instantMs, instantMs, (now, first, pin) => {
        const pinned = DayWindow.dayWindow({ nowMs: now, firstActivityMs: first, pinnedLastFullDay: DayWindow.utcDay(pin) })
        expect(pinned.lastFullDay <= DayWindow.lastFullDay(now)).toBe(true)
        expect(pinned.installDay).toBe(DayWindow.dayWindow({ nowMs: now, firstActivityMs: first }).installDay)
      })
    )
  })
})
