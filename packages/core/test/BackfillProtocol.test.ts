/**
 * The backfill protocol over every combination of facts: a simulated world
 * answers each action the protocol asks for (what a marker read, a lease, a
 * database, a delivery would find, and which action fails), and the trace is
 * checked against the rules. No rule is restated as code: each property
 * names what must or must not appear in the trace.
 */
import { Backoff, BackfillProtocol, type CaptureEvent, type ClockProbe, DayWindow, type Marker, Presets, type Rollout } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const NOW = Date.parse("2026-06-12T08:00:00Z") // lastFullDay 2026-06-09
const HOUR = 3_600_000
const DAY = 24 * HOUR
const EXISTING_ID = "3f1b7c9e-52a4-4d8e-9b1c-6a2e7d4f8c01"
const CREATED_ID = "c0ffee00-1234-4abc-8def-0123456789ab"
const PENDING_ID = "a11ce000-5678-4abc-8def-0123456789ab"
const app = Presets.claudeMem

type Tag = BackfillProtocol.Action["_tag"]

/** What the world holds, and what each action would find. */
interface World {
  readonly nowMs: number
  readonly marker: Marker.MarkerState
  /** What the marker read under the lease finds: another process may have finished meanwhile. */
  readonly markerUnderLease: Marker.MarkerState
  readonly enabled: boolean
  readonly debug: boolean
  readonly hasApiKey: boolean
  readonly force: boolean
  readonly installId: string | undefined
  readonly rollout: Rollout.Rollout
  readonly attempts: Backoff.AttemptRecord | undefined
  /** What the attempt read under the lease finds. */
  readonly attemptsUnderLease: Backoff.AttemptRecord | undefined
  readonly leaseHeld: boolean
  readonly pending: Marker.PendingSend | undefined
  readonly liveSince: string | undefined
  readonly firstActivityMs: number | null
  readonly clock: ClockProbe.ClockFacts
  readonly activeDays: number
  readonly delivery: "Delivered" | "Retriable" | "NonRetriable"
  /** The action whose performance fails, if any (the first time it is asked for). */
  readonly failAt: Tag | undefined
}

interface Trace {
  readonly actions: ReadonlyArray<BackfillProtocol.Action>
  readonly decision: BackfillProtocol.Decision
  readonly tags: ReadonlyArray<Tag>
  /** The window each Collect answered with. */
  readonly window: DayWindow.DayWindow | undefined
  readonly built: ReadonlyArray<CaptureEvent.CaptureEvent> | undefined
}

const eventsFor = (installId: string, window: DayWindow.DayWindow, days: number): ReadonlyArray<CaptureEvent.CaptureEvent> =>
  Array.from({ length: days + 1 }, (_, i) => ({
    event: i === 0 ? "install_inferred" : "historical_activity",
    distinctId: installId,
    uuid: `${installId}-${window.lastFullDay}-${i}`,
    timestamp: new Date(NOW),
    properties: {}
  }))

