/**
 * The protocol's models: what a run starts from, the actions the shell
 * performs, their results, the state, and how a run ends. Public through
 * `BackfillProtocol`.
 *
 * @internal
 */
import type { BackfillApp } from "../../app/BackfillApp.js"
import type { ConsentDecision } from "../../consent/ConsentRules.js"
import type { CaptureEvent, PropertyScalar } from "../../events/CaptureEvent.js"
import type { PlanSummary } from "../../events/HistoricalEvents.js"
import type { ClockFacts } from "../../rollup/ClockProbe.js"
import type { DroppedKey } from "../../rollup/RollupCompiler.js"
import type { DailyRollup } from "../../rollup/RollupMerge.js"
import type { DayWindow } from "../../time/DayWindow.js"
import type { AttemptRecord, BackoffPolicy, FailureClass } from "../Backoff.js"
import type { LeaseRecord } from "../Lease.js"
import type { BackfillMarker, MarkerState, PendingSend } from "../Marker.js"
import type { Rollout } from "../Rollout.js"

/**
 * What a run starts from: the app, the clock read once, and the host's choices.
 *
 * @since 0.1.0
 * @category models
 */
export interface Input {
  readonly app: BackfillApp
  readonly nowMs: number
  readonly hasApiKey: boolean
  /** Ignore the backoff (never the marker or the lease). */
  readonly force: boolean
  /** The rollout in force (the app's, or a host's override). */
  readonly rollout: Rollout
  readonly backoff: BackoffPolicy
  /** The app's current base properties; only `install_inferred` carries them. */
  readonly baseProperties?: Readonly<Record<string, PropertyScalar>> | undefined
}

/**
 * What the database said: the first activity, the clock probe, the window
 * computed from them and what the run pinned, and the days.
 *
 * @since 0.1.0
 * @category models
 */
export interface Collected {
  readonly firstActivityMs: number | null
  readonly clock: ClockFacts
  readonly window: DayWindow
  readonly rollups: ReadonlyArray<DailyRollup>
  readonly dropped: ReadonlyArray<DroppedKey>
}

/**
 * The failure of a delivery, as the sink classifies it.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeliveryFailure {
  readonly class: FailureClass
  /** One line. */
  readonly message: string
}

/**
 * How a run ends.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision =
  | { readonly _tag: "AlreadyDone"; readonly marker: MarkerState }
  | { readonly _tag: "NoConsent"; readonly consent: ConsentDecision }
  | { readonly _tag: "NotInRollout"; readonly fraction: number; readonly point: number }
  | {
    readonly _tag: "Scheduled"
    readonly untilMs: number
    /**
     * `Spread`: the rollout's spread put this install's send there.
     * `LiveEraEve`: live telemetry began recently; at `untilMs` the day before it is a whole day that may ship, so no day falls between the two.
     */
    readonly why: "Spread" | "LiveEraEve"
  }
  | { readonly _tag: "BackingOff"; readonly record: AttemptRecord; readonly untilMs: number }
  | { readonly _tag: "Busy"; readonly holder: LeaseRecord | undefined }
  | { readonly _tag: "ClockRefused"; readonly reason: string }
  | { readonly _tag: "DryRun"; readonly summary: PlanSummary; readonly events: ReadonlyArray<CaptureEvent> }
  | { readonly _tag: "NothingToSend"; readonly summary: PlanSummary; readonly why: "NoActivity" | "TooRecent" | "LiveEra" }
  | { readonly _tag: "NoApiKey"; readonly summary: PlanSummary }
  | {
    readonly _tag: "Sent"
    readonly summary: PlanSummary
    readonly events: ReadonlyArray<CaptureEvent>
    /** The shell's own account of the delivery, as it answered `Send`. */
    readonly receipt: unknown
  }
  | {
    readonly _tag: "DeliveryFailed"
    readonly summary: PlanSummary
    readonly failure: DeliveryFailure
    readonly record: AttemptRecord
    readonly receipt: unknown
  }
  | { readonly _tag: "Error"; readonly during: Action["_tag"]; readonly error: unknown }

/**
 * The I/O the shell performs next.
 *
 * @since 0.1.0
 * @category models
 */
