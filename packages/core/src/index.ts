/**
 * `@posthog-backfill/core`: the pure core of posthog-backfill. Plain values in,
 * plain values out: no I/O, no clock, no environment, no randomness (time is a
 * parameter), and no runtime dependency, so any host can use it.
 *
 * @since 0.1.0
 */

/** The event shape handed to a sink. */
export * from "./CaptureEvent.js"
/** Seconds-vs-milliseconds normalization and the project floor. */
export * from "./Epoch.js"
/** UTC days and the window of days that may ship. */
export * from "./DayWindow.js"
/** Free text mapped to a closed enum. */
export * from "./ClosedEnum.js"
/** Base-2 bucketing of sizes and durations. */
export * from "./Base2.js"
/** Deterministic RFC 4122 v5 event uuids. */
export * from "./EventId.js"
/** The declarative rollup spec. */
export * from "./RollupSpec.js"
/** Spec + columns + window -> SQLite SQL. */
export * from "./RollupCompiler.js"
/** A table query cut into rowid ranges that several connections read at once. */
export * from "./RowidChunks.js"
/** What the two ends of an index tell about a column (text only?), read with one seek each. */
export * from "./IndexProbes.js"
/** Query rows -> one record per day. */
export * from "./RollupMerge.js"
/** Compiled queries run over plain row arrays (the in-memory source). */
export * from "./InMemoryQuery.js"
/** The whitelist scrubber and person `$set`. */
export * from "./Scrub.js"
/** An app's whole backfill configuration. */
export * from "./BackfillApp.js"
/** The backfill's event builder. */
export * from "./HistoricalEvents.js"
/** The completion marker. */
export * from "./Marker.js"
/** Consent resolution. */
export * from "./Consent.js"
/** The gate order as a pure function. */
export * from "./BackfillGate.js"
/** The claude-mem preset (the reference case). */
export * from "./presets/claudeMem.js"
/** A small unrelated example app. */
export * from "./presets/jobRunner.js"
/** The bundled presets by name. */
export * from "./presets/index.js"
/** Safe HogQL literals and names for generated queries. */
export * from "./HogQL.js"
/** Dashboards as code: typed insight definitions, their HogQL, and the pure apply plan. */
export * from "./Dashboards.js"
/** The bundled dashboards: activity (backfill + live) and the compaction example. */
export * from "./presets/dashboards.js"
