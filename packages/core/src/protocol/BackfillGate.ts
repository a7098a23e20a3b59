/**
 * The gate order of the backfill as a pure function: the facts learned so far
 * in, the next step out (the shape of XState's `transition`). The shell
 * performs the step, adds what it learned to the facts and asks again, so the
 * order lives here and only here:
 *
 * 1. marker present -> stop (already done)
 * 2. consent off -> stop, no marker (a later opt-in still backfills)
 * 3. build events
 * 4. debug / dry run -> print, send nothing, write no marker, even when empty
 * 5. zero events -> write the marker, stop
 * 6. no API key -> stop, no marker
 * 7-8. send through a dedicated historical-migration client
 * 9. write the marker only when delivery is positively confirmed
 *
 * @since 0.1.0
 */
import { isMarkerDone, type MarkerState } from "./Marker.js"

/**
 * What the shell has learned so far. A missing field is not known yet.
 *
 * @since 0.1.0
 * @category models
 */
export interface GateFacts {
  readonly marker?: MarkerState | undefined
  readonly consent?: { readonly enabled: boolean; readonly debug: boolean } | undefined
  readonly eventCount?: number | undefined
  readonly dryRunPrinted?: boolean | undefined
  readonly hasApiKey?: boolean | undefined
  readonly delivered?: boolean | undefined
  readonly markerWritten?: boolean | undefined
}

/**
 * How a run ends.
 *
 * @since 0.1.0
 * @category models
 */
export type GateOutcome =
  | "AlreadyDone"
  | "NoConsent"
  | "DryRun"
  | "NothingToSend"
  | "NoApiKey"
  | "Sent"
  | "DeliveryFailed"

/**
 * The next thing the shell must do.
 *
 * @since 0.1.0
 * @category models
 */
export type GateStep =
  | { readonly _tag: "ReadMarker" }
  | { readonly _tag: "ResolveConsent" }
  | { readonly _tag: "BuildEvents" }
  | { readonly _tag: "PrintDryRun" }
  | { readonly _tag: "WriteMarker"; readonly eventCount: number }
  | { readonly _tag: "ReadApiKey" }
  | { readonly _tag: "Send" }
  | { readonly _tag: "Stop"; readonly outcome: GateOutcome }

const stop = (outcome: GateOutcome): GateStep => ({ _tag: "Stop", outcome })

/**
 * The next step for the facts known so far.
 *
 * @since 0.1.0
 * @category gates
 */
export const nextGateStep = (facts: GateFacts): GateStep => {
  if (facts.marker === undefined) return { _tag: "ReadMarker" }
  if (isMarkerDone(facts.marker)) return stop("AlreadyDone")
  if (facts.consent === undefined) return { _tag: "ResolveConsent" }
  if (!facts.consent.enabled) return stop("NoConsent")
  if (facts.eventCount === undefined) return { _tag: "BuildEvents" }
  if (facts.consent.debug) return facts.dryRunPrinted === true ? stop("DryRun") : { _tag: "PrintDryRun" }
  if (facts.eventCount === 0) {
    return facts.markerWritten === true ? stop("NothingToSend") : { _tag: "WriteMarker", eventCount: 0 }
  }
  if (facts.hasApiKey === undefined) return { _tag: "ReadApiKey" }
  if (!facts.hasApiKey) return stop("NoApiKey")
  if (facts.delivered === undefined) return { _tag: "Send" }
  if (!facts.delivered) return stop("DeliveryFailed")
  return facts.markerWritten === true ? stop("Sent") : { _tag: "WriteMarker", eventCount: facts.eventCount }
}
