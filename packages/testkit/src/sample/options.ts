/**
 * Part of the claude-mem sample generator (see `index.ts`).
 *
 * @since 0.1.0
 */
import { type ClaudeMemSchemaVersion } from "./schema.js"

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/**
 * Options of {@link generateClaudeMemRows}. Every field is optional; the
 * defaults make a 90-day demo database of a few thousand observations.
 *
 * @since 0.1.0
 * @category options
 */
export interface ClaudeMemSampleOptions {
  /** PRNG seed (an unsigned 32-bit integer is used). Default `1`. */
  readonly seed?: number | undefined
  /**
   * The "now" the data ends near, in ms. Activity ends on the UTC day before
   * `endMs`'s day (no row is later than `endMs`), so the last ~1.5 days of
   * rows fall inside the excluded last 60h. Default `2026-06-12T09:30:00Z`
   * (a fixed instant: the generator reads no clock).
   */
  readonly endMs?: number | undefined
  /**
   * Number of UTC days sessions are spread over (some of them idle: weekends
   * are lighter, ~10% of days are off, and spans of 60+ days get a vacation).
   * Days before the floor produce rows the rollups ignore. Default `90`.
   */
  readonly days?: number | undefined
  /** Number of `sdk_sessions` rows. Default `450`. */
  readonly sessions?: number | undefined
  /** Mean observations per session, used when `observations` is not given. Default `14`. */
  readonly observationsPerSession?: number | undefined
  /** Exact total number of `observations` rows (wins over `observationsPerSession`). */
  readonly observations?: number | undefined
  /** Exact number of `session_summaries` rows. Default `round(sessions * 1.6)`. */
  readonly summaries?: number | undefined
  /**
   * Exact number of `user_prompts` rows on the current schema (the old schema
   * has no such table; the prompts still shape the sessions' turns). Default
   * `round(sessions * 2.4)`.
   */
  readonly prompts?: number | undefined
  /** Default `"current"`. */
  readonly schema?: ClaudeMemSchemaVersion | undefined
  /** The project floor the corrupt epochs are placed below. Default `2024-01-01T00:00:00Z`. */
  readonly floorMs?: number | undefined
  /**
   * `false` turns every edge case below off (clean data) unless that toggle is
   * given explicitly. Default `true`.
   */
  readonly edgeCases?: boolean | undefined
  /** Fraction of rows (every table) storing seconds instead of milliseconds. Default `0.02`. */
  readonly legacySecondsFraction?: number | undefined
  /**
   * Number of backdated artifact observations: dated ~8 months before the
   * first session at or above the floor (or halfway between the floor and it,
   * when that is closer), belonging to a session ~85% through the history.
   * None are planted when there is no room for a whole day between the floor
   * and the first session. Default `2`.
   */
  readonly backdatedArtifacts?: number | undefined
  /**
   * Number of rows (round-robin over observations, sdk_sessions,
   * session_summaries, user_prompts) whose epoch is corrupt: below the floor.
   * Default `5`.
   */
  readonly corruptEpochs?: number | undefined
  /** Fraction of observations with a NULL `type`. Default `0.02`. */
  readonly nullTypeFraction?: number | undefined
  /** Fraction of sessions (and their observations and summaries) with a NULL `project`. Default `0.01`. */
  readonly nullProjectFraction?: number | undefined
  /** Fraction of observations written by a subagent (`agent_type` set, else NULL). Default `0.12`. */
  readonly subagentFraction?: number | undefined
  /**
   * `"realistic"` (default): titles, narratives of a few hundred characters,
   * JSON facts and file lists. `"compact"`: one short sentinel-bearing line per
   * row and NULL elsewhere, for fast benchmarks.
   */
  readonly freeText?: "realistic" | "compact" | undefined
}

/**
 * The options after defaults and validation.
 *
 * @since 0.1.0
 * @category options
 */
export interface ClaudeMemResolvedOptions {
  readonly seed: number
  readonly endMs: number
  readonly days: number
  readonly sessions: number
  readonly observations: number
  readonly summaries: number
  readonly prompts: number
  readonly schema: ClaudeMemSchemaVersion
  readonly floorMs: number
  readonly legacySecondsFraction: number
  readonly backdatedArtifacts: number
  readonly corruptEpochs: number
  readonly nullTypeFraction: number
  readonly nullProjectFraction: number
  readonly subagentFraction: number
  readonly freeText: "realistic" | "compact"
}

/**
 * The default `endMs`: 2026-06-12T09:30:00Z.
 *
 * @since 0.1.0
 * @category constants
 */
export const CLAUDE_MEM_SAMPLE_DEFAULT_END_MS: number = Date.UTC(2026, 5, 12, 9, 30)