/** Performs one action against the world. */
const perform = (world: World, state: BackfillProtocol.State, action: BackfillProtocol.Action, failed: Set<Tag>): BackfillProtocol.Result => {
  if (world.failAt === action._tag && !failed.has(action._tag)) {
    failed.add(action._tag)
    return { _tag: "Failed", error: new Error(`${action._tag} failed`) }
  }
  switch (action._tag) {
    case "SweepTemps":
      return { _tag: "Swept" }
    case "ReadMarker":
      return { _tag: "MarkerRead", marker: state.lease === "Acquired" ? world.markerUnderLease : world.marker }
    case "ResolveConsent":
      return {
        _tag: "ConsentResolved",
        consent: { enabled: world.enabled, debug: world.debug, source: "default", reason: world.enabled ? "on" : "off" }
      }
    case "ReadInstallId":
      return { _tag: "InstallIdRead", installId: world.installId ?? (action.create ? CREATED_ID : undefined) }
    case "ReadAttempts":
      return { _tag: "AttemptsRead", record: state.lease === "Acquired" ? world.attemptsUnderLease : world.attempts }
    case "WriteSchedule":
      return { _tag: "ScheduleWritten" }
    case "Wait":
      return { _tag: "Waited" }
    case "AcquireLease":
      return world.leaseHeld
        ? { _tag: "LeaseHeld", holder: { pid: 4242, host: "other", token: "t", startedAt: "2026-06-12T07:59:00.000Z" } }
        : { _tag: "LeaseAcquired" }
    case "ReadPending":
      return { _tag: "PendingRead", pending: world.pending }
    case "ReadLiveSince":
      return { _tag: "LiveSinceRead", liveSince: world.liveSince }
    case "Collect": {
      const window = DayWindow.dayWindow({
        nowMs: world.nowMs,
        firstActivityMs: world.firstActivityMs,
        pinnedLastFullDay: action.pinnedLastFullDay,
        liveSince: action.liveSince
      })
      const days = Math.min(world.activeDays, DayWindow.windowLength(window))
      const rollups = DayWindow.isShippable(window)
        ? Array.from({ length: days }, (_, i) => ({ day: DayWindow.utcDay(DayWindow.dayStartMs(window.installDay) + i * DAY), counters: { n: 1 } }))
        : []
      return { _tag: "Collected", collected: { firstActivityMs: world.firstActivityMs, clock: world.clock, window, rollups, dropped: [] } }
    }
    case "BuildEvents":
      return { _tag: "EventsBuilt", events: eventsFor(action.installId, action.window, action.rollups.length) }
    case "PrintDryRun":
      return { _tag: "DryRunPrinted" }
    case "CheckSink":
      return { _tag: "SinkChecked" }
    case "WritePending":
      return { _tag: "PendingWritten" }
    case "Send":
      return world.delivery === "Delivered"
        ? { _tag: "Delivered" }
        : { _tag: "NotDelivered", failure: { class: world.delivery, message: `not confirmed (${world.delivery})` } }
    case "WriteMarker":
      return { _tag: "MarkerWritten" }
    case "ClearPending":
      return { _tag: "PendingCleared" }
    case "ClearAttempts":
      return { _tag: "AttemptsCleared" }
    case "RecordFailure":
      return { _tag: "FailureRecorded" }
    case "ReleaseLease":
      return { _tag: "LeaseReleased" }
    case "Stop":
      throw new Error("Stop is not performed")
  }
}

/** Runs the protocol against the world, as a shell would; fails if it does not stop. */
const run = (world: World): Trace => {
  const failed = new Set<Tag>()
  let [state, action] = BackfillProtocol.start({
    app,
    nowMs: world.nowMs,
    hasApiKey: world.hasApiKey,
    force: world.force,
    rollout: world.rollout,
    backoff: Backoff.DEFAULT_BACKOFF
  })
  const actions: Array<BackfillProtocol.Action> = [action]
  let window: DayWindow.DayWindow | undefined
  let built: ReadonlyArray<CaptureEvent.CaptureEvent> | undefined
  for (let step = 0; step < 60; step++) {
    if (action._tag === "Stop") return { actions, decision: action.decision, tags: actions.map((a) => a._tag), window, built }
    const result = perform(world, state, action, failed)
    if (result._tag === "Collected") window = result.collected.window
    if (result._tag === "EventsBuilt") built = result.events
    ;[state, action] = BackfillProtocol.transition(state, result)
    actions.push(action)
  }
  throw new Error(`the protocol did not stop: ${actions.map((a) => a._tag).join(" ")}`)
}

