/**
 * `@posthog-backfill/core`: the pure core of posthog-backfill. Plain values in,
 * plain values out: no I/O, no clock, no environment, no randomness (time is a
 * parameter), and no runtime dependency, so any host can use it.
 *
 * One namespace per module: `import { RollupSpec, Presets } from "@posthog-backfill/core"`,
 * then `RollupSpec.count("notes_created_count")`, `Presets.claudeMem`.
 *
 * @since 0.1.0
 */

// Queries: the leaf every compiler and runner shares.
/** The compiled queries and the rows they return. */
export * as Query from "./query/Query.js"

// Time.
/** Seconds-vs-milliseconds normalization and the project floor. */
export * as Epoch from "./time/Epoch.js"
/** UTC days and the window of days that may ship. */
export * as DayWindow from "./time/DayWindow.js"

// Rollups: spec -> SQL -> one record per day.
/** The declarative rollup spec. */
export * as RollupSpec from "./rollup/RollupSpec.js"
/** Spec + columns + window -> one aggregate query per table. */
export * as RollupCompiler from "./rollup/RollupCompiler.js"
/** The first-activity query (sessions first, never a cross-table MIN). */
export * as FirstActivity from "./rollup/FirstActivity.js"
/** The clock probe: how much activity lies after now, and how much before it. */
export * as ClockProbe from "./rollup/ClockProbe.js"
/** A table query cut into rowid ranges that several connections read at once. */
export * as RowidChunks from "./rollup/RowidChunks.js"
/** What the two ends of an index tell about a column (text only?), read with one seek each. */
export * as IndexProbes from "./rollup/IndexProbes.js"
/** Query rows -> one record per day. */
export * as RollupMerge from "./rollup/RollupMerge.js"

// Events: what leaves the machine.
/** The event shape handed to a sink. */
export * as CaptureEvent from "./events/CaptureEvent.js"
/** Free text mapped to a closed enum. */
export * as ClosedEnum from "./events/ClosedEnum.js"
/** Base-2 bucketing of sizes and durations. */
export * as Base2 from "./events/Base2.js"
/** Deterministic RFC 4122 v5 event uuids. */
export * as EventId from "./events/EventId.js"
/** The whitelist scrubber and person `$set`. */
export * as Scrub from "./events/Scrub.js"
/** The backfill's events: `historical_activity` per day, one `install_inferred`. */
export * as HistoricalEvents from "./events/HistoricalEvents.js"
/** The live-event outbox file: unacknowledged events kept for the next start, bounded. */
export * as Outbox from "./events/Outbox.js"

// The app and its protocol.
/** An app's whole backfill configuration. */
export * as BackfillApp from "./app/BackfillApp.js"
/** Consent resolution from an environment and the app's config file. */
export * as ConsentRules from "./consent/ConsentRules.js"
/** The completion marker and the pending-send record. */
export * as Marker from "./protocol/Marker.js"
/** Lock and lease files: who holds one, and when a holder is gone. */
export * as Lease from "./protocol/Lease.js"
/** The backfill protocol as one pure transition: state and result in, next state and action out. */
export * as BackfillProtocol from "./protocol/BackfillProtocol.js"
/** Backoff after a failed delivery: the attempt record and the next eligible time. */
export * as Backoff from "./protocol/Backoff.js"
/** Staged rollout: which installs send, and when. */
export * as Rollout from "./protocol/Rollout.js"
/** Clock sanity: when the activity says the clock cannot be trusted. */
export * as ClockSanity from "./protocol/ClockSanity.js"

// Dashboards as code.
/** Insight and dashboard definitions. */
export * as Insight from "./dashboards/Insight.js"
/** Checking and defining a dashboard. */
export * as Dashboard from "./dashboards/Dashboard.js"
/** Safe HogQL literals and names. */
export * as HogQL from "./dashboards/HogQL.js"
/** An insight's HogQL, and a dashboard's as one text. */
export * as InsightHogQL from "./dashboards/InsightHogQL.js"
/** PostHog's `DataVisualizationNode` for an insight. */
export * as QueryNode from "./dashboards/QueryNode.js"
/** The `[posthog-backfill:<key>]` markers that key managed objects. */
export * as ManagedMarker from "./dashboards/ManagedMarker.js"
/** The pure diff of an apply. */
export * as ApplyPlan from "./dashboards/ApplyPlan.js"

// Verification.
/** Checking a backfill after the send, from what PostHog holds: the queries and the judgement of their rows. */
export * as BackfillVerification from "./verify/BackfillVerification.js"

// Presets.
/** The bundled apps by name (`claude-mem`, `job-runner`). */
export * as Presets from "./presets/Presets.js"
/** The claude-mem preset: the reference case. */
export * as ClaudeMem from "./presets/ClaudeMem.js"
/** A small unrelated example app. */
export * as JobRunner from "./presets/JobRunner.js"
/** The bundled dashboards: activity (backfill + live) and the compaction example. */
export * as BundledDashboards from "./presets/Dashboards.js"
