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
import {
  type BackfillApp,
  BackfillGate,
  CaptureEvent, type ConsentRules, DayWindow, FirstActivity, HistoricalEvents, IndexProbes, Marker, type Query, RollupCompiler, RollupMerge, RowidChunks } from "@posthog-backfill/core"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { ActivitySource, type ActivitySourceError, type Service as ActivitySourceService } from "./ActivitySource.js"
import { Consent } from "./Consent.js"
import { DEFAULT_HOST } from "./HttpHost.js"
import { InstallId, type InstallIdError, PLACEHOLDER_INSTALL_ID } from "./InstallId.js"
import { MarkerStore, type MarkerReadError, type MarkerWriteError } from "./MarkerStore.js"
import { type DeliveryReport, PostHogSink, type PostHogSinkError } from "./PostHogSink.js"

/**
 * What planning needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlanOptions {
  readonly app: BackfillApp.BackfillApp
  /** The install id the events carry. */
  readonly installId: string
  /** The app's current base properties (only `install_inferred` carries them). */
  readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>> | undefined
}

/**
 * A plan: the window, the per-day rollups, the events, the keys left out.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan {
  readonly window: DayWindow.DayWindow
  readonly rollups: ReadonlyArray<RollupMerge.DailyRollup>
  readonly events: ReadonlyArray<CaptureEvent.CaptureEvent>
  readonly dropped: ReadonlyArray<RollupCompiler.DroppedKey>
  readonly summary: HistoricalEvents.PlanSummary
}

/**
 * The SQLite work of a plan: columns, first activity, window, rollups.
 * Separate from event building so a real send can rebuild the events with the
 * final install id without reading the database again.
 */
const collect = (app: BackfillApp.BackfillApp, pinnedLastFullDay?: string | undefined) =>
  Effect.gen(function*() {
    const source = yield* ActivitySource
    const nowMs = yield* Clock.currentTimeMillis
    const concurrency = Math.max(1, source.concurrency ?? 1)
    // Every query of the plan reads one snapshot where the source can pin one. Only
    // then are facts read ahead of the table queries trusted (index probes) and is a
    // table split between connections (rowid chunks).
    const snapshot = source.sharedSnapshot === undefined ? false : yield* source.sharedSnapshot
    const columns = yield* source.columns
    const first = FirstActivity.compileFirstActivity({ spec: app.spec, columns, floorMs: app.floorMs })
    for (const reason of first.skipped) yield* Effect.logInfo(`first activity: ${reason}; skipped`)
    const firstActivityMs = first.query === null ? null : FirstActivity.readFirstActivity(yield* source.run(first.query))
    const window = DayWindow.dayWindow({ nowMs, firstActivityMs, pinnedLastFullDay })
    if (!DayWindow.isShippable(window)) return { window, rollups: [], dropped: [] }
    const plan = RollupCompiler.compileRollup({ spec: app.spec, columns, window, floorMs: app.floorMs })
    for (const { key, reason } of plan.dropped) yield* Effect.logInfo(`rollup key ${key} left out: ${reason}`)
    // Rows are merged as they arrive, a slice per event-loop turn: a large database's
    // day-level rows (tens of thousands) are not merged in one long stretch on the
    // host's loop. Queries go out in spec order (the largest table first, each large
    // table in rowid chunks that the connections share), two per connection at a time:
    // a connection starts its next query while the host merges the last one's rows.
    const [textOnly, split] = yield* Effect.all(
      [
        snapshot ? provenTextOnly(plan.queries, source, concurrency) : Effect.succeed([]),
        snapshot && concurrency > 1 ? inChunks(plan.queries, columns, source, concurrency) : Effect.succeed(plan.queries)
      ],
      { concurrency: 2 }
    )
    const queries = split.map((query) => IndexProbes.withProvenTextOnly(query, textOnly))
    const merger = RollupMerge.makeRollupMerger(plan)
    yield* Effect.forEach(
      queries,
      (query) =>
        Effect.gen(function*() {
          const rows = yield* source.run(query)
          merger.add(query.id, [])
          for (let start = 0; start < rows.length; start += MERGE_SLICE) {
            yield* yieldToEventLoop
            merger.add(query.id, rows.slice(start, start + MERGE_SLICE))
          }
        }),
      { concurrency: concurrency > 1 ? 2 * concurrency : 1, discard: true }
    )
    return { window, rollups: merger.done(), dropped: plan.dropped }
  }).pipe(Effect.scoped, Effect.withLogSpan("posthog-backfill.collect"))

/**
 * The probes that prove a distinct column of the table queries text-only from
 * the ends of its index (`IndexProbes` in the core): the queries collect such
 * a column with one `DISTINCT` aggregate instead of two filtered ones, about a
 * fifth off a large table's query. A probe SQLite refuses (an index with a
 * collation this connection lacks) proves nothing.
 */