const present: Marker.MarkerState = {
  _tag: "Present",
  marker: { completedAt: "2026-01-01T00:00:00.000Z", throughDay: "2025-12-29", eventCount: 3, installId: EXISTING_ID }
}
const markers = fc.constantFrom<Marker.MarkerState>({ _tag: "Absent" }, present, { _tag: "Unreadable", reason: "not JSON" })
const iso = (ms: number) => new Date(ms).toISOString()
const attemptRecords = fc.option(
  fc.oneof(
    // A schedule: due, not yet due, or absurdly far (a wrong clock wrote it).
    fc.constantFrom(-HOUR, 3 * HOUR, 400 * DAY).map((offset) => Backoff.scheduled(NOW, offset)),
    fc.record({
      attempts: fc.integer({ min: 1, max: 9 }),
      offset: fc.constantFrom(-HOUR, 2 * HOUR, 6 * DAY, 400 * DAY),
      class: fc.constantFrom<Backoff.FailureClass>("Retriable", "NonRetriable")
    }).map(({ attempts, offset, ...failure }): Backoff.AttemptRecord => ({
      attempts,
      nextEligibleAt: iso(NOW + offset),
      lastFailure: { at: iso(NOW - HOUR), error: "502", ...failure }
    }))
  ),
  { nil: undefined }
)
const worlds: fc.Arbitrary<World> = fc
  .record({
    nowMs: fc.constantFrom(NOW, NOW, NOW, Date.parse("2023-06-01T00:00:00Z")),
    marker: fc.oneof({ weight: 4, arbitrary: fc.constant<Marker.MarkerState>({ _tag: "Absent" }) }, { weight: 1, arbitrary: markers }),
    markerUnderLease: fc.oneof({ weight: 4, arbitrary: fc.constant<Marker.MarkerState>({ _tag: "Absent" }) }, { weight: 1, arbitrary: markers }),
    enabled: fc.boolean(),
    debug: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    hasApiKey: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    force: fc.boolean(),
    installId: fc.constantFrom(undefined, EXISTING_ID),
    rollout: fc.record({
      fraction: fc.constantFrom(0, 0.3, 1, 1),
      spreadMs: fc.constantFrom(0, 0, DAY),
      maxStartDelayMs: fc.constantFrom(0, 0, 10 * 60_000)
    }),
    attempts: attemptRecords,
    attemptsUnderLease: attemptRecords,
    leaseHeld: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    pending: fc.option(
      fc.constantFrom("2026-05-30", "2026-06-09").map((throughDay) => ({ startedAt: iso(NOW - 10 * DAY), throughDay, installId: PENDING_ID, eventCount: 7 })),
      { nil: undefined }
    ),
    // Long ago, the project floor, before it (a clock behind), yesterday and today (their eve not whole yet), ahead (a clock ahead).
    liveSince: fc.constantFrom(undefined, undefined, "2026-03-01", "2025-01-01", "2024-01-01", "2023-05-01", "2026-06-10", "2026-06-11", "2026-06-12", "2026-07-01"),
    firstActivityMs: fc.constantFrom(null, NOW - 300 * DAY, NOW - 30 * HOUR, NOW + 40 * DAY),
    clock: fc.constantFrom({ futureRows: 0, recentRows: 50 }, { futureRows: 3, recentRows: 0 }, { futureRows: 400, recentRows: 50 }),
    activeDays: fc.integer({ min: 0, max: 40 }),
    delivery: fc.constantFrom<World["delivery"]>("Delivered", "Delivered", "Retriable", "NonRetriable"),
    failAt: fc.option(
      fc.constantFrom<Tag>(
        "SweepTemps", "ReadMarker", "ResolveConsent", "CheckSink", "ReadInstallId", "ReadAttempts", "WriteSchedule", "Wait",
        "AcquireLease", "ReadPending", "ReadLiveSince", "Collect", "BuildEvents", "PrintDryRun", "WritePending", "Send",
        "WriteMarker", "ClearPending", "ClearAttempts", "RecordFailure", "ReleaseLease"
      ),
      { nil: undefined, freq: 3 }
    )
  })

/** The live-era start a run may trust, by hand: from the floor (2024-01-01) to today; else recorded under a wrong clock. */
const usableLiveSince = (world: World): string | undefined =>
  world.liveSince !== undefined && world.liveSince >= "2024-01-01" && world.liveSince <= DayWindow.utcDay(world.nowMs) ? world.liveSince : undefined

const WRITES: ReadonlyArray<Tag> = ["WriteSchedule", "WritePending", "WriteMarker", "RecordFailure", "ClearPending", "ClearAttempts"]
const indexOf = (trace: Trace, tag: Tag) => trace.tags.indexOf(tag)
const count = (trace: Trace, tag: Tag) => trace.tags.filter((t) => t === tag).length
const creates = (trace: Trace) => trace.actions.some((a) => a._tag === "ReadInstallId" && a.create)
const property = (check: (world: World, trace: Trace) => void) =>
  fc.assert(fc.property(worlds, (world) => check(world, run(world))), { numRuns: 3000 })

