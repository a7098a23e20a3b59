/**
 * The gated backfill program: a short interpreter of the core's
 * `BackfillProtocol`. The protocol decides every step from what is known
 * (`start`, `transition`); this module performs the step it names through one
 * service and feeds the result back, and holds no state of its own. So every
 * gate is testable by swapping one layer, and every path of the protocol is
 * checked in the core:
 *
 * - the marker (`MarkerStore`), consent (`Consent`), the sink's checks
 *   (`PostHogSink`), the install id and the rollout (`InstallId`), the
 *   schedule and the backoff (`AttemptLog`), the start delay, the one-sender
 *   lease (`SendLease`), read again under the lease;
 * - the pending send (`MarkerStore`), the live-era start (`LiveSince`), the
 *   database (`ActivitySource`, `Clock`), the clock's sanity;
 * - the events, a dry run (`<PREFIX>_DEBUG=1`), the API key, the pending
 *   send recorded, the send (`PostHogSink`);
 * - the marker only after a positively confirmed delivery, else the failure
 *   recorded for the backoff; the lease released on every way out.
 *
 * @since 0.1.0
 */
import { Backoff, type BackfillApp, BackfillProtocol, CaptureEvent, type ConsentRules, type HistoricalEvents, type Lease, Marker } from "@posthog-backfill/core"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { ActivitySource, ActivitySourceError } from "./ActivitySource.js"
import { AttemptLog, type AttemptLogError } from "./AttemptLog.js"
import { Consent } from "./Consent.js"
import { DEFAULT_HOST } from "./HttpHost.js"
import { InstallId, type InstallIdError } from "./InstallId.js"
import * as planning from "./internal/planning.js"
import { LiveSince } from "./LiveSince.js"
import type { ConfigFileError } from "./ConfigFile.js"
import { MarkerStore, type MarkerReadError, type MarkerWriteError } from "./MarkerStore.js"
import { type DeliveryReport, PostHogSink, type PostHogSinkError } from "./PostHogSink.js"
import { SendLease, type SendLeaseError } from "./SendLease.js"

type Plan = planning.Plan
type PlanOptions = planning.PlanOptions

export type { Plan, PlanOptions } from "./internal/planning.js"

/**
 * Plans a backfill without any gate: reads the database, builds the events.
 * Writes nothing and sends nothing (the CLI's `plan` command).
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (options: PlanOptions): Effect.Effect<Plan, ActivitySourceError, ActivitySource> =>
  Effect.flatMap(Clock.currentTimeMillis, (nowMs) => planning.plan({ ...options, nowMs }))

/**
 * How a run ended. The outcomes after the database was read carry the plan
 * summary.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = Data.TaggedEnum<{
  /** A marker exists (readable or not): the backfill ran before. */
  AlreadyDone: { readonly marker: Marker.MarkerState }
  /** Consent is off; no marker, so a later opt-in still backfills. */
  NoConsent: { readonly consent: ConsentRules.ConsentDecision }
  /** This install is outside the app's rollout; nothing read, nothing written. */
  NotInRollout: { readonly fraction: number; readonly point: number }
  /**
   * Not yet: the first run from `at` sends. `Spread`: the rollout's spread put this install's send there.
   * `LiveEraEve`: live telemetry began recently; from `at` the day before it is whole, so no day falls between the eras.
   * Nothing read but the state files, nothing written but the schedule.
   */
  Scheduled: { readonly at: string; readonly why: "Spread" | "LiveEraEve" }
  /** An earlier delivery failed; no attempt before `until` (unless forced). Nothing read, nothing written. */
  BackingOff: { readonly until: string; readonly attempts: Backoff.AttemptRecord }
  /** Another process holds the backfill's lease (it is sending); nothing read, nothing written. */
  Busy: { readonly holder: Lease.LeaseRecord | undefined }
  /** The clock cannot be trusted (`reason` says why); nothing written, the next start looks again. */
  ClockRefused: { readonly reason: string }
  /** Debug mode: events printed to stderr; nothing sent, nothing written. */
  DryRun: { readonly summary: HistoricalEvents.PlanSummary; readonly events: ReadonlyArray<CaptureEvent.CaptureEvent> }
  /** Nothing to send (no activity, an install too recent, or a live era that covers it all); the marker was written with eventCount 0. */
  NothingToSend: { readonly summary: HistoricalEvents.PlanSummary; readonly why: "NoActivity" | "TooRecent" | "LiveEra" }
  /** No API key; nothing sent, no marker. */
  NoApiKey: { readonly summary: HistoricalEvents.PlanSummary }
  /** Delivery positively confirmed; the marker was written. */
  Sent: { readonly summary: HistoricalEvents.PlanSummary; readonly eventCount: number; readonly report: DeliveryReport }
  /** Delivery not confirmed; no marker, the failure recorded: the next attempt (the same send) waits until `nextAttemptAt`. */
  Failed: {
    readonly summary: HistoricalEvents.PlanSummary
    readonly reason: string
    readonly report: DeliveryReport
    readonly nextAttemptAt: string
  }
}>

