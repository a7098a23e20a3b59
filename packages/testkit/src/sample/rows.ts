/**
 * Part of the claude-mem sample generator (see `index.ts`).
 *
 * @since 0.1.0
 */

// ---------------------------------------------------------------------------
// Row types
// ---------------------------------------------------------------------------

/**
 * A session status, as constrained by the `CHECK` on `sdk_sessions.status`.
 *
 * @since 0.1.0
 * @category models
 */
export type ClaudeMemSessionStatus = "active" | "completed" | "failed"

/**
 * One `sdk_sessions` row. `platform_source` is absent (not `undefined`, the
 * key is missing) on the old schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClaudeMemSessionRow {
  readonly id: number
  readonly content_session_id: string
  readonly memory_session_id: string
  readonly project: string | null
  readonly user_prompt: string | null
  readonly started_at: string
  /** milliseconds, or seconds on legacy rows, or a corrupt sub-floor value */
  readonly started_at_epoch: number
  readonly completed_at: string | null
  readonly completed_at_epoch: number | null
  readonly status: ClaudeMemSessionStatus
  readonly platform_source?: string | null | undefined
}

/**
 * One `observations` row. `discovery_tokens` and `agent_type` are absent on
 * the old schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClaudeMemObservationRow {
  readonly id: number
  readonly memory_session_id: string
  readonly project: string | null
  readonly text: string | null
  readonly type: string | null
  readonly title: string | null
  readonly subtitle: string | null
  readonly facts: string | null
  readonly narrative: string | null
  readonly concepts: string | null
  readonly files_read: string | null
  readonly files_modified: string | null
  readonly prompt_number: number | null
  /** the compression turn's value, identical on every observation of the turn and on its summary */
  readonly discovery_tokens?: number | null | undefined
  readonly agent_type?: string | null | undefined
  readonly created_at: string
  /** milliseconds, or seconds on legacy rows, or a corrupt sub-floor value */
  readonly created_at_epoch: number
}

/**
 * One `session_summaries` row (one per compression turn that produced a
 * summary). `discovery_tokens` is absent on the old schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClaudeMemSummaryRow {
  readonly id: number
  readonly memory_session_id: string
  readonly project: string | null
  readonly request: string | null
  readonly investigated: string | null
  readonly learned: string | null
  readonly completed: string | null
  readonly next_steps: string | null
  readonly notes: string | null
  readonly prompt_number: number | null
  readonly discovery_tokens?: number | null | undefined
  readonly created_at: string
  readonly created_at_epoch: number
}

/**
 * One `user_prompts` row (current schema only).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClaudeMemPromptRow {
  readonly id: number
  readonly content_session_id: string
  readonly prompt_number: number
  readonly prompt_text: string
  readonly created_at: string
  readonly created_at_epoch: number
}

/**
 * Rows per table.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClaudeMemRowCounts {
  readonly sdk_sessions: number
  readonly observations: number
  readonly session_summaries: number
  readonly user_prompts: number
}
