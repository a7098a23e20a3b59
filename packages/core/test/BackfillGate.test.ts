import { BackfillGate, type Marker } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

/** The world a run meets: what each step would find out. */
interface World {
  readonly marker: Marker.MarkerState
  readonly enabled: boolean
  readonly debug: boolean
  readonly eventCount: number
  readonly hasApiKey: boolean
  readonly delivered: boolean
}

/** A shell that only records: performs each step against the world, returns the trace. */
const run = (world: World): { readonly trace: ReadonlyArray<BackfillGate.GateStep["_tag"]>; readonly outcome: BackfillGate.GateOutcome; readonly markerWrites: ReadonlyArray<number> } => {
  let facts: BackfillGate.GateFacts = {}
  const trace: Array<BackfillGate.GateStep["_tag"]> = []
  const markerWrites: Array<number> = []
  for (let i = 0; i < 20; i++) {
    const step = BackfillGate.nextGateStep(facts)
    trace.push(step._tag)
    switch (step._tag) {
      case "Stop":
        return { trace, outcome: step.outcome, markerWrites }
      case "ReadMarker":
        facts = { ...facts, marker: world.marker }
        break
      case "ResolveConsent":
        facts = { ...facts, consent: { enabled: world.enabled, debug: world.debug } }
        break
      case "BuildEvents":
        facts = { ...facts, eventCount: world.eventCount }
        break
      case "PrintDryRun":
        facts = { ...facts, dryRunPrinted: true }
        break
      case "WriteMarker":
        markerWrites.push(step.eventCount)
        facts = { ...facts, markerWritten: true }
        break
      case "ReadApiKey":
        facts = { ...facts, hasApiKey: world.hasApiKey }
        break
      case "Send":
        facts = { ...facts, delivered: world.delivered }
        break
    }
  }
  throw new Error("the gate did not stop")
}

const markers = fc.constantFrom<Marker.MarkerState>(
  { _tag: "Absent" },
  { _tag: "Present", marker: { completedAt: "2026-01-01T00:00:00.000Z", throughDay: "2025-12-29", eventCount: 3, installId: "x" } },
  { _tag: "Unreadable", reason: "not JSON" }
)
const worlds = fc.record({
  marker: markers,
  enabled: fc.boolean(),
  debug: fc.boolean(),
  eventCount: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
  hasApiKey: fc.boolean(),
  delivered: fc.boolean()
})

describe("the gate order", () => {
  it("stops at an existing marker before anything else, readable or not", () => {
    fc.assert(
      fc.property(worlds, (world) => {
        fc.pre(world.marker._tag !== "Absent")
        expect(run(world)).toEqual({ trace: ["ReadMarker", "Stop"], outcome: "AlreadyDone", markerWrites: [] })
      })
    )
  })

  it("stops without consent before reading the database, and writes no marker", () => {
    fc.assert(
      fc.property(worlds, (world) => {
        fc.pre(world.marker._tag === "Absent" && !world.enabled)
        expect(run(world)).toEqual({ trace: ["ReadMarker", "ResolveConsent", "Stop"], outcome: "NoConsent", markerWrites: [] })
      })
    )
  })

  it("in debug prints the events and neither sends nor writes a marker, even with zero events", () => {
    fc.assert(
      fc.property(worlds, (world) => {
        fc.pre(world.marker._tag === "Absent" && world.enabled && world.debug)
        expect(run(world)).toEqual({
          trace: ["ReadMarker", "ResolveConsent", "BuildEvents", "PrintDryRun", "Stop"],
          outcome: "DryRun",
          markerWrites: []
        })
      })
    )
  })

  it("with zero events writes a marker with eventCount 0 and never needs a key or a client", () => {
    const result = run({ marker: { _tag: "Absent" }, enabled: true, debug: false, eventCount: 0, hasApiKey: false, delivered: false })
    expect(result).toEqual({
      trace: ["ReadMarker", "ResolveConsent", "BuildEvents", "WriteMarker", "Stop"],
      outcome: "NothingToSend",
      markerWrites: [0]
    })
  })

  it("without an API key stops and writes no marker", () => {
    const result = run({ marker: { _tag: "Absent" }, enabled: true, debug: false, eventCount: 7, hasApiKey: false, delivered: true })
    expect(result.outcome).toBe("NoApiKey")
    expect(result.trace).not.toContain("Send")
    expect(result.markerWrites).toEqual([])
  })

  it("writes the marker only after a confirmed delivery, with the event count", () => {
    fc.assert(
      fc.property(worlds, (world) => {
        const result = run(world)
        const sent = result.trace.includes("Send")
        if (sent) {
          expect(result.trace.slice(0, 5)).toEqual(["ReadMarker", "ResolveConsent", "BuildEvents", "ReadApiKey", "Send"])
          expect(result.markerWrites).toEqual(world.delivered ? [world.eventCount] : [])
          expect(result.outcome).toBe(world.delivered ? "Sent" : "DeliveryFailed")
        }
        // a marker is written at most once, and never after a dry run, without consent or without delivery
        expect(result.markerWrites.length).toBeLessThanOrEqual(1)
        if (result.markerWrites.length === 1) {
          expect(world.marker._tag === "Absent" && world.enabled && !world.debug).toBe(true)
          expect(world.eventCount === 0 || (world.hasApiKey && world.delivered)).toBe(true)
        }
      })
    )
  })
})