/**
 * Constructors and matchers of {@link Outcome}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const Outcome = Data.taggedEnum<Outcome>()

/**
 * Every error `run` can fail with. Delivery problems are not errors: they end
 * in a `Failed` outcome.
 *
 * @since 0.1.0
 * @category errors
 */
export type BackfillError =
  | ActivitySourceError
  | MarkerReadError
  | MarkerWriteError
  | InstallIdError
  | PostHogSinkError
  | SendLeaseError
  | AttemptLogError
  | ConfigFileError

/**
 * What a run needs besides its services.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  readonly app: BackfillApp.BackfillApp
  /** The PostHog project API key. Without one the run stops at gate 6 (`NoApiKey`). */
  readonly apiKey?: string | undefined
  /** Default `HttpHost.DEFAULT_HOST` (PostHog US cloud). */
  readonly host?: string | undefined
  readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>> | undefined
  /** Ignore the backoff of earlier failed deliveries (never the marker or the lease). Default `false`. */
  readonly force?: boolean | undefined
  /** Override the app's rollout (e.g. no start delay where nothing waits). */
  readonly rollout?: Partial<BackfillApp.BackfillApp["rollout"]> | undefined
  /** Default `Backoff.DEFAULT_BACKOFF` (1 h doubling to 7 days). */
  readonly backoff?: Backoff.BackoffPolicy | undefined
}

/** The outcome of a decision. The receipt is the sink's report, handed to the protocol with the delivery's result. */
const toOutcome = (decision: BackfillProtocol.Decision): Effect.Effect<Outcome, BackfillError> => {
  switch (decision._tag) {
    case "AlreadyDone":
      return Effect.succeed(Outcome.AlreadyDone({ marker: decision.marker }))
    case "NoConsent":
      return Effect.succeed(Outcome.NoConsent({ consent: decision.consent }))
    case "NotInRollout":
      return Effect.succeed(Outcome.NotInRollout({ fraction: decision.fraction, point: decision.point }))
    case "Scheduled":
      return Effect.succeed(Outcome.Scheduled({ at: new Date(decision.untilMs).toISOString(), why: decision.why }))
    case "BackingOff":
      return Effect.succeed(Outcome.BackingOff({ until: new Date(decision.untilMs).toISOString(), attempts: decision.record }))
    case "Busy":
      return Effect.succeed(Outcome.Busy({ holder: decision.holder }))
    case "ClockRefused":
      return Effect.succeed(Outcome.ClockRefused({ reason: decision.reason }))
    case "DryRun":
      return Effect.succeed(Outcome.DryRun({ summary: decision.summary, events: decision.events }))
    case "NothingToSend":
      return Effect.succeed(Outcome.NothingToSend({ summary: decision.summary, why: decision.why }))
    case "NoApiKey":
      return Effect.succeed(Outcome.NoApiKey({ summary: decision.summary }))
    case "Sent":
      return Effect.succeed(
        Outcome.Sent({ summary: decision.summary, eventCount: decision.events.length, report: decision.receipt as DeliveryReport })
      )
    case "DeliveryFailed": {
      const report = decision.receipt as DeliveryReport
      return Effect.succeed(
        Outcome.Failed({ summary: decision.summary, reason: describeFailure(report), report, nextAttemptAt: decision.record.nextEligibleAt })
      )
    }
    case "Error":
      // Every action fails only with the errors of its service.
      return Effect.fail(decision.error as BackfillError)
  }
}