const provenTextOnly = (
  queries: ReadonlyArray<Query.TableQuery>,
  source: ActivitySourceService,
  concurrency: number
): Effect.Effect<ReadonlyArray<Query.StorageClassesQuery>, ActivitySourceError> =>
  Effect.gen(function*() {
    const refused = (what: string) => (error: ActivitySourceError) =>
      Effect.as(Effect.logDebug(`${what}: ${error.message}`), [] as ReadonlyArray<Query.Row>)
    const onlyRefusals = (error: ActivitySourceError) => error.reason === "QueryFailed"
    const indexed = IndexProbes.readIndexedColumns(
      yield* source.run(IndexProbes.compileIndexedColumns()).pipe(Effect.catchIf(onlyRefusals, refused("indexes not listed")))
    )
    return yield* Effect.filter(
      IndexProbes.compileTextOnlyProbes(queries, indexed),
      (probe) =>
        source.run(probe).pipe(
          Effect.catchIf(onlyRefusals, refused(`${probe.table}.${probe.column} not probed`)),
          Effect.map(IndexProbes.readTextOnly)
        ),
      { concurrency }
    )
  })

/**
 * The table queries as a source with several connections on one snapshot runs
 * them: a large table cut into rowid chunks (`splitTableQuery`), so the
 * connections scan and group parts of it at once instead of one connection
 * reading it alone. A table without a rowid (a view, a `WITHOUT ROWID` table:
 * its bounds query fails) is read whole; any other failure is the source's
 * error.
 */
const inChunks = (
  queries: ReadonlyArray<Query.TableQuery>,
  columns: Query.TableColumns,
  source: ActivitySourceService,
  concurrency: number
): Effect.Effect<ReadonlyArray<Query.TableQuery>, ActivitySourceError> =>
  Effect.map(
    Effect.forEach(queries, (query) => {
      const boundsQuery = RowidChunks.compileRowidBounds(query, columns)
      if (boundsQuery === null) return Effect.succeed([query])
      return source.run(boundsQuery).pipe(
        Effect.map((rows) => RowidChunks.splitTableQuery(query, boundsQuery, RowidChunks.readRowidBounds(rows), { parts: concurrency })),
        Effect.catchIf(
          (error) => error.reason === "QueryFailed",
          (error) => Effect.as(Effect.logDebug(`${query.table} is read in one piece: ${error.message}`), [query])
        )
      )
    }, { concurrency }),
    (chunked) => chunked.flat()
  )

/** Rows merged per event-loop turn. */
const MERGE_SLICE = 500

/**
 * Lets the host's event loop run (timers, I/O) before continuing: a macrotask,
 * not a microtask, and independent of the Effect `Clock` (a `TestClock` does
 * not stop it).
 */
const yieldToEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/**
 * Builds the events of the collected days, a slice of days per event-loop
 * turn (a multi-year history has a thousand days, and each event is hashed and
 * scrubbed), in the same order as one `buildHistoricalEvents` call:
 * `install_inferred` first, then the days in order (each slice repeats
 * `install_inferred` first; it is kept once).
 */
const toPlan = (
  collected: { readonly window: DayWindow.DayWindow; readonly rollups: ReadonlyArray<RollupMerge.DailyRollup>; readonly dropped: ReadonlyArray<RollupCompiler.DroppedKey> },
  options: PlanOptions
): Effect.Effect<Plan> =>
  Effect.gen(function*() {
    const events: Array<CaptureEvent.CaptureEvent> = []
    const { rollups } = collected
    for (let start = 0; start === 0 || start < rollups.length; start += EVENT_SLICE) {
      if (start > 0) yield* yieldToEventLoop
      const built = HistoricalEvents.buildHistoricalEvents({
        app: options.app,
        installId: options.installId,
        window: collected.window,
        rollups: rollups.slice(start, start + EVENT_SLICE),
        baseProperties: options.baseProperties
      })
      for (const event of start === 0 ? built : built.slice(1)) events.push(event)
    }
    yield* yieldToEventLoop
    return { ...collected, events, summary: HistoricalEvents.summarizeEvents(collected.window, events) }
  })

/** Days turned into events per event-loop turn. */
const EVENT_SLICE = 100

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
          // An earlier send that was not confirmed pins the window: the retry is the same send.
          const pending = yield* markers.readPending
          if (pending !== undefined) {
            yield* Effect.logInfo(`retrying the send started ${pending.startedAt} through ${pending.throughDay}`)
          }
          collected = yield* collect(app, pending?.throughDay)
          // A dry run shows the existing id (or the placeholder) and never creates one.
          installId = (yield* installIds.current) ?? PLACEHOLDER_INSTALL_ID
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
          installId = yield* installIds.getOrCreate
          planned = yield* toPlan(collected!, { app, installId, baseProperties: options.baseProperties })
          yield* markers.writePending({
            startedAt: new Date(yield* Clock.currentTimeMillis).toISOString(),
            throughDay: planned.window.lastFullDay,
            installId,
            eventCount: planned.events.length
          })
          report = yield* sink.send(planned.events, {
            apiKey: options.apiKey!,
            host: options.host ?? DEFAULT_HOST,
            historicalMigration: true
          })
          facts = { ...facts, delivered: report.delivered }
          break
        }
        case "WriteMarker": {
          if (step.eventCount === 0) installId = yield* installIds.getOrCreate
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
 * One line that says why delivery was not confirmed.
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeFailure = (report: DeliveryReport): string =>
  `delivery not confirmed: ${report.acknowledged}/${report.expected} events acknowledged` +
  (report.errors.length > 0 ? `; ${report.errors[0]}` : "") +
  "; no marker written, the next run retries with the same uuids"
