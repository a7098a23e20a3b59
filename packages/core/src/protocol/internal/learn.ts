/**
 * How each result is added to the state: what the awaited action found, and
 * the results of actions whose failure changes nothing.
 *
 * @internal
 */
import type { Action, Result, State } from "./model.js"

/** Actions whose failure changes nothing: their success is assumed. @internal */
export const BEST_EFFORT: Partial<Record<Action["_tag"], Exclude<Result, { readonly _tag: "Failed" }>>> = {
  SweepTemps: { _tag: "Swept" },
  ClearPending: { _tag: "PendingCleared" },
  ClearAttempts: { _tag: "AttemptsCleared" }
}

const mismatch = (state: State, result: Result): never => {
  throw new Error(`BackfillProtocol: ${result._tag} does not answer ${state.awaiting._tag}`)
}

/** The state with what the result says added. @internal */
export const learn = (state: State, result: Exclude<Result, { readonly _tag: "Failed" }>): State => {
  const expect = (awaiting: Action["_tag"]) => (state.awaiting._tag === awaiting ? undefined : mismatch(state, result))
  const awaited = state.awaiting
  switch (result._tag) {
    case "Swept":
      expect("SweepTemps")
      return { ...state, swept: true }
    case "MarkerRead":
      expect("ReadMarker")
      return state.lease === "Acquired" ? { ...state, markerUnderLease: result.marker } : { ...state, marker: result.marker }
    case "ConsentResolved":
      expect("ResolveConsent")
      return { ...state, consent: result.consent }
    case "InstallIdRead":
      expect("ReadInstallId")
      return { ...state, installId: { value: result.installId } }
    case "AttemptsRead":
      expect("ReadAttempts")
      return state.lease === "Acquired"
        ? { ...state, attemptsUnderLease: { value: result.record } }
        : { ...state, attempts: { value: result.record } }
    case "ScheduleWritten":
      expect("WriteSchedule")
      return { ...state, scheduled: awaited._tag === "WriteSchedule" ? awaited.record : undefined }
    case "Waited":
      expect("Wait")
      return { ...state, waited: true }
    case "LeaseAcquired":
      expect("AcquireLease")
      return { ...state, lease: "Acquired" }
    case "LeaseHeld":
      expect("AcquireLease")
      return { ...state, lease: "Held", holder: result.holder }
    case "PendingRead":
      expect("ReadPending")
      return { ...state, pending: { value: result.pending } }
    case "LiveSinceRead":
      expect("ReadLiveSince")
      return { ...state, liveSince: { value: result.liveSince } }
    case "Collected":
      expect("Collect")
      return { ...state, collected: result.collected }
    case "EventsBuilt":
      expect("BuildEvents")
      return {
        ...state,
        built: awaited._tag === "BuildEvents" ? { events: result.events, installId: awaited.installId } : undefined
      }
    case "DryRunPrinted":
      expect("PrintDryRun")
      return { ...state, dryRunPrinted: true }
    case "SinkChecked":
      expect("CheckSink")
      return { ...state, sinkChecked: true }
    case "PendingWritten":
      expect("WritePending")
      return { ...state, pendingWritten: awaited._tag === "WritePending" ? awaited.pending : undefined }
    case "Delivered":
      expect("Send")
      return { ...state, delivery: { delivered: true, receipt: result.receipt } }
    case "NotDelivered":
      expect("Send")
      return { ...state, delivery: { delivered: false, failure: result.failure, receipt: result.receipt } }
    case "MarkerWritten":
      expect("WriteMarker")
      return { ...state, markerWritten: awaited._tag === "WriteMarker" ? awaited.marker : undefined }
    case "PendingCleared":
      expect("ClearPending")
      return { ...state, pendingCleared: true }
    case "AttemptsCleared":
      expect("ClearAttempts")
      return { ...state, attemptsCleared: true }
    case "FailureRecorded":
      expect("RecordFailure")
      return { ...state, failureRecorded: awaited._tag === "RecordFailure" ? awaited.record : undefined }
    case "LeaseReleased":
      expect("ReleaseLease")
      return { ...state, lease: "Released" }
  }
}
