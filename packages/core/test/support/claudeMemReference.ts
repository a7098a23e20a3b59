/**
 * An independent reference oracle for the claude-mem rollups (test-only).
 *
 * It computes the per-day counters of the first seed's pinned aggregation
 * table, straight from DESIGN.md, in the most obvious plain-JS way: no SQL and
 * nothing imported from `packages/core/src`, so the SQL compiler, the merge and
 * the window logic can be checked against it.
 *
 * Rules implemented here (one place each):
 * - epochs: per row, `v < 1e12 ? v * 1000 : v`; normalized values below the
 *   floor (default 2024-01-01T00:00:00Z) are ignored everywhere; NULL epochs too;
 * - `lastFullDay = utcDay(nowMs - 60h)`;
 * - first activity = MIN over sdk_sessions (normalized, >= floor), falling back
 *   to observations only when sessions yield nothing; `installDay = utcDay(it)`;
 * - only days with `installDay <= day <= lastFullDay` (string compare); nothing
 *   when there is no first activity or `installDay > lastFullDay`;
 * - key presence: a table's keys are present on a day exactly when it has an
 *   in-window row that day (zero-filled); `project_count` when observations or
 *   sdk_sessions has one; on the old schema the keys needing a missing column or
 *   table (`subagent_obs_count`, `sessions_*_count`, `discovery_tokens`,
 *   `prompt_count`) are absent everywhere.
 */

/** An observation row: only the fields the oracle reads. */
export interface ReferenceObservation {
  readonly created_at_epoch: number | null
  readonly type?: string | null | undefined
  readonly agent_type?: string | null | undefined
  readonly project?: string | null | undefined
}

/** An sdk_sessions row: only the fields the oracle reads. */
export interface ReferenceSession {
  readonly started_at_epoch: number | null
  readonly status?: string | null | undefined
  readonly platform_source?: string | null | undefined
  readonly project?: string | null | undefined
}

/** A session_summaries row: only the fields the oracle reads. */
export interface ReferenceSummary {
  readonly created_at_epoch: number | null
  readonly discovery_tokens?: number | null | undefined
}

/** A user_prompts row: only the field the oracle reads. */
export interface ReferencePrompt {
  readonly created_at_epoch: number | null
}

/** The rows of each table; an omitted table is a missing table (its keys are absent). */
export interface ReferenceTables {
  readonly observations?: Iterable<ReferenceObservation> | undefined
  readonly sdk_sessions?: Iterable<ReferenceSession> | undefined
  readonly session_summaries?: Iterable<ReferenceSummary> | undefined
  readonly user_prompts?: Iterable<ReferencePrompt> | undefined
}

export interface ReferenceOptions {
  readonly nowMs: number
  /** default `Date.UTC(2024, 0, 1)` */
  readonly floorMs?: number | undefined
  /**
   * `"old"`: no `observations.agent_type`, no `sdk_sessions.platform_source`,
   * no `session_summaries.discovery_tokens`, no `user_prompts` (ignored even if
   * given). Default `"current"`.
   */
  readonly schema?: "current" | "old" | undefined
}

export interface ReferenceDay {
  readonly day: string
  readonly counters: Record<string, number>
}

export interface ReferenceResult {
  readonly installDay: string | null
  readonly lastFullDay: string
  readonly days: ReadonlyArray<ReferenceDay>
}

/** Every key the claude-mem preset can produce, in the seed's order. */
export const CLAUDE_MEM_REFERENCE_KEYS: ReadonlyArray<string> = [
  "observation_count",
  "obs_type_bugfix",
  "obs_type_discovery",
  "obs_type_decision",
  "obs_type_refactor",
  "obs_type_other",
  "subagent_obs_count",
  "session_count",
  "session_completed_count",
  "session_failed_count",
  "sessions_claude_count",
  "sessions_codex_count",
  "sessions_gemini_count",
  "sessions_other_platform_count",
  "summary_count",
  "discovery_tokens",
  "prompt_count",
  "project_count"
]

