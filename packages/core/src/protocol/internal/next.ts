/**
 * The protocol's decisions: the next action for what the state knows, in
 * three stages (the gates before the lease, the gates under it, and the
 * database's answer to the send), each returning `undefined` when it has
 * nothing left to do.
 *
 * @internal
 */
import { type PlanSummary, summarizeEvents } from "../../events/HistoricalEvents.js"
import { DAY_MS, dayStartMs, isShippable, LAST_FULL_DAY_LAG_MS, utcDay } from "../../time/DayWindow.js"
import { type AttemptRecord, eligibility, recordFailure, scheduled } from "../Backoff.js"
import { judgeClock } from "../ClockSanity.js"
import { isMarkerDone } from "../Marker.js"
import { inRollout, rolloutPoint, spreadOffsetMs, startDelayMs } from "../Rollout.js"
import { type Action, type Collected, type Decision, PLACEHOLDER_INSTALL_ID, type State } from "./model.js"

type Step = readonly [State, Action]

const act = (state: State, action: Action): Step => [{ ...state, awaiting: action }, action]

/** Ends the run: through `ReleaseLease` while the lease is held, else at once. */
const end = (state: State, decision: Decision): Step =>
  state.lease === "Acquired"
    ? act({ ...state, ending: decision }, { _tag: "ReleaseLease" })
    : act({ ...state, ending: decision }, { _tag: "Stop", decision })

const isDryRun = (state: State): boolean => state.consent?.debug === true

/** The id the events and the marker carry: a pending send's own, else the app's. */
const sendingId = (state: State): string | undefined => state.pending?.value?.installId ?? state.installId?.value

/** The next action for what the state knows. @internal */
export const next = (state: State): Step => {
  if (state.ending !== undefined) return act(state, { _tag: "Stop", decision: state.ending })
  if (state.swept === undefined) return act(state, { _tag: "SweepTemps" })
  if (state.marker === undefined) return act(state, { _tag: "ReadMarker" })
  if (isMarkerDone(state.marker)) return end(state, { _tag: "AlreadyDone", marker: state.marker })
  if (state.consent === undefined) return act(state, { _tag: "ResolveConsent" })
  if (!state.consent.enabled) return end(state, { _tag: "NoConsent", consent: state.consent })
  if (isDryRun(state)) {
    // A dry run shows the existing id (or the placeholder) and never creates one; it takes no lease.
    if (state.installId === undefined) return act(state, { _tag: "ReadInstallId", create: false })
  } else {
    const gated = beforeLease(state) ?? underLease(state)
    if (gated !== undefined) return gated
  }
  return fromTheDatabase(state)
}

/** The sink's checks, the rollout, the schedule and the backoff, the start delay, the lease. */
const beforeLease = (state: State): Step | undefined => {
  const { input } = state
  const { namespace } = input.app
  const rollout = input.rollout
  // The sink's checks (the host, the capture mode) come before anything is written.
  if (input.hasApiKey && state.sinkChecked === undefined) return act(state, { _tag: "CheckSink" })
  // The rollout, the spread and the start delay are the install's own: its id is created
  // for them when there is none yet (live telemetry would create it anyway).
  if (state.installId === undefined) {
    return act(state, { _tag: "ReadInstallId", create: rollout.fraction < 1 || rollout.spreadMs > 0 || rollout.maxStartDelayMs > 0 })
  }
  const id = state.installId.value
  if (rollout.fraction < 1 && id !== undefined && !inRollout(namespace, id, rollout.fraction)) {
    return end(state, { _tag: "NotInRollout", fraction: rollout.fraction, point: rolloutPoint(namespace, id) })
  }
  if (rollout.fraction <= 0) return end(state, { _tag: "NotInRollout", fraction: rollout.fraction, point: 1 })
  if (state.attempts === undefined) return act(state, { _tag: "ReadAttempts" })
  const waiting = notYet(state, state.attempts.value)
  if (waiting !== undefined) return end(state, waiting)
  if (state.attempts.value === undefined && input.hasApiKey && id !== undefined) {
    // The first run that could send schedules it at the install's point of the spread.
    const offset = spreadOffsetMs(namespace, id, rollout.spreadMs)
    if (offset > 0) {
      if (state.scheduled === undefined) return act(state, { _tag: "WriteSchedule", record: scheduled(input.nowMs, offset) })
      return end(state, { _tag: "Scheduled", untilMs: input.nowMs + offset, why: "Spread" })
    }
  }
  const delay = id === undefined ? 0 : startDelayMs(namespace, id, rollout.maxStartDelayMs)
  if (delay > 0 && state.waited === undefined) return act(state, { _tag: "Wait", ms: delay })
  if (state.lease === undefined) return act(state, { _tag: "AcquireLease" })
  if (state.lease === "Held") return end(state, { _tag: "Busy", holder: state.holder })
  return undefined
}

