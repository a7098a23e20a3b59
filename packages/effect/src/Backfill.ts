/**
 * The gated backfill program. The gate order is the core's `nextGateStep`
 * (facts in, next step out); this module only performs each step through one
 * service per effect, so every gate is testable by swapping one layer:
 *
 * 1. marker present -> `AlreadyDone`            (MarkerStore)
 * 2. consent off -> `NoConsent`, no marker      (Consent)
 * 3. build events                               (ActivitySource, Clock)
 * 4. debug -> print to stderr, `DryRun`, send nothing, write nothing
 * 5. zero events -> write marker, `NothingToSend`
 * 6. no API key -> `NoApiKey`, no marker
 * 7-8. send through a dedicated historical-migration client (PostHogSink, InstallId)
 * 9. marker only when delivery is positively confirmed, else `Failed`
 *
 * @since 0.1.0
 */
import { type BackfillApp, BackfillGate, CaptureEvent, type ConsentRules, HistoricalEvents, Marker } from "@posthog-backfill/core"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { ActivitySource, ActivitySourceError } from "./ActivitySource.js"
import { Consent } from "./Consent.js"
import { DEFAULT_HOST } from "./HttpHost.js"
import { collect, type Plan, type PlanOptions, toPlan } from "./internal/planning.js"
import { InstallId, type InstallIdError, PLACEHOLDER_INSTALL_ID, type Service as InstallIdService } from "./InstallId.js"
import { MarkerStore, type MarkerReadError, type MarkerWriteError } from "./MarkerStore.js"
import { type DeliveryReport, PostHogSink, type PostHogSinkError } from "./PostHogSink.js"

export type { Plan, PlanOptions } from "./internal/planning.js"

/**
 * Plans a backfill without any gate: reads the database, builds the events.
 * Writes nothing and sends nothing (the CLI's `plan` command).
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (options: PlanOptions): Effect.Effect<Plan, ActivitySourceError, ActivitySource> =>
  Effect.flatMap(collect(options.app), (collected) => toPlan(collected, options))

/**
 * How a run ended. Every outcome but `AlreadyDone` and `NoConsent` carries the
 * plan summary.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = Data.TaggedEnum<{
  /** A marker exists (readable or not): the backfill ran before. */
  AlreadyDone: { readonly marker: Marker.MarkerState }
  /** Consent is off; no marker, so a later opt-in still backfills. */
  NoConsent: { readonly consent: ConsentRules.ConsentDecision }
  /** Debug mode: events printed to stderr; nothing sent, nothing written. */
  DryRun: { readonly summary: HistoricalEvents.PlanSummary; readonly events: ReadonlyArray<CaptureEvent.CaptureEvent> }
  /** Nothing to send; the marker was written with eventCount 0. */
  NothingToSend: { readonly summary: HistoricalEvents.PlanSummary }
  /** No API key; nothing sent, no marker. */
  NoApiKey: { readonly summary: HistoricalEvents.PlanSummary }
  /** Delivery positively confirmed; the marker was written. */
  Sent: { readonly summary: HistoricalEvents.PlanSummary; readonly eventCount: number; readonly report: DeliveryReport }
  /** Delivery not confirmed; no marker, the next run retries with the same uuids. */
  Failed: { readonly summary: HistoricalEvents.PlanSummary; readonly reason: string; readonly report: DeliveryReport }
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
}

const formatSummaryLine = (app: BackfillApp.BackfillApp, summary: HistoricalEvents.PlanSummary): string =>
  `[${app.name}] posthog-backfill dry run: ${summary.events} events, ` +
  (summary.installDay === null
    ? `no activity; last full day ${summary.lastFullDay}`
    : `${summary.days} active days in ${summary.installDay}..${summary.lastFullDay}`) +
  "; nothing sent, nothing written"