const formatSummaryLine = (app: BackfillApp.BackfillApp, summary: HistoricalEvents.PlanSummary): string =>
  `[${app.name}] posthog-backfill dry run: ${summary.events} events, ` +
  (summary.installDay === null
    ? `no activity; last full day ${summary.lastFullDay}`
    : `${summary.days} active days in ${summary.installDay}..${summary.lastFullDay}`) +
  "; nothing sent, nothing written"

/** Every service a run performs its actions through. */
type RunServices = ActivitySource | Consent | InstallId | MarkerStore | PostHogSink | SendLease | AttemptLog | LiveSince

/**
 * Runs the gated backfill once. Never sends twice for one install: one
 * process at a time holds the lease, the marker stops later runs, and a
 * failed delivery writes no marker so the next eligible run retries the same
 * send (byte-identical uuids and timestamps, the same window and install id).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (options: RunOptions): Effect.Effect<Outcome, BackfillError, RunServices> =>
  Effect.gen(function*() {
    const nowMs = yield* Clock.currentTimeMillis
    const perform = yield* performer(options, nowMs)
    let [state, action] = BackfillProtocol.start({
      app: options.app,
      nowMs,
      hasApiKey: options.apiKey !== undefined && options.apiKey.trim() !== "",
      force: options.force === true,
      rollout: { ...options.app.rollout, ...definedOnly(options.rollout) },
      backoff: options.backoff ?? Backoff.DEFAULT_BACKOFF,
      baseProperties: options.baseProperties
    })
    while (action._tag !== "Stop") {
      const result = yield* perform(action)
      ;[state, action] = BackfillProtocol.transition(state, result)
    }
    return yield* toOutcome(action.decision)
  }).pipe(Effect.scoped, Effect.withLogSpan("posthog-backfill.run"), Effect.annotateLogs("app", options.app.name))

const definedOnly = <A extends object>(value: A | undefined): Partial<A> =>
  Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<A>

type Action = Exclude<BackfillProtocol.Action, { readonly _tag: "Stop" }>

/** Performs one action through its service; a failure is a result too (the protocol decides what follows). */
const performer = (options: RunOptions, nowMs: number) =>
  Effect.gen(function*() {
    const markers = yield* MarkerStore
    const consent = yield* Consent
    const installIds = yield* InstallId
    const attempts = yield* AttemptLog
    const lease = yield* SendLease
    const liveSince = yield* LiveSince
    const sink = yield* PostHogSink
    const { app } = options
    const sendOptions = { apiKey: options.apiKey ?? "", host: options.host ?? DEFAULT_HOST, historicalMigration: true }

    const step = (action: Action): Effect.Effect<BackfillProtocol.Result, BackfillError, ActivitySource | Scope.Scope> => {
      switch (action._tag) {
        case "SweepTemps":
          return Effect.as(markers.sweep, { _tag: "Swept" })
        case "ReadMarker":
          // MarkerStore reports an unreadable marker itself; here it simply means done.
          return Effect.map(markers.read, (marker) => ({ _tag: "MarkerRead", marker }))
        case "ResolveConsent":
          return Effect.map(consent.resolve, (decision) => ({ _tag: "ConsentResolved", consent: decision }))
        case "ReadInstallId":
          return Effect.map(action.create ? installIds.getOrCreate : installIds.current, (installId) => ({ _tag: "InstallIdRead", installId }))
        case "ReadAttempts":
          return Effect.map(attempts.read, (record) => ({ _tag: "AttemptsRead", record }))
        case "WriteSchedule":
          return Effect.as(attempts.write(action.record), { _tag: "ScheduleWritten" })
        case "Wait":
          return Effect.as(Effect.zipRight(Effect.logInfo(`waiting ${action.ms} ms (the rollout's start delay)`), Effect.sleep(action.ms)), { _tag: "Waited" })
        case "AcquireLease":
          return Effect.map(
            Effect.tap(lease.acquire, (acquired) =>
              // A backstop for interruption and defects: the protocol releases on every other way out.
              acquired._tag === "Acquired" ? Effect.addFinalizer(() => Effect.ignore(lease.release)) : Effect.void),
            (acquired) => acquired._tag === "Acquired" ? { _tag: "LeaseAcquired" } : { _tag: "LeaseHeld", holder: acquired.holder }
          )
        case "ReadPending":
          return Effect.tap(Effect.map(markers.readPending, (pending) => ({ _tag: "PendingRead", pending })), ({ pending }) =>
            pending === undefined ? Effect.void : Effect.logInfo(`retrying the send started ${pending.startedAt} through ${pending.throughDay}`))
        case "ReadLiveSince":
          return Effect.map(liveSince.read, (day) => ({ _tag: "LiveSinceRead", liveSince: day }))
        case "Collect":
          return Effect.map(
            planning.collect(app, { nowMs, pinnedLastFullDay: action.pinnedLastFullDay, liveSince: action.liveSince }),
            (collected) => ({ _tag: "Collected", collected })
          )
        case "BuildEvents":
          return Effect.map(planning.buildEvents(app, action), (events) => ({ _tag: "EventsBuilt", events }))
        case "PrintDryRun":
          return Effect.gen(function*() {
            yield* Console.error(formatSummaryLine(app, action.summary))
            for (const event of action.events) yield* Console.error(CaptureEvent.formatEventLine(event))
            return { _tag: "DryRunPrinted" } as const
          })
        case "CheckSink":
          return Effect.as(sink.check(sendOptions), { _tag: "SinkChecked" })
        case "WritePending":
          return Effect.as(markers.writePending(action.pending), { _tag: "PendingWritten" })
        case "Send":
          return Effect.map(sink.send(action.events, sendOptions), (report): BackfillProtocol.Result =>
            report.delivered
              ? { _tag: "Delivered", receipt: report }
              : {
                _tag: "NotDelivered",
                failure: { class: Backoff.classifyFailure(report.statuses), message: failureInBrief(report) },
                receipt: report
              })
        case "WriteMarker":
          return Effect.as(markers.write(action.marker), { _tag: "MarkerWritten" })
        case "ClearPending":
          return Effect.as(markers.clearPending, { _tag: "PendingCleared" })
        case "ClearAttempts":
          return Effect.as(attempts.clear, { _tag: "AttemptsCleared" })
        case "RecordFailure":
          return Effect.as(attempts.write(action.record), { _tag: "FailureRecorded" })
        case "ReleaseLease":
          return Effect.as(lease.release, { _tag: "LeaseReleased" })
      }
    }
    return (action: Action) =>
      step(action).pipe(Effect.catchAll((error) => Effect.succeed<BackfillProtocol.Result>({ _tag: "Failed", error })))
  })

/**
 * The failure as the attempt record keeps it: the server's last refusal (or
 * the client's first error) and how much was acknowledged.
 *
 * @since 0.1.0
 * @category formatting
 */
export const failureInBrief = (report: DeliveryReport): string => {
  const refusal = [...report.statuses].reverse().find((status) => status < 200 || status >= 300)
  const cause = refusal !== undefined ? `HTTP ${refusal}` : report.errors[0] ?? "not acknowledged"
  return `${cause}; ${report.acknowledged}/${report.expected} events acknowledged`
}

/**
 * One line that says why delivery was not confirmed.
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeFailure = (report: DeliveryReport): string =>
  `delivery not confirmed: ${report.acknowledged}/${report.expected} events acknowledged` +
  (report.errors.length > 0 ? `; ${report.errors[0]}` : "") +
  "; no marker written, the next run retries with the same uuids"
