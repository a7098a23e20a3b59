/**
 * The facade's models, in plain TypeScript: nothing here refers to Effect,
 * so a host type-checks against this package with any Effect version
 * installed, or none.
 *
 * @since 0.1.0
 */
import type { BackfillApp, BackfillVerification, Backoff, CaptureEvent, ConsentRules, HistoricalEvents, Lease, Marker, Rollout } from "@posthog-backfill/core"

/**
 * @since 0.1.0
 * @category logging
 */
export type HostLogLevel = "debug" | "info" | "warn" | "error"

/**
 * Where the facade's messages go: a method per level (any may be missing),
 * or one function. One line per message.
 *
 * @since 0.1.0
 * @category logging
 */
export type HostLogger =
  | {
    readonly debug?: ((message: string) => void) | undefined
    readonly info?: ((message: string) => void) | undefined
    readonly warn?: ((message: string) => void) | undefined
    readonly error?: ((message: string) => void) | undefined
  }
  | ((level: HostLogLevel, message: string) => void)

/**
 * The least severe level handed to the logger.
 *
 * @since 0.1.0
 * @category logging
 */
export type LogLevel = "All" | "Trace" | "Debug" | "Info" | "Warning" | "Error" | "Fatal" | "None"

/**
 * What the library needs of a host's own SQLite connection (better-sqlite3,
 * `bun:sqlite` and `node:sqlite` fit). It is never closed by the library.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteDatabase {
  prepare(sql: string): { all(...params: ReadonlyArray<unknown>): ReadonlyArray<unknown> | Array<unknown> }
  close(): unknown
}

/**
 * posthog-node tuning of a send.
 *
 * @since 0.1.0
 * @category models
 */
export interface SinkOptions {
  /** Retries after a failed attempt. Default 3. */
  readonly fetchRetryCount?: number | undefined
  /** The wait between attempts, in ms. Default 3000. */
  readonly fetchRetryDelay?: number | undefined
  /** How long one attempt may take, in ms. Default 10000. */
  readonly requestTimeout?: number | undefined
  /** The shutdown budget, in ms. Default: longer than the worst-case retry time. */
  readonly shutdownTimeoutMs?: number | undefined
}

/**
 * What the server acknowledged of a send.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeliveryReport {
  readonly expected: number
  readonly acknowledged: number
  readonly unacknowledgedUuids: ReadonlyArray<string>
  readonly errors: ReadonlyArray<string>
  /** Positively confirmed delivery: all acknowledged and no error. */
  readonly delivered: boolean
  /** Every HTTP status the server answered (none: the network failed or timed out). */
  readonly statuses: ReadonlyArray<number>
}

/**
 * How a backfill ended (see the README's "How a backfill runs"). `Stopped`:
 * its deadline or the host's signal came first; `Error`: it could not be
 * carried out. Neither writes a marker.
 *
 * @since 0.1.0
 * @category models
 */
export type HistoricalBackfillResult =
  | { readonly _tag: "AlreadyDone"; readonly marker: Marker.MarkerState }
  | { readonly _tag: "NoConsent"; readonly consent: ConsentRules.ConsentDecision }
  | { readonly _tag: "NotInRollout"; readonly fraction: number; readonly point: number }
  | { readonly _tag: "Scheduled"; readonly at: string; readonly why: "Spread" | "LiveEraEve" }
  | { readonly _tag: "BackingOff"; readonly until: string; readonly attempts: Backoff.AttemptRecord }
  | { readonly _tag: "Busy"; readonly holder: Lease.LeaseRecord | undefined }
  | { readonly _tag: "ClockRefused"; readonly reason: string }
  | { readonly _tag: "DryRun"; readonly summary: HistoricalEvents.PlanSummary; readonly events: ReadonlyArray<CaptureEvent.CaptureEvent> }
  | { readonly _tag: "NothingToSend"; readonly summary: HistoricalEvents.PlanSummary; readonly why: "NoActivity" | "TooRecent" | "LiveEra" }
  | { readonly _tag: "NoApiKey"; readonly summary: HistoricalEvents.PlanSummary }
  | { readonly _tag: "Sent"; readonly summary: HistoricalEvents.PlanSummary; readonly eventCount: number; readonly report: DeliveryReport }
  | {
    readonly _tag: "Failed"
    readonly summary: HistoricalEvents.PlanSummary
    readonly reason: string
    readonly report: DeliveryReport
    readonly nextAttemptAt: string
  }
  | { readonly _tag: "Stopped"; readonly message: string }
  | { readonly _tag: "Error"; readonly message: string; readonly error: unknown }