/** The keys an old install (missing columns/table) never has. */
export const CLAUDE_MEM_OLD_SCHEMA_MISSING_KEYS: ReadonlyArray<string> = [
  "subagent_obs_count",
  "sessions_claude_count",
  "sessions_codex_count",
  "sessions_gemini_count",
  "sessions_other_platform_count",
  "discovery_tokens",
  "prompt_count"
]

const HOUR_MS = 60 * 60 * 1000

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

export const normalizeMs = (value: number): number => (value < 1e12 ? value * 1000 : value)

interface DayTotals {
  observations: {
    observation_count: number
    obs_type_bugfix: number
    obs_type_discovery: number
    obs_type_decision: number
    obs_type_refactor: number
    obs_type_other: number
    subagent_obs_count: number
  } | undefined
  sessions: {
    session_count: number
    session_completed_count: number
    session_failed_count: number
    sessions_claude_count: number
    sessions_codex_count: number
    sessions_gemini_count: number
    sessions_other_platform_count: number
  } | undefined
  summaries: { summary_count: number; discovery_tokens: number } | undefined
  prompts: { prompt_count: number } | undefined
  projects: Set<string>
}

const obsTypeKey = (type: string | null | undefined): string => {
  const t = typeof type === "string" ? type.trim().toLowerCase() : ""
  if (t === "bugfix") return "obs_type_bugfix"
  if (t === "discovery") return "obs_type_discovery"
  if (t === "decision") return "obs_type_decision"
  if (t === "refactor") return "obs_type_refactor"
  return "obs_type_other"
}

const platformKey = (platform: string | null | undefined): string => {
  const p = typeof platform === "string" ? platform.trim().toLowerCase() : ""
  if (p === "claude") return "sessions_claude_count"
  if (p === "codex") return "sessions_codex_count"
  if (p === "gemini" || p === "gemini-cli") return "sessions_gemini_count"
  return "sessions_other_platform_count"
}