describe("BackfillProtocol over every combination of facts", () => {
  it("every path stops, once, with Stop as its last action", () => {
    property((_world, trace) => {
      expect(count(trace, "Stop")).toBe(1)
      expect(trace.tags.at(-1)).toBe("Stop")
    })
  })

  it("sends at most once, and only after the sink's checks, under the lease, with the pending send recorded, outside a dry run", () => {
    property((world, trace) => {
      expect(count(trace, "Send")).toBeLessThanOrEqual(1)
      const send = indexOf(trace, "Send")
      if (send === -1) return
      expect(world.enabled && !world.debug && world.hasApiKey && !world.leaseHeld).toBe(true)
      expect(indexOf(trace, "CheckSink")).toBeGreaterThan(-1)
      expect(indexOf(trace, "CheckSink")).toBeLessThan(send)
      expect(indexOf(trace, "AcquireLease")).toBeLessThan(send)
      expect(indexOf(trace, "WritePending")).toBeLessThan(send)
      expect(indexOf(trace, "ReleaseLease") === -1 || indexOf(trace, "ReleaseLease") > send).toBe(true)
    })
  })

  it("sends exactly the events built, built once, under the pending send's id and window when there is one", () => {
    property((world, trace) => {
      expect(count(trace, "BuildEvents")).toBeLessThanOrEqual(1)
      const send = trace.actions.find((a) => a._tag === "Send")
      if (send === undefined) return
      expect(send.events).toBe(trace.built)
      const pending = trace.actions.find((a) => a._tag === "WritePending")!
      const collect = trace.actions.find((a) => a._tag === "Collect")!
      expect(collect).toMatchObject({ pinnedLastFullDay: world.pending?.throughDay, liveSince: usableLiveSince(world) })
      const id = world.pending?.installId ?? world.installId ?? CREATED_ID
      expect(pending).toMatchObject({ pending: { installId: id, throughDay: trace.window!.lastFullDay, eventCount: send.events.length } })
      expect(new Set(send.events.map((event) => event.distinctId))).toEqual(new Set([id]))
    })
  })

  it("writes the marker only after a confirmed delivery, or for a window with no day on a sane clock; never in a dry run", () => {
    property((world, trace) => {
      const write = trace.actions.find((a) => a._tag === "WriteMarker")
      if (write === undefined) return
      expect(world.debug).toBe(false)
      const sent = indexOf(trace, "Send")
      const nothingToShip = trace.window !== undefined && !DayWindow.isShippable(trace.window)
      expect(sent !== -1 ? world.delivery === "Delivered" && world.failAt !== "Send" : nothingToShip).toBe(true)
      expect(write).toMatchObject({ marker: { throughDay: trace.window!.lastFullDay, eventCount: trace.built?.length ?? 0 } })
      expect(trace.decision._tag).not.toBe("ClockRefused")
    })
  })

  it("takes the lease before reading the database and releases it, once, right before every stop after it was taken", () => {
    property((world, trace) => {
      const acquire = indexOf(trace, "AcquireLease")
      const collect = indexOf(trace, "Collect")
      if (collect !== -1 && !world.debug) expect(acquire).toBeGreaterThan(-1)
      if (collect !== -1 && !world.debug) expect(acquire).toBeLessThan(collect)
      const acquired = acquire !== -1 && !world.leaseHeld && world.failAt !== "AcquireLease"
      expect(count(trace, "ReleaseLease")).toBe(acquired ? 1 : 0)
      if (acquired) expect(trace.tags.at(-2)).toBe("ReleaseLease")
    })
  })

  it("a live lease elsewhere: Busy, nothing read from the database, nothing written", () => {
    property((world, trace) => {
      if (!(world.leaseHeld && indexOf(trace, "AcquireLease") !== -1 && world.failAt !== "AcquireLease")) return
      expect(trace.decision._tag).toBe("Busy")
      expect(indexOf(trace, "Collect")).toBe(-1)
      for (const tag of WRITES) expect(indexOf(trace, tag)).toBe(-1)
    })
  })

  it("a dry run takes no lease, creates no id and writes nothing", () => {
    property((world, trace) => {
      if (!world.debug) return
      for (const tag of [...WRITES, "AcquireLease", "CheckSink", "Send"] as const) expect(indexOf(trace, tag)).toBe(-1)
      expect(creates(trace)).toBe(false)
    })
  })

  it("a marker, or consent off, stops before anything else, reading nothing more", () => {
    property((world, trace) => {
      if (world.failAt === "SweepTemps" || world.failAt === "ReadMarker" || world.failAt === "ResolveConsent") return
      if (world.marker._tag !== "Absent") expect(trace.tags).toEqual(["SweepTemps", "ReadMarker", "Stop"])
      else if (!world.enabled) expect(trace.tags).toEqual(["SweepTemps", "ReadMarker", "ResolveConsent", "Stop"])
    })
  })

  it("outside the rollout, in a backoff or before the schedule: stops before the lease and the database, writing nothing", () => {
    property((world, trace) => {
      const decision = trace.decision._tag
      if (decision !== "NotInRollout" && decision !== "BackingOff" && decision !== "Scheduled") return
      expect(indexOf(trace, "AcquireLease") === -1 || decision !== "NotInRollout").toBe(true)
      expect(indexOf(trace, "Collect")).toBe(-1)
      for (const tag of WRITES.filter((t) => t !== "WriteSchedule")) expect(indexOf(trace, tag)).toBe(-1)
      if (decision === "BackingOff") expect(world.force).toBe(false)
    })
  })

  it("a backoff not yet over stops the run unless forced; one written under a wrong clock (further than the cap) does not", () => {
    const inBackoff = (world: World, record: Backoff.AttemptRecord | undefined) => {
      const wait = record === undefined || record.attempts === 0 ? 0 : Date.parse(record.nextEligibleAt) - world.nowMs
      return !world.force && wait > 0 && wait <= 7 * DAY
    }
    property((world, trace) => {
      if (trace.decision._tag === "BackingOff") expect(inBackoff(world, world.attempts) || inBackoff(world, world.attemptsUnderLease)).toBe(true)
      if (trace.tags.includes("ReadAttempts") && world.failAt !== "ReadAttempts" && inBackoff(world, world.attempts)) {
        expect(trace.decision._tag).toBe("BackingOff")
      }
    })
  })

  it("the first run that could send with a spread schedules it and stops; the schedule, once written, holds until due", () => {
    property((world, trace) => {
      const write = trace.actions.find((a) => a._tag === "WriteSchedule")
      if (write !== undefined) {
        expect(world.attempts).toBeUndefined()
        expect(world.rollout.spreadMs).toBeGreaterThan(0)
        expect(world.hasApiKey).toBe(true)
        const at = Date.parse(write.record.nextEligibleAt)
        expect(at).toBeGreaterThan(world.nowMs)
        expect(at).toBeLessThanOrEqual(world.nowMs + world.rollout.spreadMs)
        expect(indexOf(trace, "AcquireLease")).toBe(-1)
        if (world.failAt !== "WriteSchedule") expect(trace.decision).toMatchObject({ _tag: "Scheduled", untilMs: at })
      }
      if (world.attempts?.attempts === 0 && world.rollout.spreadMs === 0) expect(trace.decision).not.toMatchObject({ _tag: "Scheduled", why: "Spread" })
    })
  })

  it("a clock the data contradicts: ClockRefused, nothing written after the database was read", () => {
    property((world, trace) => {
      if (trace.decision._tag !== "ClockRefused") return
      const collect = indexOf(trace, "Collect")
      expect(collect).toBeGreaterThan(-1)
      for (const tag of WRITES) expect(trace.tags.indexOf(tag, collect)).toBe(-1)
      expect(trace.decision.reason).toMatch(/^the clock says /)
    })
    // And every such world refuses: before the floor, before the install day, or a real share of future rows.
    property((world, trace) => {
      if (indexOf(trace, "Collect") === -1 || world.failAt === "Collect") return
      const behind = world.nowMs < app.floorMs ||
        (world.firstActivityMs !== null && world.firstActivityMs > world.nowMs) || world.clock.futureRows === 400
      expect(trace.decision._tag === "ClockRefused").toBe(behind)
    })
  })

  it("with a live era, a fresh send waits until the day before it is whole, then ends exactly there: no day in neither, none in both", () => {
    property((world, trace) => {
      const live = usableLiveSince(world)
      if (live === undefined || world.debug) return
      const collect = trace.actions.find((a) => a._tag === "Collect")
      if (trace.decision._tag === "Scheduled" && trace.decision.why === "LiveEraEve") {
        expect(collect).toBeUndefined()
        expect(world.pending).toBeUndefined()
        // 36 h into the live era's first day, the day before it is the last full day.
        expect(trace.decision.untilMs).toBe(Date.parse(`${live}T00:00:00Z`) + 36 * HOUR)
        expect(trace.decision.untilMs).toBeGreaterThan(world.nowMs)
        expect(trace.tags.at(-2)).toBe("ReleaseLease")
      }
      if (collect === undefined || world.failAt === "Collect") return
      const eve = DayWindow.dayBefore(live)
      if (world.pending === undefined) expect(trace.window!.lastFullDay).toBe(eve)
      else expect(trace.window!.lastFullDay <= eve).toBe(true)
    })
  })

  it("a failed delivery records the next failure, writes no marker, keeps the pending send", () => {
    property((world, trace) => {
      if (trace.decision._tag !== "DeliveryFailed") return
      expect(indexOf(trace, "WriteMarker")).toBe(-1)
      expect(indexOf(trace, "ClearPending")).toBe(-1)
      const record = trace.actions.find((a) => a._tag === "RecordFailure")!.record
      const previous = world.attemptsUnderLease ?? world.attempts
      expect(record.attempts).toBe((previous?.attempts ?? 0) + 1)
      expect(record.lastFailure?.class).toBe(world.delivery)
      expect(Date.parse(record.nextEligibleAt)).toBeGreaterThan(world.nowMs)
    })
  })

  it("an action that fails ends the run as an Error naming it, except tidying up, which changes nothing", () => {
    property((world, trace) => {
      if (world.failAt === undefined || indexOf(trace, world.failAt) === -1) return
      if (world.failAt === "SweepTemps" || world.failAt === "ClearPending" || world.failAt === "ClearAttempts") {
        expect(trace.decision._tag).not.toBe("Error")
      } else if (world.failAt === "ReleaseLease") {
        expect(trace.tags.slice(-2)).toEqual(["ReleaseLease", "Stop"])
      } else {
        expect(trace.decision).toMatchObject({ _tag: "Error", during: world.failAt })
        expect(trace.tags.slice(indexOf(trace, world.failAt) + 1).every((t) => t === "ReleaseLease" || t === "Stop")).toBe(true)
      }
    })
  })
})

