/**
 * The facade's models, in plain TypeScript: nothing here refers to Effect,
 * so a host type-checks against this package with any Effect version
 * installed, or none.
 *
 * @since 0.1.0
 */
import type { BackfillVerification, Backoff, CaptureEvent, ConsentRules, HistoricalEvents, Lease, Marker } from "@posthog-backfill/core"

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
