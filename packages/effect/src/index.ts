/**
 * `@posthog-backfill/effect`: Effect services and layers that perform the I/O
 * the core decides on, the gated backfill program, live capture, and the
 * Promise facades for hosts that do not use Effect.
 *
 * @since 0.1.0
 */

// The backfill.
/** The gated backfill program: `Backfill.run`, `Backfill.plan` and the outcomes. */
export * as Backfill from "./Backfill.js"
/** Where an install's backfill stands (marker, pending send, schedule or backoff, lease, live era), read without writing. */
export * as BackfillStatus from "./BackfillStatus.js"
/** After a send: what PostHog holds for this install, checked against its marker. */
export * as BackfillVerify from "./BackfillVerify.js"
/** Where a run is (reading, building, sending, retrying), for a host that shows it. */
export * as BackfillProgress from "./BackfillProgress.js"
/** Runs the core's compiled queries: over a host connection or an `@effect/sql` client. */
export * as ActivitySource from "./ActivitySource.js"
/** The activity source over a SQLite file on Node (better-sqlite3, read-only, worker threads). */
export * as NodeActivitySource from "./NodeActivitySource.js"
/** The activity source over a SQLite file on Bun (`bun:sqlite`, read-only). */
export * as BunActivitySource from "./BunActivitySource.js"
/** The activity source for a path or a host connection, on whichever runtime runs. */
export * as RuntimeActivitySource from "./RuntimeActivitySource.js"
/** The minimal structural SQLite interface (better-sqlite3, bun:sqlite, node:sqlite fit). */
export type { SqliteDatabase, SqliteStatement } from "./SqliteDatabase.js"
/** The backfill's completion marker and pending-send record, read and written atomically. */
export * as MarkerStore from "./MarkerStore.js"
/** The one-sender lease: one process at a time sends an install's backfill. */
export * as SendLease from "./SendLease.js"
/** The record of failed deliveries, and the backoff before the next attempt. */
export * as AttemptLog from "./AttemptLog.js"
/** The PostHog sink: a dedicated posthog-node client per send, delivery positively confirmed. */
export * as PostHogSink from "./PostHogSink.js"
/** Every live service of the backfill for an app's data dir and database. */
export * as NodeBackfill from "./NodeBackfill.js"

// The app's files.
/** An app's data dir: the services over its config file and marker, built once and shared. */
export * as AppDataDir from "./AppDataDir.js"
/** The one owner of the app's telemetry config file: read, and update under one lock across processes. */
export * as ConfigFile from "./ConfigFile.js"
/** Telemetry consent: environment + config file -> a decision and the rule that made it. */
export * as Consent from "./Consent.js"
/** The install id, stored in the app's config file and created only when missing. */
export * as InstallId from "./InstallId.js"
/** The one-time, versioned first-run telemetry notice, stored in the app's config file. */
export * as FirstRunNotice from "./FirstRunNotice.js"
/** When live telemetry began: the backfill ends the day before. */
export * as LiveSince from "./LiveSince.js"

// Live events.
/** The catalog of an app's live events, declared with Effect Schema (the schema is the whitelist). */
export * as EventCatalog from "./EventCatalog.js"
/** Typed live events over a long-lived posthog-node client: validated, consent-gated, deduped, positively confirmed. */
export * as Telemetry from "./Telemetry.js"
/** Live events not acknowledged by a shutdown, kept in the data dir for the next start (on by default over a data dir). */
export * as LiveOutbox from "./LiveOutbox.js"
/** Live telemetry for an app's data dir, and the base properties of the running process. */
export * as NodeTelemetry from "./NodeTelemetry.js"

// Dashboards and hosts.
/** Dashboards as code, applied idempotently through PostHog's REST API. */
export * as PostHogDashboards from "./PostHogDashboards.js"
/** The PostHog host check and default shared by the sinks, the dashboards client and the CLI. */
export * as HttpHost from "./HttpHost.js"

// The Promise facades.
/** `runHistoricalBackfill` / `startHistoricalBackfill`: the backfill for hosts that do not use Effect. */
export * from "./promise/runHistoricalBackfill.js"
/** `createLiveTelemetry`: live events for hosts that do not use Effect. */
export * from "./promise/createLiveTelemetry.js"
/** `recordLiveSince`: for hosts with a live pipeline of their own. */
export * from "./promise/recordLiveSince.js"
export * from "./promise/verifyHistoricalBackfill.js"