describe("BackfillProtocol, one run at a time", () => {
  const world: World = {
    nowMs: NOW,
    marker: { _tag: "Absent" },
    markerUnderLease: { _tag: "Absent" },
    enabled: true,
    debug: false,
    hasApiKey: true,
    force: false,
    installId: undefined,
    rollout: { fraction: 1, spreadMs: 0, maxStartDelayMs: 0 },
    attempts: undefined,
    attemptsUnderLease: undefined,
    leaseHeld: false,
    pending: undefined,
    liveSince: undefined,
    firstActivityMs: Date.parse("2026-05-01T10:00:00Z"),
    clock: { futureRows: 0, recentRows: 12 },
    activeDays: 3,
    delivery: "Delivered",
    failAt: undefined
  }

  it("a first send, in order", () => {
    const trace = run(world)
    expect(trace.tags).toEqual([
      "SweepTemps", "ReadMarker", "ResolveConsent", "CheckSink", "ReadInstallId", "ReadAttempts", "AcquireLease",
      "ReadMarker", "ReadAttempts", "ReadPending", "ReadLiveSince", "Collect", "ReadInstallId", "BuildEvents",
      "WritePending", "Send", "WriteMarker", "ClearPending", "ClearAttempts", "ReleaseLease", "Stop"
    ])
    expect(trace.actions.find((a) => a._tag === "WriteMarker")).toMatchObject({
      marker: { throughDay: "2026-06-09", eventCount: 4, installId: CREATED_ID }
    })
    expect(trace.decision).toMatchObject({ _tag: "Sent", events: trace.built, summary: { events: 4, days: 3 } })
  })

  it("the live era ends the window the day before it; on or before the install day, nothing to send and the marker", () => {
    const cut = run({ ...world, liveSince: "2026-05-20" })
    expect(cut.window).toEqual({ installDay: "2026-05-01", lastFullDay: "2026-05-19" })
    expect(cut.decision._tag).toBe("Sent")
    for (const liveSince of ["2026-05-01", "2026-04-02"]) {
      const none = run({ ...world, liveSince })
      expect(none.decision).toMatchObject({ _tag: "NothingToSend", why: "LiveEra", summary: { events: 0 } })
      expect(none.actions.find((a) => a._tag === "WriteMarker")).toMatchObject({ marker: { eventCount: 0 } })
      expect(indexOf(none, "Send")).toBe(-1)
    }
    // Live telemetry began yesterday: sent now, the window would end 2026-06-09 and 2026-06-10 would be in neither era.
    const recent = run({ ...world, liveSince: "2026-06-11" })
    expect(recent.decision).toEqual({ _tag: "Scheduled", untilMs: Date.parse("2026-06-12T12:00:00Z"), why: "LiveEraEve" })
    expect(indexOf(recent, "Collect")).toBe(-1)
    const whole = run({ ...world, liveSince: "2026-06-11", nowMs: Date.parse("2026-06-12T12:00:00Z") })
    expect(whole.window).toEqual({ installDay: "2026-05-01", lastFullDay: "2026-06-10" })
    expect(whole.decision._tag).toBe("Sent")
    // Recorded under a clock that was ahead (after today): ignored, never a wait until then.
    expect(run({ ...world, liveSince: "2026-07-01" }).window).toEqual({ installDay: "2026-05-01", lastFullDay: "2026-06-09" })
    // Recorded under a clock that was behind (before the project floor): ignored, not an empty marker.
    const wrong = run({ ...world, liveSince: "2023-05-01" })
    expect(wrong.window).toEqual({ installDay: "2026-05-01", lastFullDay: "2026-06-09" })
    expect(wrong.decision._tag).toBe("Sent")
  })

  it("refuses a clock before the floor or the install day, or one the activity contradicts, and writes nothing", () => {
    const beforeFloor = run({ ...world, nowMs: Date.parse("2023-06-01T00:00:00Z") })
    expect(beforeFloor.decision).toEqual({
      _tag: "ClockRefused",
      reason: "the clock says 2023-06-01T00:00:00.000Z, before the project floor 2024-01-01T00:00:00.000Z"
    })
    const beforeInstall = run({ ...world, nowMs: Date.parse("2026-04-01T00:00:00Z") })
    expect(beforeInstall.decision).toEqual({
      _tag: "ClockRefused",
      reason: "the clock says 2026-04-01T00:00:00.000Z, before the app's first activity on 2026-05-01"
    })
    // 57 days of use after "now" against a week before it: the clock is behind, not the data.
    const behind = run({ ...world, clock: { futureRows: 57, recentRows: 7 } })
    expect(behind.decision).toEqual({
      _tag: "ClockRefused",
      reason: "the clock says 2026-06-12T08:00:00.000Z, but 57 activity rows (89% of the recent ones) are dated after it: the clock is behind"
    })
    for (const trace of [beforeFloor, beforeInstall, behind]) for (const tag of WRITES) expect(indexOf(trace, tag)).toBe(-1)
    // A few stray rows are corrupt data, not a wrong clock.
    expect(run({ ...world, clock: { futureRows: 4, recentRows: 0 } }).decision._tag).toBe("Sent")
    expect(run({ ...world, clock: { futureRows: 5, recentRows: 46 } }).decision._tag).toBe("Sent")
  })

  it("the spread schedules a first run and stops; the run once due sends; the command line's spread 0 ignores a schedule", () => {
    const spread = { ...world, installId: EXISTING_ID, rollout: { ...world.rollout, spreadMs: DAY } }
    const first = run(spread)
    expect(first.tags).toEqual(["SweepTemps", "ReadMarker", "ResolveConsent", "CheckSink", "ReadInstallId", "ReadAttempts", "WriteSchedule", "Stop"])
    const schedule = first.actions.find((a) => a._tag === "WriteSchedule")!.record
    expect(schedule.attempts).toBe(0)
    expect(run({ ...spread, attempts: schedule, attemptsUnderLease: schedule }).decision._tag).toBe("Scheduled")
    const due = { ...schedule, nextEligibleAt: iso(NOW - 1) }
    expect(run({ ...spread, attempts: due, attemptsUnderLease: due }).decision._tag).toBe("Sent")
    expect(run({ ...world, attempts: schedule, attemptsUnderLease: schedule }).decision._tag).toBe("Sent")
  })

  it("another process finished while this one waited for the lease: AlreadyDone under the lease, released", () => {
    const trace = run({ ...world, markerUnderLease: present })
    expect(trace.decision).toEqual({ _tag: "AlreadyDone", marker: present })
    expect(trace.tags.slice(-3)).toEqual(["ReadMarker", "ReleaseLease", "Stop"])
  })

  it("a result that does not answer the awaited action is a shell bug, and says so", () => {
    const [state] = BackfillProtocol.start({ app, nowMs: NOW, hasApiKey: true, force: false, rollout: world.rollout, backoff: Backoff.DEFAULT_BACKOFF })
    expect(() => BackfillProtocol.transition(state, { _tag: "LeaseAcquired" })).toThrow("LeaseAcquired does not answer SweepTemps")
  })
})
