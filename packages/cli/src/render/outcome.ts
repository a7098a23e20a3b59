/**
 * A run's outcome in one line: what happened, and for the gates that stopped
 * it by design, why (for no consent, the rule that decided). A failed
 * delivery becomes a {@link CliError} (exit 1).
 *
 * @since 0.1.0
 */
import { type BackfillApp, type HistoricalEvents } from "@posthog-backfill/core"
import { AppDataDir, type Backfill, Consent } from "@posthog-backfill/effect"
import { type CliError, failure } from "../errors.js"
import { formatCount } from "./summary.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface OutcomeContext {
  readonly app: BackfillApp.BackfillApp
  readonly dataDir: string
  readonly host: string
}

const span = (summary: HistoricalEvents.PlanSummary): string =>
  summary.installDay === null ? `no activity; last full day ${summary.lastFullDay}` : `${summary.installDay} .. ${summary.lastFullDay}`

const events = (count: number) => `${formatCount(count)} event${count === 1 ? "" : "s"}`

const percent = (fraction: number) => `${Math.round(fraction * 10_000) / 100}%`

const nothingWhy = (why: "NoActivity" | "TooRecent" | "LiveEra"): string => {
  switch (why) {
    case "NoActivity":
      return "no activity"
    case "TooRecent":
      return "the install is younger than the 60 h window"
    case "LiveEra":
      return "live telemetry covers every day since the install"
  }
}

/**
 * The line for a stop by design or a delivery, or the error for a failed
 * delivery.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describeOutcome = (
  outcome: Backfill.Outcome,
  context: OutcomeContext
): { readonly _tag: "Line"; readonly line: string } | { readonly _tag: "Failure"; readonly error: CliError } => {
  const { markerPath } = AppDataDir.files(context.app, context.dataDir)
  const line = (text: string) => ({ _tag: "Line" as const, line: text })
  switch (outcome._tag) {
    case "Sent":
      return line(
        `sent: ${events(outcome.eventCount)} (${span(outcome.summary)}) delivered to ${context.host} and acknowledged; ` +
          `marker written to ${markerPath}`
      )
    case "AlreadyDone": {
      const marker = outcome.marker
      switch (marker._tag) {
        case "Present":
          return line(
            `already done: the backfill ran at ${marker.marker.completedAt} through ${marker.marker.throughDay} ` +
              `(${events(marker.marker.eventCount)}); marker ${markerPath}; nothing sent`
          )
        case "Unreadable":
          return line(
            `already done: the marker ${markerPath} exists but cannot be read (${marker.reason}), which counts as ` +
              "done (a duplicate is worse than a gap); nothing sent. If no backfill ever ran on this machine, remove " +
              "it (or replace it with a valid marker) to allow one"
          )
        case "Absent":
          return line(`already done; nothing sent`)
      }
    }
    case "NoConsent":
      return line(
        `nothing sent: ${Consent.describe(outcome.consent)}; no marker written, so the backfill runs once consent allows it`
      )
    case "DryRun":
      return line(
        `dry run (${context.app.consentEnvPrefix}_DEBUG=1): the ${events(outcome.events.length)} above were printed ` +
          "to stderr; nothing sent, nothing written"
      )
    case "NotInRollout":
      return line(
        `nothing sent: this install is outside the rollout (${context.app.name} sends from ${percent(outcome.fraction)} of ` +
          "installs for now); nothing written"
      )
    case "Scheduled":
      return line(
        outcome.why === "LiveEraEve"
          ? `nothing sent yet: live telemetry began recently, and the day before it is a whole day from ${outcome.at}; ` +
            "a send from then covers every day up to the live era (sent now, the last days would be in neither)"
          : `nothing sent yet: the rollout spreads the fleet's sends, and this install's is scheduled for ${outcome.at}; ` +
            "the first run from then sends"
      )
    case "BackingOff":
      return line(
        `nothing sent: ${outcome.attempts.attempts} earlier delivery attempt(s) failed` +
          (outcome.attempts.lastFailure === undefined ? "" : ` (last: ${outcome.attempts.lastFailure.error})`) + "; " +
          `the next attempt waits until ${outcome.until}. \`send --force\` tries now (the same send)`
      )
    case "Busy":
      return line(
        "nothing sent: another process " +
          (outcome.holder === undefined ? "" : `(pid ${outcome.holder.pid} on ${outcome.holder.host}, since ${outcome.holder.startedAt}) `) +
          "is sending this backfill; nothing written"
      )
    case "ClockRefused":
      return {
        _tag: "Failure",
        error: failure(`refused: ${outcome.reason}. Nothing was written; fix the system clock (or --now) and run again.`)
      }
    case "NothingToSend":
      return line(`nothing to send (${nothingWhy(outcome.why)}; ${span(outcome.summary)}); marker written to ${markerPath}`)
    case "NoApiKey":
      return line(
        `nothing sent: no PostHog API key. ${events(outcome.summary.events)} are ready (${span(outcome.summary)}); ` +
          "pass --api-key phc_... or set POSTHOG_API_KEY, then run again. No marker written."
      )
    case "Failed":
      return {
        _tag: "Failure",
        error: failure(
          `sending to ${context.host} failed: ${outcome.reason}. The next attempt waits until ${outcome.nextAttemptAt} ` +
            "(`send --force` tries sooner); check the host (--host or POSTHOG_HOST), the API key and the network."
        )
      }
  }
}


/**
 * A run's outcome for `send --json`: its tag, the line, and its own fields
 * (the events and the per-request delivery detail left out: `plan --json`
 * shows the events).
 *
 * @since 0.1.0
 * @category rendering
 */
export const outcomeJson = (outcome: Backfill.Outcome, line: string): Readonly<Record<string, unknown>> => {
  const { _tag, ...fields } = outcome as Backfill.Outcome & { readonly events?: unknown; readonly report?: unknown }
  const { events, report: _report, ...rest } = fields as Record<string, unknown>
  return {
    outcome: _tag,
    message: line,
    ...(Array.isArray(events) ? { eventCount: events.length } : {}),
    ...rest
  }
}