/**
 * Runs the gated backfill once. Never sends twice for one install: the marker
 * stops later runs, and a failed delivery writes no marker so the next run
 * retries with byte-identical uuids and timestamps.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  options: RunOptions
): Effect.Effect<Outcome, BackfillError, ActivitySource | Consent | InstallId | MarkerStore | PostHogSink> =>
  Effect.gen(function*() {
    const { app } = options
    const markers = yield* MarkerStore
    const consent = yield* Consent
    const installIds = yield* InstallId
    const sink = yield* PostHogSink

    let facts: BackfillGate.GateFacts = {}
    let marker: Marker.MarkerState | undefined
    let decision: ConsentRules.ConsentDecision | undefined
    let collected: Effect.Effect.Success<ReturnType<typeof collect>> | undefined
    let planned: Plan | undefined
    let report: DeliveryReport | undefined
    let installId: string | undefined
    let pending: Marker.PendingSend | undefined

    // A writer killed mid-write (a crash, SIGKILL) leaves a temp file: clear those first.
    yield* markers.sweep

    // The loop ends: every step adds the fact the next call to nextGateStep needs.
    while (true) {
      const step = BackfillGate.nextGateStep(facts)
      switch (step._tag) {
        case "ReadMarker": {
          // MarkerStore reports an unreadable marker itself; here it simply means done.
          marker = yield* markers.read
          facts = { ...facts, marker }
          break
        }
        case "ResolveConsent": {
          decision = yield* consent.resolve
          facts = { ...facts, consent: { enabled: decision.enabled, debug: decision.debug } }
          break
        }
        case "BuildEvents": {
          // An earlier send that was not confirmed pins the window and the install id: the
          // retry is the same send, even if the config's id changed since (restored, regenerated).
          pending = yield* markers.readPending
          if (pending !== undefined) {
            yield* Effect.logInfo(`retrying the send started ${pending.startedAt} through ${pending.throughDay}`)
          }
          collected = yield* collect(app, pending?.throughDay)
          // A dry run shows the existing id (or the placeholder) and never creates one.
          installId = pending?.installId ?? (yield* installIds.current) ?? PLACEHOLDER_INSTALL_ID
          planned = yield* toPlan(collected, { app, installId, baseProperties: options.baseProperties })
          facts = { ...facts, eventCount: planned.events.length }
          break
        }
        case "PrintDryRun": {
          yield* Console.error(formatSummaryLine(app, planned!.summary))
          for (const event of planned!.events) yield* Console.error(CaptureEvent.formatEventLine(event))
          facts = { ...facts, dryRunPrinted: true }
          break
        }
        case "ReadApiKey": {
          facts = { ...facts, hasApiKey: options.apiKey !== undefined && options.apiKey.trim() !== "" }
          break
        }
        case "Send": {
          const sendOptions = { apiKey: options.apiKey!, host: options.host ?? DEFAULT_HOST, historicalMigration: true }
          // Refuse a host or a capture mode that cannot be sent to before anything is written.
          yield* sink.check(sendOptions)
          installId = yield* sendingInstallId(installIds, pending)
          planned = yield* toPlan(collected!, { app, installId, baseProperties: options.baseProperties })
          yield* markers.writePending({
            startedAt: new Date(yield* Clock.currentTimeMillis).toISOString(),
            throughDay: planned.window.lastFullDay,
            installId,
            eventCount: planned.events.length
          })
          report = yield* sink.send(planned.events, sendOptions)
          facts = { ...facts, delivered: report.delivered }
          break
        }
        case "WriteMarker": {
          if (step.eventCount === 0) installId = yield* sendingInstallId(installIds, pending)
          const nowMs = yield* Clock.currentTimeMillis
          yield* markers.write(
            Marker.makeMarker({
              completedAtMs: nowMs,
              throughDay: planned!.window.lastFullDay,
              eventCount: step.eventCount,
              installId: installId!
            })
          )
          yield* markers.clearPending
          facts = { ...facts, markerWritten: true }
          break
        }
        case "Stop": {
          const summary = planned?.summary
          switch (step.outcome) {
            case "AlreadyDone":
              return Outcome.AlreadyDone({ marker: marker! })
            case "NoConsent":
              return Outcome.NoConsent({ consent: decision! })
            case "DryRun":
              return Outcome.DryRun({ summary: summary!, events: planned!.events })
            case "NothingToSend":
              return Outcome.NothingToSend({ summary: summary! })
            case "NoApiKey":
              return Outcome.NoApiKey({ summary: summary! })
            case "Sent":
              return Outcome.Sent({ summary: summary!, eventCount: planned!.events.length, report: report! })
            case "DeliveryFailed":
              return Outcome.Failed({ summary: summary!, reason: describeFailure(report!), report: report! })
          }
        }
      }
    }
  }).pipe(Effect.withLogSpan("posthog-backfill.run"), Effect.annotateLogs("app", options.app.name))

/**
 * The install id a send carries: a pending send's own (its retry must be the
 * same send: the same distinct id and uuids, which PostHog dedupes), else the
 * app's, created when there is none. A config whose id changed since the
 * pending send began is reported, not followed.
 */
const sendingInstallId = (installIds: InstallIdService, pending: Marker.PendingSend | undefined) =>
  Effect.gen(function*() {
    if (pending === undefined) return yield* installIds.getOrCreate
    const current = yield* Effect.orElseSucceed(installIds.current, () => undefined)
    if (current !== undefined && current !== pending.installId) {
      yield* Effect.logWarning(
        `the install id in the config (${current}) is not the one the pending send began with (${pending.installId}); ` +
          "the retry keeps the pending send's id so PostHog dedupes what already landed"
      )
    }
    return pending.installId
  })

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