/** The marker and the attempts again: another process may have finished, or failed, meanwhile. */
const underLease = (state: State): Step | undefined => {
  if (state.markerUnderLease === undefined) return act(state, { _tag: "ReadMarker" })
  if (isMarkerDone(state.markerUnderLease)) return end(state, { _tag: "AlreadyDone", marker: state.markerUnderLease })
  if (state.attemptsUnderLease === undefined) return act(state, { _tag: "ReadAttempts" })
  const waiting = notYet(state, state.attemptsUnderLease.value)
  return waiting === undefined ? undefined : end(state, waiting)
}

/** The pending send and the live era, the database, the clock, the events, the send and what follows it. */
const fromTheDatabase = (state: State): Step => {
  const { input } = state
  const dryRun = isDryRun(state)
  if (state.pending === undefined) return act(state, { _tag: "ReadPending" })
  if (state.liveSince === undefined) return act(state, { _tag: "ReadLiveSince" })
  const eve = liveEraEveWholeAtMs(state)
  if (eve !== undefined && !dryRun && state.pending.value === undefined && input.nowMs < eve) {
    // Sent now, the window would end days before the live era: those days would be in neither.
    return end(state, { _tag: "Scheduled", untilMs: eve, why: "LiveEraEve" })
  }
  if (state.collected === undefined) {
    return act(state, { _tag: "Collect", pinnedLastFullDay: state.pending.value?.throughDay, liveSince: liveEraStart(state) })
  }
  const { collected } = state
  const clock = judgeClock({ nowMs: input.nowMs, floorMs: input.app.floorMs, firstActivityMs: collected.firstActivityMs, probe: collected.clock })
  if (clock._tag === "Behind") return end(state, { _tag: "ClockRefused", reason: clock.reason })
  if (!isShippable(collected.window)) return nothingToSend(state, collected)

  if (state.built === undefined) {
    const installId = sendingId(state)
    if (installId === undefined && !dryRun) return act(state, { _tag: "ReadInstallId", create: true })
    return act(state, {
      _tag: "BuildEvents",
      installId: installId ?? PLACEHOLDER_INSTALL_ID,
      window: collected.window,
      rollups: collected.rollups,
      baseProperties: input.baseProperties
    })
  }
  const { events, installId } = state.built
  const summary = summarizeEvents(collected.window, events)
  if (dryRun) {
    if (state.dryRunPrinted === undefined) return act(state, { _tag: "PrintDryRun", summary, events })
    return end(state, { _tag: "DryRun", summary, events })
  }
  if (!input.hasApiKey) return end(state, { _tag: "NoApiKey", summary })
  if (state.pendingWritten === undefined) {
    return act(state, {
      _tag: "WritePending",
      pending: { startedAt: new Date(input.nowMs).toISOString(), throughDay: collected.window.lastFullDay, installId, eventCount: events.length }
    })
  }
  if (state.delivery === undefined) return act(state, { _tag: "Send", events })
  if (state.delivery.delivered) {
    const sent: Decision = { _tag: "Sent", summary, events, receipt: state.delivery.receipt }
    return confirmed(state, { throughDay: collected.window.lastFullDay, installId, eventCount: events.length }, sent)
  }
  if (state.failureRecorded === undefined) {
    return act(state, {
      _tag: "RecordFailure",
      record: recordFailure({
        previous: state.attemptsUnderLease?.value ?? state.attempts?.value,
        nowMs: input.nowMs,
        failure: state.delivery.failure.class,
        error: state.delivery.failure.message,
        policy: input.backoff,
        namespace: input.app.namespace,
        installId
      })
    })
  }
  return end(state, {
    _tag: "DeliveryFailed",
    summary,
    failure: state.delivery.failure,
    record: state.failureRecorded,
    receipt: state.delivery.receipt
  })
}

