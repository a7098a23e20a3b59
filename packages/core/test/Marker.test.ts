import { Marker } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

describe("the marker", () => {
  const marker = Marker.makeMarker({ completedAtMs: Date.UTC(2026, 5, 12, 8), throughDay: "2026-06-09", eventCount: 216, installId: "id-1" })

  it("round-trips", () => {
    expect(marker.completedAt).toBe("2026-06-12T08:00:00.000Z")
    expect(Marker.parseMarker(Marker.encodeMarker(marker))).toEqual({ _tag: "Present", marker })
  })

  it("accepts a marker from the app's earlier backfill code with extra fields", () => {
    const state = Marker.parseMarker(JSON.stringify({ ...marker, version: "10.0.1" }))
    expect(state._tag).toBe("Present")
    expect(Marker.isMarkerDone(state)).toBe(true)
  })

  it("counts an unreadable marker as done and says why", () => {
    for (const text of ["", "{", "null", "[]", "{}", '{"completedAt": 1}']) {
      const state = Marker.parseMarker(text)
      expect(state._tag).toBe("Unreadable")
      expect(Marker.isMarkerDone(state)).toBe(true)
    }
  })

  it("never throws, whatever the file holds", () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => void expect(Marker.isMarkerDone(Marker.parseMarker(text))).toBe(true)))
  })

  it("refuses a throughDay that is not a day", () => {
    expect(() => Marker.makeMarker({ completedAtMs: 0, throughDay: "June 9", eventCount: 1, installId: "x" })).toThrow(RangeError)
  })
})