export type Action =
  | { readonly _tag: "SweepTemps" }
  | { readonly _tag: "ReadMarker" }
  | { readonly _tag: "ResolveConsent" }
  | { readonly _tag: "ReadInstallId"; readonly create: boolean }
  | { readonly _tag: "ReadAttempts" }
  | { readonly _tag: "WriteSchedule"; readonly record: AttemptRecord }
  | { readonly _tag: "Wait"; readonly ms: number }
  | { readonly _tag: "AcquireLease" }
  | { readonly _tag: "ReadPending" }
  | { readonly _tag: "ReadLiveSince" }
  | { readonly _tag: "Collect"; readonly pinnedLastFullDay: string | undefined; readonly liveSince: string | undefined }
  | {
    readonly _tag: "BuildEvents"
    readonly installId: string
    readonly window: DayWindow
    readonly rollups: ReadonlyArray<DailyRollup>
    readonly baseProperties: Readonly<Record<string, PropertyScalar>> | undefined
  }
  | { readonly _tag: "PrintDryRun"; readonly summary: PlanSummary; readonly events: ReadonlyArray<CaptureEvent> }
  | { readonly _tag: "CheckSink" }
  | { readonly _tag: "WritePending"; readonly pending: PendingSend }
  | { readonly _tag: "Send"; readonly events: ReadonlyArray<CaptureEvent> }
  | { readonly _tag: "WriteMarker"; readonly marker: BackfillMarker }
  | { readonly _tag: "ClearPending" }
  | { readonly _tag: "ClearAttempts" }
  | { readonly _tag: "RecordFailure"; readonly record: AttemptRecord }
  | { readonly _tag: "ReleaseLease" }
  | { readonly _tag: "Stop"; readonly decision: Decision }

/**
 * What an action found. `Failed` answers any action that could not be
 * performed.
 *
 * @since 0.1.0
 * @category models
 */
export type Result =
  | { readonly _tag: "Swept" }
  | { readonly _tag: "MarkerRead"; readonly marker: MarkerState }
  | { readonly _tag: "ConsentResolved"; readonly consent: ConsentDecision }
  | { readonly _tag: "InstallIdRead"; readonly installId: string | undefined }
  | { readonly _tag: "AttemptsRead"; readonly record: AttemptRecord | undefined }
  | { readonly _tag: "ScheduleWritten" }
  | { readonly _tag: "Waited" }
  | { readonly _tag: "LeaseAcquired" }
  | { readonly _tag: "LeaseHeld"; readonly holder: LeaseRecord | undefined }
  | { readonly _tag: "PendingRead"; readonly pending: PendingSend | undefined }
  | { readonly _tag: "LiveSinceRead"; readonly liveSince: string | undefined }
  | { readonly _tag: "Collected"; readonly collected: Collected }
  | { readonly _tag: "EventsBuilt"; readonly events: ReadonlyArray<CaptureEvent> }
  | { readonly _tag: "DryRunPrinted" }
  | { readonly _tag: "SinkChecked" }
  | { readonly _tag: "PendingWritten" }
  | { readonly _tag: "Delivered"; readonly receipt?: unknown }
  | { readonly _tag: "NotDelivered"; readonly failure: DeliveryFailure; readonly receipt?: unknown }
  | { readonly _tag: "MarkerWritten" }
  | { readonly _tag: "PendingCleared" }
  | { readonly _tag: "AttemptsCleared" }
  | { readonly _tag: "FailureRecorded" }
  | { readonly _tag: "LeaseReleased" }
  | { readonly _tag: "Failed"; readonly error: unknown }

/** A fact read once, or not yet (`undefined`): `{ value }` keeps "read, and found nothing" apart. */
export interface Known<A> {
  readonly value: A
}

/**
 * Everything the run knows. A missing field is not known yet.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  readonly input: Input
  /** The action whose result is awaited. */
  readonly awaiting: Action
  readonly swept?: true | undefined
  readonly marker?: MarkerState | undefined
  readonly consent?: ConsentDecision | undefined
  readonly installId?: Known<string | undefined> | undefined
  readonly attempts?: Known<AttemptRecord | undefined> | undefined
  readonly scheduled?: AttemptRecord | undefined
  readonly waited?: true | undefined
  readonly lease?: "Acquired" | "Held" | "Released" | undefined
  readonly holder?: LeaseRecord | undefined
  /** The marker and the attempts read again under the lease. */
  readonly markerUnderLease?: MarkerState | undefined
  readonly attemptsUnderLease?: Known<AttemptRecord | undefined> | undefined
  readonly pending?: Known<PendingSend | undefined> | undefined
  readonly liveSince?: Known<string | undefined> | undefined
  readonly collected?: Collected | undefined
  /** The events, and the install id they were built for (the one they are sent under). */
  readonly built?: { readonly events: ReadonlyArray<CaptureEvent>; readonly installId: string } | undefined
  readonly dryRunPrinted?: true | undefined
  readonly sinkChecked?: true | undefined
  readonly pendingWritten?: PendingSend | undefined
  /** The delivery, with the shell's own account of it (`receipt`, opaque here). */
  readonly delivery?:
    | { readonly delivered: true; readonly receipt: unknown }
    | { readonly delivered: false; readonly failure: DeliveryFailure; readonly receipt: unknown }
    | undefined
  readonly markerWritten?: BackfillMarker | undefined
  readonly pendingCleared?: true | undefined
  readonly attemptsCleared?: true | undefined
  readonly failureRecorded?: AttemptRecord | undefined
  /** The run has decided how it ends; it only releases the lease first. */
  readonly ending?: Decision | undefined
}

/**
 * The install id a dry run shows when there is none yet.
 *
 * @since 0.1.0
 * @category constants
 */
export const PLACEHOLDER_INSTALL_ID = "00000000-0000-4000-8000-000000000000"