/**
 * The live era's first day, when it can be true: a day before the project
 * floor was recorded under a clock that was behind, and would end the window
 * before any activity (an empty marker, the history lost); a day after today
 * under a clock that was ahead, and would hold the backfill back until then.
 * Both are ignored.
 *
 * @internal
 */
export const usableLiveSince = (floorMs: number, nowMs: number, day: string | undefined): string | undefined =>
  day !== undefined && day >= utcDay(floorMs) && day <= utcDay(nowMs) ? day : undefined

const liveEraStart = (state: State): string | undefined =>
  usableLiveSince(state.input.app.floorMs, state.input.nowMs, state.liveSince?.value)

/** When the day before the live era becomes the last full day (36 h into the live era's first day). */
const liveEraEveWholeAtMs = (state: State): number | undefined => {
  const live = liveEraStart(state)
  return live === undefined ? undefined : dayStartMs(live) + LAST_FULL_DAY_LAG_MS - DAY_MS
}

/** `Scheduled` or `BackingOff` when the record says the next attempt is later. */
const notYet = (state: State, record: AttemptRecord | undefined): Decision | undefined => {
  const { input } = state
  const when = eligibility(record, { nowMs: input.nowMs, force: input.force, spreadMs: input.rollout.spreadMs, policy: input.backoff })
  if (when._tag === "Eligible" || record === undefined) return undefined
  return when._tag === "Scheduled"
    ? { _tag: "Scheduled", untilMs: when.untilMs, why: "Spread" }
    : { _tag: "BackingOff", record, untilMs: when.untilMs }
}

/** A window with no day: the marker with eventCount 0 (never in a dry run), and why. */
const nothingToSend = (state: State, collected: Collected): Step => {
  const window = collected.window
  const why = window.installDay === null
    ? "NoActivity"
    : (liveEraStart(state) ?? "9999-12-31") <= window.installDay
    ? "LiveEra"
    : "TooRecent"
  const summary = summarizeEvents(window, [])
  if (isDryRun(state)) {
    if (state.dryRunPrinted === undefined) return act(state, { _tag: "PrintDryRun", summary, events: [] })
    return end(state, { _tag: "DryRun", summary, events: [] })
  }
  const installId = sendingId(state)
  if (installId === undefined) return act(state, { _tag: "ReadInstallId", create: true })
  return confirmed(state, { throughDay: window.lastFullDay, installId, eventCount: 0 }, { _tag: "NothingToSend", summary, why })
}

/** The marker, then the pending send and the attempts cleared, then the stop with `decision`. */
const confirmed = (
  state: State,
  marker: { readonly throughDay: string; readonly installId: string; readonly eventCount: number },
  decision: Decision
): Step => {
  if (state.markerWritten === undefined) {
    return act(state, { _tag: "WriteMarker", marker: { completedAt: new Date(state.input.nowMs).toISOString(), ...marker } })
  }
  if (state.pendingCleared === undefined) return act(state, { _tag: "ClearPending" })
  if (state.attemptsCleared === undefined) return act(state, { _tag: "ClearAttempts" })
  return end(state, decision)
}

/** The plan's summary, once the database has been read. @internal */
export const summaryOf = (state: State): PlanSummary | undefined =>
  state.collected === undefined ? undefined : summarizeEvents(state.collected.window, state.built?.events ?? [])

/** Ends the run after an action that failed. @internal */
export const endWithError = (state: State, error: unknown): Step =>
  end(state, { _tag: "Error", during: state.awaiting._tag, error })

/** Stops after a failed release: with what was decided (the lease goes stale by itself). @internal */
export const stopAfterFailedRelease = (state: State, error: unknown): Step =>
  act({ ...state, lease: "Released" }, { _tag: "Stop", decision: state.ending ?? { _tag: "Error", during: "ReleaseLease", error } })