/**
 * The default project floor: 2024-01-01T00:00:00Z.
 *
 * @since 0.1.0
 * @category constants
 */
export const CLAUDE_MEM_SAMPLE_DEFAULT_FLOOR_MS: number = Date.UTC(2024, 0, 1)

/**
 * The corrupt epoch values planted by `corruptEpochs` (those whose normalized
 * value is below the floor): 0, 1970-01-02 (seconds), 2001-09-09 (seconds),
 * 2020-09-13 (ms) and 2023-11-14 (seconds; a plausible-looking wrong day).
 *
 * @since 0.1.0
 * @category constants
 */
export const CLAUDE_MEM_CORRUPT_EPOCHS: ReadonlyArray<number> = [
  0,
  86_400,
  1_000_000_000,
  1_600_000_000_000,
  1_700_000_000
]

export const nonNegativeInt = (name: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`ClaudeMemSample: option ${name} must be a non-negative integer, got ${String(value)}`)
  }
  return value
}

export const fraction = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`ClaudeMemSample: option ${name} must be a number in [0, 1], got ${String(value)}`)
  }
  return value
}

export const finiteMs = (name: string, value: number): number => {
  if (!Number.isFinite(value) || Math.abs(value) > 8.64e15) {
    throw new RangeError(`ClaudeMemSample: option ${name} must be a finite epoch in milliseconds, got ${String(value)}`)
  }
  return Math.floor(value)
}

/**
 * Applies the defaults and validates the options (a `RangeError` says which
 * option is wrong).
 *
 * @since 0.1.0
 * @category options
 */
export const resolveClaudeMemSampleOptions = (options: ClaudeMemSampleOptions = {}): ClaudeMemResolvedOptions => {
  const edge = options.edgeCases ?? true
  const seed = options.seed ?? 1
  if (!Number.isFinite(seed)) throw new RangeError(`ClaudeMemSample: option seed must be a finite number, got ${String(seed)}`)
  const sessions = nonNegativeInt("sessions", options.sessions ?? 450)
  const perSession = options.observationsPerSession ?? 14
  if (!Number.isFinite(perSession) || perSession < 0) {
    throw new RangeError(`ClaudeMemSample: option observationsPerSession must be a non-negative number, got ${String(perSession)}`)
  }
  const observations = nonNegativeInt("observations", options.observations ?? Math.round(sessions * perSession))
  const summaries = nonNegativeInt("summaries", options.summaries ?? Math.round(sessions * 1.6))
  const prompts = nonNegativeInt("prompts", options.prompts ?? Math.round(sessions * 2.4))
  if (sessions === 0 && observations + summaries + prompts > 0) {
    throw new RangeError(
      "ClaudeMemSample: observations, summaries and prompts belong to sessions; with sessions: 0 they must be 0 too"
    )
  }
  const days = nonNegativeInt("days", options.days ?? 90)
  if (days < 1) throw new RangeError("ClaudeMemSample: option days must be at least 1")
  const schema = options.schema ?? "current"
  if (schema !== "current" && schema !== "old") {
    throw new RangeError(`ClaudeMemSample: option schema must be "current" or "old", got ${String(schema)}`)
  }
  const freeText = options.freeText ?? "realistic"
  if (freeText !== "realistic" && freeText !== "compact") {
    throw new RangeError(`ClaudeMemSample: option freeText must be "realistic" or "compact", got ${String(freeText)}`)
  }
  return {
    seed: Math.floor(Math.abs(seed)) >>> 0,
    endMs: finiteMs("endMs", options.endMs ?? CLAUDE_MEM_SAMPLE_DEFAULT_END_MS),
    days,
    sessions,
    observations,
    summaries,
    prompts,
    schema,
    floorMs: finiteMs("floorMs", options.floorMs ?? CLAUDE_MEM_SAMPLE_DEFAULT_FLOOR_MS),
    legacySecondsFraction: fraction("legacySecondsFraction", options.legacySecondsFraction ?? (edge ? 0.02 : 0)),
    backdatedArtifacts: nonNegativeInt("backdatedArtifacts", options.backdatedArtifacts ?? (edge ? 2 : 0)),
    corruptEpochs: nonNegativeInt("corruptEpochs", options.corruptEpochs ?? (edge ? 5 : 0)),
    nullTypeFraction: fraction("nullTypeFraction", options.nullTypeFraction ?? (edge ? 0.02 : 0)),
    nullProjectFraction: fraction("nullProjectFraction", options.nullProjectFraction ?? (edge ? 0.01 : 0)),
    subagentFraction: fraction("subagentFraction", options.subagentFraction ?? (edge ? 0.12 : 0)),
    freeText
  }
}
