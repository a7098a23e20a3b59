/**
 * Part of the claude-mem sample generator (see `index.ts`).
 *
 * @since 0.1.0
 */
import { buildPlan, clamp, get, type Plan, stored } from "./internal/plan.js"
import { TAG_UNIT_SESSION } from "./internal/random.js"
import { observationRows, promptRows, reiterable, sessionRows, summaryRows } from "./internal/rowStreams.js"
import { DAY_MS } from "./internal/units.js"
import { dayString, normalizeMs } from "./internal/vocabulary.js"
import { type ClaudeMemResolvedOptions, type ClaudeMemSampleOptions, resolveClaudeMemSampleOptions } from "./options.js"
import { type ClaudeMemObservationRow, type ClaudeMemPromptRow, type ClaudeMemRowCounts, type ClaudeMemSessionRow, type ClaudeMemSummaryRow } from "./rows.js"
import { type ClaudeMemSchemaVersion } from "./schema.js"

// ---------------------------------------------------------------------------
// Public generator
// ---------------------------------------------------------------------------

/**
 * A generated sample: facts known up front plus one lazy, re-iterable row
 * source per table (each walk regenerates the same rows; nothing is cached).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClaudeMemRows {
  readonly options: ClaudeMemResolvedOptions
  readonly schema: ClaudeMemSchemaVersion
  /** exact row counts (`user_prompts` is 0 on the old schema) */
  readonly counts: ClaudeMemRowCounts
  /** the UTC days sessions were spread over: `firstDay` .. `lastDay` (the day before `endMs`'s day) */
  readonly span: { readonly firstDay: string; readonly lastDay: string }
  /**
   * First activity by the DESIGN rule, computed from the stored epochs:
   * MIN over sdk_sessions of the normalized `started_at_epoch` at or above the
   * floor, else the same over observations, else `null`.
   */
  readonly firstActivityMs: number | null
  /** `utcDay(firstActivityMs)` */
  readonly firstActivityDay: string | null
  /** the stored (ms) epochs of the backdated artifact observations, ascending */
  readonly backdatedArtifactEpochsMs: ReadonlyArray<number>
  /** the ids of the backdated artifact observations */
  readonly backdatedArtifactIds: ReadonlyArray<number>
  /** how many rows per table carry a corrupt (sub-floor) epoch */
  readonly corruptCounts: ClaudeMemRowCounts
  readonly sdk_sessions: Iterable<ClaudeMemSessionRow>
  readonly observations: Iterable<ClaudeMemObservationRow>
  readonly session_summaries: Iterable<ClaudeMemSummaryRow>
  /** empty on the old schema */
  readonly user_prompts: Iterable<ClaudeMemPromptRow>
}

export const firstActivity = (plan: Plan, observations: Iterable<ClaudeMemObservationRow>): number | null => {
  let min = Number.POSITIVE_INFINITY
  for (let i = 0; i < plan.o.sessions; i++) {
    const ms = normalizeMs(stored(plan, TAG_UNIT_SESSION, i, clamp(plan, get(plan.starts, i)), plan.corruptSessions.get(i)))
    if (ms >= plan.o.floorMs && ms < min) min = ms
  }
  if (Number.isFinite(min)) return min
  for (const row of observations) {
    const ms = normalizeMs(row.created_at_epoch)
    if (ms >= plan.o.floorMs && ms < min) min = ms
  }
  return Number.isFinite(min) ? min : null
}

/**
 * Generates a claude-mem sample, purely and deterministically from `options`
 * (see {@link ClaudeMemSampleOptions}). Only O(sessions) bookkeeping is
 * computed here; rows are produced lazily by the returned iterables, in id
 * order, sessions before their observations, summaries and prompts.
 *
 * @since 0.1.0
 * @category generators
 */
export const generateClaudeMemRows = (options: ClaudeMemSampleOptions = {}): ClaudeMemRows => {
  const o = resolveClaudeMemSampleOptions(options)
  const plan = buildPlan(o)
  const observations = reiterable(() => observationRows(plan))
  const first = firstActivity(plan, observations)
  const artifacts = [...plan.artifactObs.entries()].sort((a, b) => a[0] - b[0])
  const lastDayStart = plan.firstDayStart + (o.days - 1) * DAY_MS
  return {
    options: o,
    schema: o.schema,
    counts: {
      sdk_sessions: o.sessions,
      observations: o.observations,
      session_summaries: o.summaries,
      user_prompts: plan.current ? o.prompts : 0
    },
    span: { firstDay: dayString(plan.firstDayStart), lastDay: dayString(lastDayStart) },
    firstActivityMs: first,
    firstActivityDay: first === null ? null : dayString(first),
    backdatedArtifactEpochsMs: artifacts.map(([, ms]) => ms),
    backdatedArtifactIds: artifacts.map(([g]) => g + 1),
    corruptCounts: {
      sdk_sessions: plan.corruptSessions.size,
      observations: plan.corruptObs.size,
      session_summaries: plan.corruptSummaries.size,
      user_prompts: plan.current ? plan.corruptPrompts.size : 0
    },
    sdk_sessions: reiterable(() => sessionRows(plan)),
    observations,
    session_summaries: reiterable(() => summaryRows(plan)),
    user_prompts: reiterable(() => promptRows(plan))
  }
}