/** Computes the expected per-day rollup of a claude-mem database's rows. */
export const claudeMemReference = (tables: ReferenceTables, options: ReferenceOptions): ReferenceResult => {
  const floorMs = options.floorMs ?? Date.UTC(2024, 0, 1)
  const old = options.schema === "old"
  const lastFullDay = utcDay(options.nowMs - 60 * HOUR_MS)

  /** normalized ms of a valid row, or null when the row is ignored */
  const validMs = (epoch: number | null | undefined): number | null => {
    if (typeof epoch !== "number" || !Number.isFinite(epoch)) return null
    const ms = normalizeMs(epoch)
    if (ms < floorMs || ms > 8.64e15) return null
    return ms
  }

  const byDay = new Map<string, DayTotals>()
  const dayOf = (ms: number): DayTotals => {
    const day = utcDay(ms)
    let totals = byDay.get(day)
    if (totals === undefined) {
      totals = { observations: undefined, sessions: undefined, summaries: undefined, prompts: undefined, projects: new Set() }
      byDay.set(day, totals)
    }
    return totals
  }

  let firstSessionMs = Number.POSITIVE_INFINITY
  let firstObservationMs = Number.POSITIVE_INFINITY

  for (const row of tables.observations ?? []) {
    const ms = validMs(row.created_at_epoch)
    if (ms === null) continue
    if (ms < firstObservationMs) firstObservationMs = ms
    const totals = dayOf(ms)
    totals.observations ??= {
      observation_count: 0,
      obs_type_bugfix: 0,
      obs_type_discovery: 0,
      obs_type_decision: 0,
      obs_type_refactor: 0,
      obs_type_other: 0,
      subagent_obs_count: 0
    }
    const o = totals.observations
    o.observation_count += 1
    const key = obsTypeKey(row.type)
    if (key === "obs_type_bugfix") o.obs_type_bugfix += 1
    else if (key === "obs_type_discovery") o.obs_type_discovery += 1
    else if (key === "obs_type_decision") o.obs_type_decision += 1
    else if (key === "obs_type_refactor") o.obs_type_refactor += 1
    else o.obs_type_other += 1
    if (row.agent_type !== null && row.agent_type !== undefined) o.subagent_obs_count += 1
    if (typeof row.project === "string") totals.projects.add(row.project)
  }

  for (const row of tables.sdk_sessions ?? []) {
    const ms = validMs(row.started_at_epoch)
    if (ms === null) continue
    if (ms < firstSessionMs) firstSessionMs = ms
    const totals = dayOf(ms)
    totals.sessions ??= {
      session_count: 0,
      session_completed_count: 0,
      session_failed_count: 0,
      sessions_claude_count: 0,
      sessions_codex_count: 0,
      sessions_gemini_count: 0,
      sessions_other_platform_count: 0
    }
    const s = totals.sessions
    s.session_count += 1
    if (row.status === "completed") s.session_completed_count += 1
    if (row.status === "failed") s.session_failed_count += 1
    const key = platformKey(row.platform_source)
    if (key === "sessions_claude_count") s.sessions_claude_count += 1
    else if (key === "sessions_codex_count") s.sessions_codex_count += 1
    else if (key === "sessions_gemini_count") s.sessions_gemini_count += 1
    else s.sessions_other_platform_count += 1
    if (typeof row.project === "string") totals.projects.add(row.project)
  }

  for (const row of tables.session_summaries ?? []) {
    const ms = validMs(row.created_at_epoch)
    if (ms === null) continue
    const totals = dayOf(ms)
    totals.summaries ??= { summary_count: 0, discovery_tokens: 0 }
    totals.summaries.summary_count += 1
    totals.summaries.discovery_tokens += typeof row.discovery_tokens === "number" ? row.discovery_tokens : 0
  }

  if (!old) {
    for (const row of tables.user_prompts ?? []) {
      const ms = validMs(row.created_at_epoch)
      if (ms === null) continue
      const totals = dayOf(ms)
      totals.prompts ??= { prompt_count: 0 }
      totals.prompts.prompt_count += 1
    }
  }

  // Sessions first; observations only when sessions yield nothing. Never a cross-table MIN.
  const firstActivityMs = Number.isFinite(firstSessionMs)
    ? firstSessionMs
    : Number.isFinite(firstObservationMs)
    ? firstObservationMs
    : null
  if (firstActivityMs === null) return { installDay: null, lastFullDay, days: [] }
  const installDay = utcDay(firstActivityMs)
  if (installDay > lastFullDay) return { installDay, lastFullDay, days: [] }

  const days: Array<ReferenceDay> = []
  const sortedDays = [...byDay.keys()].sort()
  for (const day of sortedDays) {
    if (day < installDay || day > lastFullDay) continue
    const totals = byDay.get(day)
    if (totals === undefined) continue
    const counters: Record<string, number> = {}
    if (totals.observations !== undefined) {
      const o = totals.observations
      counters["observation_count"] = o.observation_count
      counters["obs_type_bugfix"] = o.obs_type_bugfix
      counters["obs_type_discovery"] = o.obs_type_discovery
      counters["obs_type_decision"] = o.obs_type_decision
      counters["obs_type_refactor"] = o.obs_type_refactor
      counters["obs_type_other"] = o.obs_type_other
      if (!old) counters["subagent_obs_count"] = o.subagent_obs_count
    }
    if (totals.sessions !== undefined) {
      const s = totals.sessions
      counters["session_count"] = s.session_count
      counters["session_completed_count"] = s.session_completed_count
      counters["session_failed_count"] = s.session_failed_count
      if (!old) {
        counters["sessions_claude_count"] = s.sessions_claude_count
        counters["sessions_codex_count"] = s.sessions_codex_count
        counters["sessions_gemini_count"] = s.sessions_gemini_count
        counters["sessions_other_platform_count"] = s.sessions_other_platform_count
      }
    }
    if (totals.summaries !== undefined) {
      counters["summary_count"] = totals.summaries.summary_count
      if (!old) counters["discovery_tokens"] = totals.summaries.discovery_tokens
    }
    if (totals.prompts !== undefined) counters["prompt_count"] = totals.prompts.prompt_count
    if (totals.observations !== undefined || totals.sessions !== undefined) {
      counters["project_count"] = totals.projects.size
    }
    days.push({ day, counters })
  }
  return { installDay, lastFullDay, days }
}