/**
 * The day live telemetry began, recorded, or why not.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordLiveSinceResult =
  | { readonly _tag: "Recorded"; readonly liveSince: string }
  | { readonly _tag: "Error"; readonly message: string }

/**
 * What `verifyHistoricalBackfill` resolves: the report (`report.ok`: every
 * check passed), or why it could not ask PostHog.
 *
 * @since 0.1.0
 * @category models
 */
export type VerifyHistoricalBackfillResult =
  | { readonly _tag: "Verified"; readonly report: BackfillVerification.VerificationReport }
  | { readonly _tag: "Error"; readonly message: string }

/**
 * @since 0.1.0
 * @category models
 */
export interface HistoricalBackfillOptions {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir (marker, config file with consent and install id). */
  readonly dataDir: string
  /**
   * The SQLite file (opened read-only; on Node read in worker threads through
   * better-sqlite3, so the host's event loop keeps running; on Bun through
   * `bun:sqlite`) or the host's own open connection (queried on its thread).
   */
  readonly database: string | SqliteDatabase
  /** The PostHog project API key. Without one nothing is sent and no marker is written. */
  readonly apiKey?: string | undefined
  /** Default PostHog US cloud. */
  readonly host?: string | undefined
  /** The app's current base properties (version, os, ...); only `install_inferred` carries them. */
  readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>> | undefined
  /** The environment consent is read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** How long to wait for the app's own write locks, in ms. Default 5000. */
  readonly busyTimeoutMs?: number | undefined
  /** Read the file on the calling thread instead of worker threads. Default `false`. */
  readonly inline?: boolean | undefined
  /** Worker threads reading the file on Node. Default two (one on two cores outside Linux). */
  readonly workers?: number | undefined
  /** Read the file at a lower CPU priority (Linux: the host's threads get the cores first). Default `true`. */
  readonly lowPriority?: boolean | undefined
  /** posthog-node tuning. */
  readonly sink?: SinkOptions | undefined
  /** Overrides the app's rollout for this run, e.g. `{ spreadMs: 0 }` to send at once in development. */
  readonly rollout?: Partial<Rollout.Rollout> | undefined
  /**
   * Receives every message (`{ debug, info, warn, error }`, or one function).
   * Default: none; nothing is printed into the host. The debug dry run
   * (`<PREFIX>_DEBUG=1`) prints its events to stderr, as documented.
   */
  readonly logger?: HostLogger | undefined
  /** The least severe level handed to `logger`. Default `"Debug"`. */
  readonly logLevel?: LogLevel | undefined
  /**
   * Whether the run holds the host's process open until it ends.
   * `runHistoricalBackfill`: default `true`. `startHistoricalBackfill`: default
   * `false`: a short-lived host exits when its own work is done, mid-send if
   * need be, and the pending send makes its next start the same send.
   */
  readonly keepAlive?: boolean | undefined
  /** Stops the run after this long, in ms (the result is `Stopped`). */
  readonly deadlineMs?: number | undefined
  /** Stops the run when aborted (the result is `Stopped`). */
  readonly signal?: AbortSignal | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RecordLiveSinceOptions {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir (its config file holds the day). */
  readonly dataDir: string
  /** The day (`YYYY-MM-DD`, UTC). Default: today. */
  readonly day?: string | undefined
  /** Receives every message. Default: none. */
  readonly logger?: HostLogger | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface VerifyHistoricalBackfillOptions {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir: the marker to check against. */
  readonly dataDir: string
  /** PostHog's app host, e.g. `https://us.posthog.com` (not the ingestion host). */
  readonly host: string
  /** The numeric project id. */
  readonly projectId: string
  /** A personal API key (`phx_...`) with `query:read`. */
  readonly apiKey: string
  /** Receives every message. Default: none. */
  readonly logger?: HostLogger | undefined
}
