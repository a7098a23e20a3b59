/**
 * Planning a backfill: the SQLite work (columns, first activity, the window,
 * the rollups, read on one snapshot with index probes and rowid chunks where
 * the source allows) and building the events from it, in slices that let the
 * host's event loop run. `Backfill.plan` and `Backfill.run` both plan through
 * here.
 *
 * @internal
 */
import * as BackfillProgress from "../BackfillProgress.js"
import {
  type BackfillApp,
  BackfillProtocol,
  type CaptureEvent,
  ClockProbe,
  DayWindow,
  FirstActivity,
  HistoricalEvents,
  IndexProbes,
  type Query,
  RollupCompiler,
  RollupMerge,
  RowidChunks
} from "@posthog-backfill/core"
import * as Effect from "effect/Effect"
import { ActivitySource, type ActivitySourceError, type Service as ActivitySourceService } from "../ActivitySource.js"

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
  /** A pending send's last day: the window a retry pins (see `DayWindow.dayWindow`). */
  readonly pinnedLastFullDay?: string | undefined
  /** The live era's first day: the window ends the day before (one before the app's floor is ignored). */
  readonly liveSince?: string | undefined
}

/**
 * A plan: what the database said (the first activity, the clock probe, the
 * window, the per-day rollups, the keys left out), the events and their
 * summary.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan extends BackfillProtocol.Collected {
  readonly events: ReadonlyArray<CaptureEvent.CaptureEvent>
  readonly summary: HistoricalEvents.PlanSummary
}

/**
 * The SQLite work of a plan (the protocol's `Collect`): columns, first
 * activity, the clock probe, the window (`DayWindow.dayWindow` from `now`,
 * the pinned day and the live-era start), the rollups.
 */
export const collect = (
  app: BackfillApp.BackfillApp,
  at: { readonly nowMs: number; readonly pinnedLastFullDay?: string | undefined; readonly liveSince?: string | undefined }
): Effect.Effect<BackfillProtocol.Collected, ActivitySourceError, ActivitySource> =>
  Effect.gen(function*() {
    const source = yield* ActivitySource
    const { liveSince, nowMs, pinnedLastFullDay } = at
    const concurrency = Math.max(1, source.concurrency ?? 1)
    // Every query of the plan reads one snapshot where the source can pin one. Only
    // then are facts read ahead of the table queries trusted (index probes) and is a
    // table split between connections (rowid chunks).
    const snapshot = source.sharedSnapshot === undefined ? false : yield* source.sharedSnapshot
    const columns = yield* source.columns
    const first = FirstActivity.compileFirstActivity({ spec: app.spec, columns, floorMs: app.floorMs })
    for (const reason of first.skipped) yield* Effect.logInfo(`first activity: ${reason}; skipped`)
    const firstActivityMs = first.query === null ? null : FirstActivity.readFirstActivity(yield* source.run(first.query))
    const probe = ClockProbe.compileClockProbe({ spec: app.spec, columns, floorMs: app.floorMs, nowMs })
    const clock = probe === null ? { futureRows: 0, recentRows: 0 } : ClockProbe.readClockProbe(yield* source.run(probe))
    if (clock.futureRows > 0) {
      // Under the clock sanity's thresholds these are corrupt rows: no window holds them.
      yield* Effect.logInfo(`${clock.futureRows} activity row(s) are dated after now; no window includes them`)
    }
    const window = DayWindow.dayWindow({ nowMs, firstActivityMs, pinnedLastFullDay, liveSince })
    if (!DayWindow.isShippable(window)) return { firstActivityMs, clock, window, rollups: [], dropped: [] }
    const plan = RollupCompiler.compileRollup({ spec: app.spec, columns, window, floorMs: app.floorMs })
    for (const { key, reason } of plan.dropped) yield* Effect.logInfo(`rollup key ${key} left out: ${reason}`)
    // Rows are merged as they arrive, a slice per event-loop turn: a large database's
    // day-level rows (tens of thousands) are not merged in one long stretch on the
    // host's loop. Queries go out in spec order (a large table cut into rowid chunks
    // that the connections share), two per connection at a time:
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
    let done = 0
    yield* BackfillProgress.report({ _tag: "Reading", done, total: queries.length })
    yield* Effect.forEach(
      queries,
      (query) =>
        Effect.gen(function*() {
          const rows = yield* source.run(query)
          yield* BackfillProgress.report({ _tag: "Reading", done: ++done, total: queries.length })
          merger.add(query.id, [])
          for (let start = 0; start < rows.length; start += MERGE_SLICE) {
            yield* yieldToEventLoop
            merger.add(query.id, rows.slice(start, start + MERGE_SLICE))
          }
        }),
      { concurrency: concurrency > 1 ? 2 * concurrency : 1, discard: true }
    )
    return { firstActivityMs, clock, window, rollups: merger.done(), dropped: plan.dropped }
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
 * Builds the events of the collected days (the protocol's `BuildEvents`), a
 * slice of days per event-loop turn (a multi-year history has a thousand
 * days, and each event is hashed and scrubbed), in the same order as one
 * `buildHistoricalEvents` call: `install_inferred` first, then the days in
 * order (each slice repeats `install_inferred` first; it is kept once).
 */
export const buildEvents = (
  app: BackfillApp.BackfillApp,
  build: {
    readonly installId: string
    readonly window: DayWindow.DayWindow
    readonly rollups: ReadonlyArray<RollupMerge.DailyRollup>
    readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>> | undefined
  }
): Effect.Effect<ReadonlyArray<CaptureEvent.CaptureEvent>> =>
  Effect.gen(function*() {
    const events: Array<CaptureEvent.CaptureEvent> = []
    const { rollups } = build
    yield* BackfillProgress.report({ _tag: "Building", days: rollups.length })
    for (let start = 0; start === 0 || start < rollups.length; start += EVENT_SLICE) {
      if (start > 0) yield* yieldToEventLoop
      const built = HistoricalEvents.buildHistoricalEvents({
        app,
        installId: build.installId,
        window: build.window,
        rollups: rollups.slice(start, start + EVENT_SLICE),
        baseProperties: build.baseProperties
      })
      for (const event of start === 0 ? built : built.slice(1)) events.push(event)
    }
    yield* yieldToEventLoop
    return events
  })

/**
 * A plan without any gate (`Backfill.plan`): collect, then build.
 */
export const plan = (options: PlanOptions & { readonly nowMs: number }): Effect.Effect<Plan, ActivitySourceError, ActivitySource> =>
  Effect.gen(function*() {
    const collected = yield* collect(options.app, {
      nowMs: options.nowMs,
      pinnedLastFullDay: options.pinnedLastFullDay,
      liveSince: BackfillProtocol.usableLiveSince(options.app.floorMs, options.nowMs, options.liveSince)
    })
    const events = yield* buildEvents(options.app, { ...collected, installId: options.installId, baseProperties: options.baseProperties })
    return { ...collected, events, summary: HistoricalEvents.summarizeEvents(collected.window, events) }
  })

/** Days turned into events per event-loop turn. */
const EVENT_SLICE = 100
