/**
 * Where a backfill run is, for a host that shows it (the CLI's progress
 * line): reading the tables (n of m queries), building the events, sending,
 * and each retry of a send with its wait. A `Context.Reference`: a run
 * without one reports to nobody.
 *
 * ```ts
 * Backfill.run(options).pipe(
 *   Effect.provideService(BackfillProgress.BackfillProgress, { report: (phase) => show(BackfillProgress.describe(phase)) })
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * @since 0.1.0
 * @category models
 */
export type Phase =
  | { readonly _tag: "Reading"; readonly done: number; readonly total: number }
  | { readonly _tag: "Building"; readonly days: number }
  | { readonly _tag: "Sending"; readonly events: number }
  /** Attempt `attempt` of `of` failed (`last` says how); the next starts after `waitMs`. */
  | { readonly _tag: "Retrying"; readonly attempt: number; readonly of: number; readonly waitMs: number; readonly last: string }

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Called on the run's fiber or from the wire; must not throw or block. */
  readonly report: (phase: Phase) => void
}

/**
 * @since 0.1.0
 * @category tags
 */
export class BackfillProgress extends Context.Reference<BackfillProgress>()("@posthog-backfill/effect/BackfillProgress", {
  defaultValue: (): Service => ({ report: () => undefined })
}) {}

/**
 * Reports a phase to the run's progress service (a throwing one is ignored).
 *
 * @since 0.1.0
 * @category reporting
 */
export const report = (phase: Phase): Effect.Effect<void> =>
  Effect.flatMap(BackfillProgress, (progress) => Effect.sync(() => safely(progress)(phase)))

/**
 * The service's `report`, guarded: a host's callback never breaks a run.
 *
 * @since 0.1.0
 * @category reporting
 */
export const safely = (progress: Service) => (phase: Phase): void => {
  try {
    progress.report(phase)
  } catch {
    // A progress display is not worth a run.
  }
}

/**
 * A phase in a few words: `reading tables 3/7`, `retry 1 of 3 in 2.0 s (HTTP 503)`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describe = (phase: Phase): string => {
  switch (phase._tag) {
    case "Reading":
      return `reading tables ${phase.done}/${phase.total}`
    case "Building":
      return `building events for ${phase.days} day(s)`
    case "Sending":
      return `sending ${phase.events} event(s)`
    case "Retrying":
      return `retry ${phase.attempt} of ${phase.of - 1} in ${(phase.waitMs / 1000).toFixed(1)} s (${phase.last})`
  }
}
