/**
 * A production-like claude-mem sample database: the schema (the current one and
 * an older install's), a pure, seeded, lazy row generator that plants the edge
 * cases the rollups must survive, and a writer over a minimal structural SQLite
 * interface (better-sqlite3's `Database` satisfies it; `bun:sqlite`'s has the
 * same three methods).
 *
 * The CLI demo, the tests and the benchmarks use it. Nothing here reads a
 * clock or `Math.random`: the same options always yield the same rows, and the
 * row iterables can be walked any number of times (each walk regenerates the
 * rows from the seed, so a million observations never sit in memory at once).
 *
 * Edge cases (each one a toggle, all on by default):
 * - legacy second-unit epochs (`created_at_epoch` / `started_at_epoch` < 1e12)
 *   mixed with milliseconds;
 * - backdated artifact observations, dated months before the first session but
 *   belonging to a session late in the history (they must not move the install
 *   day: first activity is sessions-first);
 * - corrupt epochs below the project floor (0, 1970, 2001, 2020, late 2023);
 * - NULL `type` / `project` / `agent_type`, `type` in mixed case padded with
 *   spaces, unknown types (`feature`, `change`), free-form `platform_source`
 *   (`" Codex"`, `"gemini-cli"`, `"GEMINI"`, `"cursor"`, NULL);
 * - `discovery_tokens`: one value per compression turn, written identically to
 *   every observation of the turn and to the turn's summary row (summing
 *   observations multi-counts);
 * - free text carrying sentinels (`SECRET-<n>`, `/home/user/private-project`)
 *   that privacy tests grep for.
 *
 * @since 0.1.0
 */

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000
const SECOND_MS = 1_000
const SECONDS_THRESHOLD = 1_000_000_000_000

const SESSIONS_TABLE = (current: boolean): string => `CREATE TABLE IF NOT EXISTS sdk_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  content_session_id TEXT UNIQUE NOT NULL,
  memory_session_id TEXT UNIQUE,
  project TEXT,
  user_prompt TEXT,
  started_at TEXT NOT NULL,
  started_at_epoch INTEGER NOT NULL,
  completed_at TEXT,
  completed_at_epoch INTEGER,
  status TEXT CHECK(status IN ('active', 'completed', 'failed')) NOT NULL DEFAULT 'active'${
  current ? ",\n  platform_source TEXT DEFAULT 'claude'" : ""
}
);
`

const OBSERVATIONS_TABLE = (current: boolean): string => `CREATE TABLE IF NOT EXISTS observations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  memory_session_id TEXT NOT NULL,
  project TEXT,
  text TEXT,
  type TEXT,
  title TEXT,
  subtitle TEXT,
  facts TEXT,
  narrative TEXT,
  concepts TEXT,
  files_read TEXT,
  files_modified TEXT,
  prompt_number INTEGER,${current ? "\n  discovery_tokens INTEGER DEFAULT 0,\n  agent_type TEXT," : ""}
  created_at TEXT NOT NULL,
  created_at_epoch INTEGER NOT NULL,
  FOREIGN KEY(memory_session_id) REFERENCES sdk_sessions(memory_session_id) ON DELETE CASCADE
);
`

const SUMMARIES_TABLE = (current: boolean): string => `CREATE TABLE IF NOT EXISTS session_summaries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  memory_session_id TEXT NOT NULL,
  project TEXT,
  request TEXT,
  investigated TEXT,
  learned TEXT,
  completed TEXT,
  next_steps TEXT,
  notes TEXT,
  prompt_number INTEGER,${current ? "\n  discovery_tokens INTEGER DEFAULT 0," : ""}
  created_at TEXT NOT NULL,
  created_at_epoch INTEGER NOT NULL,
  FOREIGN KEY(memory_session_id) REFERENCES sdk_sessions(memory_session_id) ON DELETE CASCADE
);
`

const PROMPTS_TABLE = `CREATE TABLE IF NOT EXISTS user_prompts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  content_session_id TEXT NOT NULL,
  prompt_number INTEGER NOT NULL,
  prompt_text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_at_epoch INTEGER NOT NULL,
  FOREIGN KEY(content_session_id) REFERENCES sdk_sessions(content_session_id) ON DELETE CASCADE
);
`

const BASE_INDEXES = `CREATE INDEX IF NOT EXISTS idx_sdk_sessions_claude_id ON sdk_sessions(content_session_id);
CREATE INDEX IF NOT EXISTS idx_sdk_sessions_sdk_id ON sdk_sessions(memory_session_id);
CREATE INDEX IF NOT EXISTS idx_sdk_sessions_project ON sdk_sessions(project);
CREATE INDEX IF NOT EXISTS idx_sdk_sessions_status ON sdk_sessions(status);
CREATE INDEX IF NOT EXISTS idx_sdk_sessions_started ON sdk_sessions(started_at_epoch DESC);
CREATE INDEX IF NOT EXISTS idx_observations_sdk_session ON observations(memory_session_id);
CREATE INDEX IF NOT EXISTS idx_observations_project ON observations(project);
CREATE INDEX IF NOT EXISTS idx_observations_type ON observations(type);
CREATE INDEX IF NOT EXISTS idx_observations_created ON observations(created_at_epoch DESC);
CREATE INDEX IF NOT EXISTS idx_session_summaries_sdk_session ON session_summaries(memory_session_id);
CREATE INDEX IF NOT EXISTS idx_session_summaries_project ON session_summaries(project);
CREATE INDEX IF NOT EXISTS idx_session_summaries_created ON session_summaries(created_at_epoch DESC);
`

const PROMPT_INDEXES = `CREATE INDEX IF NOT EXISTS idx_user_prompts_claude_session ON user_prompts(content_session_id);
CREATE INDEX IF NOT EXISTS idx_user_prompts_created ON user_prompts(created_at_epoch DESC);
CREATE INDEX IF NOT EXISTS idx_user_prompts_prompt_number ON user_prompts(prompt_number);
CREATE INDEX IF NOT EXISTS idx_user_prompts_lookup ON user_prompts(content_session_id, prompt_number);
`

const tablesDdl = (schema: ClaudeMemSchemaVersion): string => {
  const current = schema === "current"
  return SESSIONS_TABLE(current) + OBSERVATIONS_TABLE(current) + SUMMARIES_TABLE(current) + (current ? PROMPTS_TABLE : "")
}

const indexesDdl = (schema: ClaudeMemSchemaVersion): string =>
  BASE_INDEXES + (schema === "current" ? PROMPT_INDEXES : "")

/**
 * Which claude-mem schema a sample uses: `"current"` (every column the
 * claude-mem preset reads) or `"old"` (an older install: no
 * `observations.agent_type`, no `sdk_sessions.platform_source`, no
 * `discovery_tokens` on observations or summaries, no `user_prompts` table).
 *
 * @since 0.1.0
 * @category models
 */
export type ClaudeMemSchemaVersion = "current" | "old"

/**
 * The current claude-mem schema (tables and indexes), with the column names
 * and types of claude-mem's migration runner: `sdk_sessions`, `observations`,
 * `session_summaries`, `user_prompts`.
 *
 * Deliberate differences from production: `project`, `type` and
 * `platform_source` are nullable (production declares them `NOT NULL`, but the
 * rollups must survive NULLs from hand-edited or half-migrated databases),
 * `observations.type` has no CHECK (so mixed-case and unknown types can be
 * stored), and the FTS5 mirror of `user_prompts` and the bookkeeping tables
 * (`schema_versions`, `pending_messages`) are left out.
 *
 * @since 0.1.0
 * @category schema
 */
export const CLAUDE_MEM_SCHEMA: string = tablesDdl("current") + indexesDdl("current")

/**
 * An older claude-mem install's schema: {@link CLAUDE_MEM_SCHEMA} without
 * `observations.agent_type`, `sdk_sessions.platform_source`, the
 * `discovery_tokens` columns and the `user_prompts` table. The rollups must
 * drop exactly the keys that need them and keep all others.
 *
 * @since 0.1.0
 * @category schema
 */
export const CLAUDE_MEM_OLD_SCHEMA: string = tablesDdl("old") + indexesDdl("old")

/**
 * The DDL of one schema version.
 *
 * @since 0.1.0
 * @category schema
 */
export const claudeMemSchema = (schema: ClaudeMemSchemaVersion): string =>
  schema === "current" ? CLAUDE_MEM_SCHEMA : CLAUDE_MEM_OLD_SCHEMA

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

const nonNegativeInt = (name: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`ClaudeMemSample: option ${name} must be a non-negative integer, got ${String(value)}`)
  }
  return value
}

const fraction = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`ClaudeMemSample: option ${name} must be a number in [0, 1], got ${String(value)}`)
  }
  return value
}

const finiteMs = (name: string, value: number): number => {
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

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------

const fmix32 = (x: number): number => {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A 32-bit hash of (seed, stream tag, index, sub-index): each row gets its own independent stream. */
const hash = (seed: number, tag: number, a: number, b = 0): number =>
  fmix32(fmix32(fmix32(seed ^ Math.imul(tag, 0x9e3779b1)) ^ (a >>> 0)) + Math.imul(b + 1, 0x165667b1))

const unit = (h: number): number => h / 4294967296

/** mulberry32 */
class Prng {
  private state: number
  constructor(seed: number) {
    this.state = seed | 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** an integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<A>(values: ReadonlyArray<A>): A {
    return values[Math.floor(this.next() * values.length)] as A
  }
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0
  }
}

interface Weighted<A> {
  readonly values: ReadonlyArray<A>
  readonly cumulative: ReadonlyArray<number>
  readonly total: number
}

const weighted = <A>(entries: ReadonlyArray<readonly [A, number]>): Weighted<A> => {
  const values: Array<A> = []
  const cumulative: Array<number> = []
  let total = 0
  for (const [value, weight] of entries) {
    total += weight
    values.push(value)
    cumulative.push(total)
  }
  return { values, cumulative, total }
}

const pickWeighted = <A>(rng: Prng, table: Weighted<A>): A => {
  const x = rng.next() * table.total
  for (let i = 0; i < table.values.length; i++) {
    if (x < (table.cumulative[i] ?? 0)) return table.values[i] as A
  }
  return table.values[table.values.length - 1] as A
}

// Stream tags: one independent stream per purpose.
const TAG_DAYS = 1
const TAG_START = 2
const TAG_TURNS = 3
const TAG_SESSION = 4
const TAG_OBS = 5
const TAG_SUMMARY = 6
const TAG_PROMPT = 7
const TAG_PROMPT_TEXT = 8
const TAG_ALLOC = 9
const TAG_OVERRIDES = 10
const TAG_UNIT_SESSION = 11
const TAG_UNIT_OBS = 12
const TAG_UNIT_SUMMARY = 13
const TAG_UNIT_PROMPT = 14
const TAG_SESSION_TEXT = 15
const TAG_OBS_TEXT = 16
const TAG_SUMMARY_TEXT = 17

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

const TYPES: Weighted<string> = weighted<string>([
  ["discovery", 22],
  ["bugfix", 14],
  ["feature", 16],
  ["change", 14],
  ["decision", 8],
  ["refactor", 9],
  [" Bugfix ", 2],
  ["DISCOVERY", 2],
  ["Decision ", 1],
  ["Refactor", 1],
  [" feature", 1],
  ["BUGFIX", 1],
  ["investigation", 1]
])

const PLATFORMS: Weighted<string | null> = weighted<string | null>([
  ["claude", 70],
  ["codex", 5],
  [" Codex", 2],
  ["gemini-cli", 5],
  ["GEMINI", 2],
  ["gemini", 2],
  ["cursor", 3],
  ["claude-desktop", 1],
  [null, 4]
])

const STATUSES: Weighted<ClaudeMemSessionStatus> = weighted<ClaudeMemSessionStatus>([
  ["completed", 78],
  ["failed", 8],
  ["active", 14]
])

const AGENT_TYPES: ReadonlyArray<string> = ["Explore", "general-purpose", "code-reviewer", "Plan", "test-runner"]

interface ProjectDef {
  readonly name: string
  /** active between these fractions of the history */
  readonly from: number
  readonly to: number
  readonly weight: number
}

const PROJECTS: ReadonlyArray<ProjectDef> = [
  { name: "private-project", from: 0, to: 1, weight: 10 },
  { name: "claude-mem", from: 0, to: 0.6, weight: 5 },
  { name: "acme-billing-SECRET-9001", from: 0.1, to: 0.9, weight: 4 },
  { name: "dotfiles", from: 0, to: 1, weight: 1 },
  { name: "website", from: 0.3, to: 1, weight: 3 },
  { name: "ml-experiments", from: 0.5, to: 0.8, weight: 3 },
  { name: "infra", from: 0.65, to: 1, weight: 2 },
  { name: "mobile-app", from: 0.8, to: 1, weight: 4 }
]

const PRIVATE_ROOT = "/home/user/private-project"

const FILES: ReadonlyArray<string> = [
  "src/auth/session.ts",
  "src/db/migrations.ts",
  "src/worker/queue.ts",
  "src/api/routes.ts",
  "src/ui/Chart.tsx",
  "src/search/indexer.ts",
  "src/config/load.ts",
  "lib/parser.rs",
  "scripts/deploy.sh",
  "test/e2e/login.spec.ts",
  "docs/architecture.md",
  "src/cache/embeddings.py",
  "src/hooks/useSocket.ts",
  "infra/main.tf",
  "package.json"
]

const SUBJECTS: ReadonlyArray<string> = [
  "the token refresh race",
  "a flaky retry loop",
  "the SQLite migration runner",
  "session cleanup on exit",
  "the search index rebuild",
  "an off-by-one in pagination",
  "the config loader",
  "worker startup ordering",
  "the websocket reconnect path",
  "cache invalidation for embeddings",
  "the billing webhook handler",
  "timezone handling in reports",
  "the deploy script's rollback",
  "memory growth in the indexer",
  "the login form validation"
]

const VERBS: ReadonlyArray<string> = [
  "Fixed",
  "Discovered",
  "Refactored",
  "Decided on",
  "Investigated",
  "Added",
  "Removed",
  "Documented",
  "Optimized",
  "Traced"
]

const CONCEPTS: ReadonlyArray<string> = [
  "how-it-works",
  "gotcha",
  "pattern",
  "trade-off",
  "problem-solution",
  "why-it-exists",
  "what-changed"
]

const SENTENCES: ReadonlyArray<(subject: string, file: string, n: number) => string> = [
  (s, f) => `While tracing ${s}, the call chain in ${PRIVATE_ROOT}/${f} turned out to swallow the original error.`,
  (_s, f, n) => `The fix keeps the credential SECRET-${n} out of the logs and moves the retry into ${f}.`,
  (s) => `Root cause: ${s} assumed a single writer, but two workers raced on the same row.`,
  (s, f) => `Reproduced ${s} with a minimal case next to ${PRIVATE_ROOT}/${f} before touching anything.`,
  (_s, _f, n) => `Customer ticket SECRET-${n} described the symptom precisely: the dashboard froze after login.`,
  (s) => `Decided to keep ${s} behind a feature flag until the next release to limit the blast radius.`,
  (_s, f) => `Added a regression test; the suite around ${f} now runs in under two seconds.`,
  (s) => `Benchmarks show ${s} costs about 40ms per request on a cold cache, mostly in JSON parsing.`,
  (_s, f, n) => `Left a TODO(SECRET-${n}) in ${PRIVATE_ROOT}/${f}: the timeout is still hard-coded.`,
  (s) => `The previous approach to ${s} leaked file handles; the new one closes them in a finally block.`
]

const PROMPT_OPENERS: ReadonlyArray<string> = [
  "Can you look into",
  "Please fix",
  "Why is",
  "Help me refactor",
  "Write tests for",
  "Explain",
  "Continue with",
  "Review"
]

const iso = (ms: number): string => new Date(ms).toISOString()

const dayString = (ms: number): string => iso(ms).slice(0, 10)

const startOfDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS

const normalizeMs = (v: number): number => (v < SECONDS_THRESHOLD ? v * 1000 : v)

const HEX_BYTES: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

const hex8 = (x: number): string =>
  (HEX_BYTES[(x >>> 24) & 0xff] ?? "") + (HEX_BYTES[(x >>> 16) & 0xff] ?? "") + (HEX_BYTES[(x >>> 8) & 0xff] ?? "") +
  (HEX_BYTES[x & 0xff] ?? "")

/** A v4-shaped uuid string drawn from the generator (deterministic). */
const uuidFrom = (rng: Prng): string => {
  const a = hex8(rng.u32())
  const b = hex8(rng.u32())
  const c = hex8(rng.u32())
  const d = hex8(rng.u32())
  const variant = ((parseInt(c.charAt(0), 16) & 0x3) | 0x8).toString(16)
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`
}

const jsonList = (items: ReadonlyArray<string>): string => `[${items.map((item) => `"${item}"`).join(",")}]`

// ---------------------------------------------------------------------------
// Plan: everything that is O(sessions), computed once
// ---------------------------------------------------------------------------

interface Plan {
  readonly o: ClaudeMemResolvedOptions
  readonly current: boolean
  readonly clampMs: number
  readonly firstDayStart: number
  readonly starts: Float64Array
  readonly turns: Uint32Array
  readonly obsCount: Uint32Array
  readonly obsOffset: Float64Array
  readonly summaryCount: Uint32Array
  readonly summaryOffset: Float64Array
  readonly promptCount: Uint32Array
  readonly promptOffset: Float64Array
  readonly artifactObs: ReadonlyMap<number, number>
  readonly corruptObs: ReadonlyMap<number, number>
  readonly corruptSessions: ReadonlyMap<number, number>
  readonly corruptSummaries: ReadonlyMap<number, number>
  readonly corruptPrompts: ReadonlyMap<number, number>
}

const get = (array: ArrayLike<number>, i: number): number => array[i] ?? 0

/** Spreads `total` items over `n` slots proportionally to `weight(i)`, exactly (cumulative rounding). */
const allocate = (total: number, n: number, weight: (i: number) => number): Uint32Array => {
  const out = new Uint32Array(n)
  if (n === 0 || total === 0) return out
  const w = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    const x = Math.max(0, weight(i))
    w[i] = x
    sum += x
  }
  if (sum === 0) {
    w.fill(1)
    sum = n
  }
  let acc = 0
  let prev = 0
  for (let i = 0; i < n; i++) {
    acc += get(w, i)
    const upto = i === n - 1 ? total : Math.round((total * acc) / sum)
    out[i] = upto - prev
    prev = upto
  }
  return out
}

const offsets = (counts: Uint32Array): Float64Array => {
  const out = new Float64Array(counts.length + 1)
  for (let i = 0; i < counts.length; i++) out[i + 1] = get(out, i) + get(counts, i)
  return out
}

const buildPlan = (o: ClaudeMemResolvedOptions): Plan => {
  const n = o.sessions
  const lastDayStart = startOfDay(o.endMs - DAY_MS)
  const firstDayStart = lastDayStart - (o.days - 1) * DAY_MS

  // Per-day activity weights: growth over time, light weekends, days off, one vacation.
  const rd = new Prng(hash(o.seed, TAG_DAYS, 0))
  const vacationLength = o.days >= 60 ? rd.int(4, 10) : 0
  const vacationStart = o.days >= 60 ? Math.floor(o.days * (0.3 + 0.4 * rd.next())) : -1
  const cumulative = new Float64Array(o.days)
  let total = 0
  for (let d = 0; d < o.days; d++) {
    let w = 0.35 + 0.65 * ((d + 1) / o.days)
    const dow = new Date(firstDayStart + d * DAY_MS).getUTCDay()
    if (dow === 0 || dow === 6) w *= 0.35
    w *= 0.6 + 0.8 * rd.next()
    const off = rd.chance(0.1)
    if (off || (d >= vacationStart && d < vacationStart + vacationLength)) w = 0
    // The first day and the last three days are always active (first-day and excluded-tail tests rely on it).
    if (d === 0 || d >= o.days - 3) w = Math.max(w, 0.5)
    total += w
    cumulative[d] = total
  }

  // Session starts: monotone in the session index (the inverse CDF of the day weights).
  const starts = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const target = ((i + unit(hash(o.seed, TAG_START, i))) / n) * total
    let lo = 0
    let hi = o.days - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (get(cumulative, mid) > target) hi = mid
      else lo = mid + 1
    }
    const before = lo === 0 ? 0 : get(cumulative, lo - 1)
    const width = get(cumulative, lo) - before
    const within = width > 0 ? Math.min(0.999999, Math.max(0, (target - before) / width)) : 0
    starts[i] = Math.floor(firstDayStart + lo * DAY_MS + 6 * HOUR_MS + within * 17 * HOUR_MS)
  }

  // Prompts, summaries, turns, observations per session (exact totals).
  const promptCount = allocate(o.prompts, n, (i) => 0.2 + 3 * unit(hash(o.seed, TAG_ALLOC, i, 1)) ** 2)
  const summaryCount = allocate(
    o.summaries,
    n,
    (i) => (get(promptCount, i) + 0.6) * (0.5 + unit(hash(o.seed, TAG_ALLOC, i, 2)))
  )
  const turns = new Uint32Array(n)
  for (let i = 0; i < n; i++) turns[i] = Math.max(1, get(promptCount, i), get(summaryCount, i))
  const obsCount = allocate(
    o.observations,
    n,
    (i) => get(turns, i) * (0.3 + 1.4 * unit(hash(o.seed, TAG_ALLOC, i, 3)))
  )
  const obsOffset = offsets(obsCount)
  const summaryOffset = offsets(summaryCount)
  const promptOffset = offsets(promptCount)

  // Backdated artifacts: observations of a late session, dated months before the first session.
  const artifactObs = new Map<number, number>()
  let firstValid = 0
  while (firstValid < n && get(starts, firstValid) < o.floorMs) firstValid++
  if (o.backdatedArtifacts > 0 && firstValid < n && o.observations > 0) {
    // Relative to the first session at or above the floor (starts are monotone in the index).
    const first = get(starts, firstValid)
    let target = first - 240 * DAY_MS
    if (target < o.floorMs + DAY_MS) target = o.floorMs + (first - o.floorMs) / 2
    target = startOfDay(target) + 14 * HOUR_MS + 23 * MINUTE_MS + 11 * SECOND_MS
    if (target >= o.floorMs && target < startOfDay(first)) {
      const want = Math.min(o.backdatedArtifacts, o.observations)
      let host = -1
      const from = Math.min(n - 1, Math.floor(n * 0.85))
      for (let k = 0; k < n && host < 0; k++) {
        const i = (from + k) % n
        if (get(obsCount, i) >= want) host = i
      }
      if (host < 0) {
        // No single session has enough observations: take the largest one.
        host = 0
        for (let i = 1; i < n; i++) if (get(obsCount, i) > get(obsCount, host)) host = i
      }
      const take = Math.min(want, get(obsCount, host))
      for (let a = 0; a < take; a++) artifactObs.set(get(obsOffset, host) + a, target + a * 37 * SECOND_MS)
    }
  }

  // Corrupt epochs, round-robin over the tables.
  const corruptObs = new Map<number, number>()
  const corruptSessions = new Map<number, number>()
  const corruptSummaries = new Map<number, number>()
  const corruptPrompts = new Map<number, number>()
  const corruptValues = CLAUDE_MEM_CORRUPT_EPOCHS.filter((v) => normalizeMs(v) < o.floorMs)
  const current = o.schema === "current"
  if (o.corruptEpochs > 0 && corruptValues.length > 0) {
    const targets: ReadonlyArray<readonly [Map<number, number>, number, ReadonlyMap<number, number>]> = [
      [corruptObs, o.observations, artifactObs],
      [corruptSessions, o.sessions, new Map()],
      [corruptSummaries, o.summaries, new Map()],
      // Also on the old schema (whose prompts are never written), so both schemas corrupt the same
      // observations, sessions and summaries for a given seed.
      [corruptPrompts, o.prompts, new Map()]
    ]
    const rc = new Prng(hash(o.seed, TAG_OVERRIDES, 0))
    for (let k = 0; k < o.corruptEpochs; k++) {
      const value = corruptValues[k % corruptValues.length] ?? 0
      for (let tries = 0; tries < targets.length; tries++) {
        const entry = targets[(k + tries) % targets.length]
        if (entry === undefined) continue
        const [map, size, taken] = entry
        if (map.size + taken.size >= size) continue
        let idx = rc.int(0, size - 1)
        while (map.has(idx) || taken.has(idx)) idx = (idx + 1) % size
        map.set(idx, value)
        break
      }
    }
  }

  return {
    o,
    current,
    clampMs: o.endMs - SECOND_MS,
    firstDayStart,
    starts,
    turns,
    obsCount,
    obsOffset,
    summaryCount,
    summaryOffset,
    promptCount,
    promptOffset,
    artifactObs,
    corruptObs,
    corruptSessions,
    corruptSummaries,
    corruptPrompts
  }
}

// ---------------------------------------------------------------------------
// Per-session derivations (pure functions of (plan, session index))
// ---------------------------------------------------------------------------

interface TurnPlan {
  readonly starts: Float64Array
  readonly ends: Float64Array
  readonly tokens: ReadonlyArray<number | null>
}

const turnPlan = (plan: Plan, i: number): TurnPlan => {
  const count = get(plan.turns, i)
  const rng = new Prng(hash(plan.o.seed, TAG_TURNS, i))
  const starts = new Float64Array(count)
  const ends = new Float64Array(count)
  const tokens: Array<number | null> = []
  let t = get(plan.starts, i) + rng.int(2, 40) * SECOND_MS
  for (let k = 0; k < count; k++) {
    starts[k] = t
    const end = t + rng.int(1 * MINUTE_MS, 12 * MINUTE_MS)
    ends[k] = end
    const roll = rng.next()
    tokens.push(roll < 0.02 ? null : roll < 0.07 ? 0 : rng.int(600, 42_000))
    t = end + rng.int(30 * SECOND_MS, 25 * MINUTE_MS)
  }
  return { starts, ends, tokens }
}

interface SessionCore {
  readonly contentSessionId: string
  readonly memorySessionId: string
  readonly project: string | null
  readonly platform: string | null
  readonly status: ClaudeMemSessionStatus
}

const sessionCore = (plan: Plan, i: number): SessionCore => {
  const rng = new Prng(hash(plan.o.seed, TAG_SESSION, i))
  const contentSessionId = uuidFrom(rng)
  const memorySessionId = uuidFrom(rng)
  const position = plan.o.sessions <= 1 ? 0 : i / (plan.o.sessions - 1)
  let totalWeight = 0
  for (const p of PROJECTS) if (position >= p.from && position <= p.to) totalWeight += p.weight
  let x = rng.next() * totalWeight
  let project: string | null = PROJECTS[0]?.name ?? "private-project"
  for (const p of PROJECTS) {
    if (position < p.from || position > p.to) continue
    if (x < p.weight) {
      project = p.name
      break
    }
    x -= p.weight
  }
  if (rng.chance(plan.o.nullProjectFraction)) project = null
  const platform = pickWeighted(rng, PLATFORMS)
  let status = pickWeighted(rng, STATUSES)
  // Sessions that started in the last few hours before `endMs` are still running.
  if (get(plan.starts, i) > plan.o.endMs - 4 * HOUR_MS) status = "active"
  return { contentSessionId, memorySessionId, project, platform, status }
}

/** The stored epoch: the override, else seconds on legacy rows, else milliseconds. */
const stored = (plan: Plan, tag: number, index: number, ms: number, override: number | undefined): number => {
  if (override !== undefined) return override
  const legacy = plan.o.legacySecondsFraction > 0 && unit(hash(plan.o.seed, tag, index)) < plan.o.legacySecondsFraction
  return legacy ? Math.floor(ms / 1000) : ms
}

const clamp = (plan: Plan, ms: number): number => Math.min(ms, plan.clampMs)

const promptText = (plan: Plan, i: number, turn: number, id: number): string => {
  const rng = new Prng(hash(plan.o.seed, TAG_PROMPT_TEXT, i, turn))
  const subject = rng.pick(SUBJECTS)
  const file = rng.pick(FILES)
  if (plan.o.freeText === "compact") return `${rng.pick(PROMPT_OPENERS)} ${subject} (SECRET-${id})`
  return `${rng.pick(PROMPT_OPENERS)} ${subject} in ${PRIVATE_ROOT}/${file}? The staging key is SECRET-${id}, ` +
    `do not paste it anywhere. ${rng.pick(SENTENCES)(subject, file, id)}`
}

/** The turn an item (observation, summary, prompt) m of `count` belongs to, spread over `turns` turns. */
const turnOf = (m: number, count: number, turns: number): number =>
  Math.min(turns - 1, Math.floor((m * turns) / Math.max(1, count)))

// ---------------------------------------------------------------------------
// Row iterables
// ---------------------------------------------------------------------------

function* sessionRows(plan: Plan): Generator<ClaudeMemSessionRow> {
  const o = plan.o
  for (let i = 0; i < o.sessions; i++) {
    const core = sessionCore(plan, i)
    const tp = turnPlan(plan, i)
    const start = clamp(plan, get(plan.starts, i))
    const epoch = stored(plan, TAG_UNIT_SESSION, i, start, plan.corruptSessions.get(i))
    const legacy = epoch < SECONDS_THRESHOLD && !plan.corruptSessions.has(i)
    const textRng = new Prng(hash(o.seed, TAG_SESSION_TEXT, i))
    const lastEnd = get(tp.ends, tp.ends.length - 1)
    const completedMs = core.status === "active" ? null : clamp(plan, lastEnd + textRng.int(5, 90) * SECOND_MS)
    const base = {
      id: i + 1,
      content_session_id: core.contentSessionId,
      memory_session_id: core.memorySessionId,
      project: core.project,
      user_prompt: textRng.chance(0.95) ? promptText(plan, i, 0, i + 1) : null,
      started_at: iso(start),
      started_at_epoch: epoch,
      completed_at: completedMs === null ? null : iso(completedMs),
      completed_at_epoch: completedMs === null ? null : legacy ? Math.floor(completedMs / 1000) : completedMs,
      status: core.status
    }
    yield plan.current ? { ...base, platform_source: core.platform } : base
  }
}

function* observationRows(plan: Plan): Generator<ClaudeMemObservationRow> {
  const o = plan.o
  const compact = o.freeText === "compact"
  for (let i = 0; i < o.sessions; i++) {
    const count = get(plan.obsCount, i)
    if (count === 0) continue
    const core = sessionCore(plan, i)
    const tp = turnPlan(plan, i)
    const turns = tp.starts.length
    const rng = new Prng(hash(o.seed, TAG_OBS, i))
    const textRng = new Prng(hash(o.seed, TAG_OBS_TEXT, i))
    const first = get(plan.obsOffset, i)
    let lastTurn = -1
    let t = 0
    for (let m = 0; m < count; m++) {
      const g = first + m
      const id = g + 1
      const turn = turnOf(m, count, turns)
      if (turn !== lastTurn) {
        lastTurn = turn
        t = get(tp.starts, turn)
      }
      // Everything that feeds a rollup comes from `rng`, all free text from `textRng`:
      // the same seed gives the same days and counts whatever the schema or freeText mode.
      t += rng.int(4, 70) * SECOND_MS
      const artifact = plan.artifactObs.get(g)
      const ms = artifact ?? clamp(plan, t)
      const epoch = stored(plan, TAG_UNIT_OBS, g, ms, artifact ?? plan.corruptObs.get(g))
      const type = rng.chance(o.nullTypeFraction) ? null : pickWeighted(rng, TYPES)
      const agentType = rng.chance(o.subagentFraction) ? rng.pick(AGENT_TYPES) : null
      const project = core.project !== null && rng.chance(0.004) ? null : core.project
      const verb = textRng.pick(VERBS)
      const subject = textRng.pick(SUBJECTS)
      const file = textRng.pick(FILES)
      const title = `${verb} ${subject} (SECRET-${id})`
      let text: string | null
      let subtitle: string | null
      let facts: string | null
      let narrative: string | null
      let concepts: string | null
      let filesRead: string | null
      let filesModified: string | null
      if (compact) {
        text = null
        subtitle = null
        facts = null
        narrative = `${title} in ${PRIVATE_ROOT}/${file}`
        concepts = null
        filesRead = jsonList([`${PRIVATE_ROOT}/${file}`])
        filesModified = null
      } else {
        const file2 = textRng.pick(FILES)
        subtitle = `${subject} in ${file}`
        const sentences = textRng.int(3, 5)
        const parts: Array<string> = []
        for (let s = 0; s < sentences; s++) parts.push(textRng.pick(SENTENCES)(subject, s === 0 ? file : file2, id))
        narrative = parts.join(" ")
        facts = jsonList([
          `${file} handles ${subject}`,
          `the failing case needs SECRET-${id} in the environment`,
          `${file2} is only touched by the worker`
        ])
        concepts = jsonList([textRng.pick(CONCEPTS), textRng.pick(CONCEPTS)])
        filesRead = jsonList([`${PRIVATE_ROOT}/${file}`, `${PRIVATE_ROOT}/${file2}`])
        filesModified = textRng.chance(0.6) ? jsonList([`${PRIVATE_ROOT}/${file}`]) : jsonList([])
        // `text` is deprecated in favour of the structured fields: mostly NULL on the current schema.
        const deprecatedNull = textRng.chance(0.85)
        text = plan.current && deprecatedNull ? null : `${title}\n${narrative}`
      }
      const createdAt = iso(ms)
      const promptNumber = turn + 1
      // Two literals rather than spreads: object spread is the hot spot at a million rows.
      yield plan.current
        ? {
          id,
          memory_session_id: core.memorySessionId,
          project,
          text,
          type,
          title,
          subtitle,
          facts,
          narrative,
          concepts,
          files_read: filesRead,
          files_modified: filesModified,
          prompt_number: promptNumber,
          discovery_tokens: tp.tokens[turn] ?? null,
          agent_type: agentType,
          created_at: createdAt,
          created_at_epoch: epoch
        }
        : {
          id,
          memory_session_id: core.memorySessionId,
          project,
          text,
          type,
          title,
          subtitle,
          facts,
          narrative,
          concepts,
          files_read: filesRead,
          files_modified: filesModified,
          prompt_number: promptNumber,
          created_at: createdAt,
          created_at_epoch: epoch
        }
    }
  }
}

function* summaryRows(plan: Plan): Generator<ClaudeMemSummaryRow> {
  const o = plan.o
  const compact = o.freeText === "compact"
  for (let i = 0; i < o.sessions; i++) {
    const count = get(plan.summaryCount, i)
    if (count === 0) continue
    const core = sessionCore(plan, i)
    const tp = turnPlan(plan, i)
    const turns = tp.starts.length
    const rng = new Prng(hash(o.seed, TAG_SUMMARY, i))
    const textRng = new Prng(hash(o.seed, TAG_SUMMARY_TEXT, i))
    const first = get(plan.summaryOffset, i)
    for (let m = 0; m < count; m++) {
      const g = first + m
      const id = g + 1
      const turn = turnOf(m, count, turns)
      const ms = clamp(plan, get(tp.ends, turn) + rng.int(5, 60) * SECOND_MS)
      const epoch = stored(plan, TAG_UNIT_SUMMARY, g, ms, plan.corruptSummaries.get(g))
      const subject = textRng.pick(SUBJECTS)
      const file = textRng.pick(FILES)
      const base = {
        id,
        memory_session_id: core.memorySessionId,
        project: core.project,
        request: compact ? `Fix ${subject} (SECRET-${id})` : `Help me with ${subject} in ${PRIVATE_ROOT}/${file} (SECRET-${id})`,
        investigated: compact ? null : textRng.pick(SENTENCES)(subject, file, id),
        learned: compact ? null : textRng.pick(SENTENCES)(subject, file, id),
        completed: compact ? null : `${textRng.pick(VERBS)} ${subject}; tests pass locally.`,
        next_steps: compact ? null : textRng.chance(0.7) ? `Follow up on ${textRng.pick(SUBJECTS)} in ${file}.` : null,
        notes: compact ? null : textRng.chance(0.3) ? `Ping the owner of SECRET-${id} before merging.` : null,
        prompt_number: turn + 1
      }
      const stamp = { created_at: iso(ms), created_at_epoch: epoch }
      yield plan.current ? { ...base, discovery_tokens: tp.tokens[turn] ?? null, ...stamp } : { ...base, ...stamp }
    }
  }
}

function* promptRows(plan: Plan): Generator<ClaudeMemPromptRow> {
  if (!plan.current) return
  const o = plan.o
  for (let i = 0; i < o.sessions; i++) {
    const count = get(plan.promptCount, i)
    if (count === 0) continue
    const core = sessionCore(plan, i)
    const tp = turnPlan(plan, i)
    const turns = tp.starts.length
    const rng = new Prng(hash(o.seed, TAG_PROMPT, i))
    const first = get(plan.promptOffset, i)
    for (let m = 0; m < count; m++) {
      const g = first + m
      const turn = turnOf(m, count, turns)
      const raw = turn === 0 ? get(plan.starts, i) : get(tp.starts, turn) - rng.int(1, 20) * SECOND_MS
      const ms = clamp(plan, raw)
      yield {
        id: g + 1,
        content_session_id: core.contentSessionId,
        prompt_number: turn + 1,
        prompt_text: turn === 0 ? promptText(plan, i, 0, i + 1) : promptText(plan, i, turn, g + 1),
        created_at: iso(ms),
        created_at_epoch: stored(plan, TAG_UNIT_PROMPT, g, ms, plan.corruptPrompts.get(g))
      }
    }
  }
}

const reiterable = <A>(make: () => Iterator<A>): Iterable<A> => ({ [Symbol.iterator]: make })

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

const firstActivity = (plan: Plan, observations: Iterable<ClaudeMemObservationRow>): number | null => {
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

// ---------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------

/**
 * A value bound to a SQLite parameter by the writer.
 *
 * @since 0.1.0
 * @category writer
 */
export type ClaudeMemSqlValue = string | number | null

/**
 * The prepared statement the writer needs: `run` with positional parameters
 * (the writer passes {@link ClaudeMemSqlValue}s). The parameters are typed
 * `never` so that any driver's statement is assignable, whatever its own
 * parameter typing (better-sqlite3's `prepare` returns a union of statement
 * types, one of which takes a single named-parameter object).
 *
 * @since 0.1.0
 * @category writer
 */
export interface ClaudeMemSampleStatement {
  run(...params: Array<never>): unknown
}

/**
 * The minimal structural SQLite connection the writer needs. better-sqlite3's
 * `Database` satisfies it as is (and so does `bun:sqlite`'s): this module
 * imports no driver, the caller opens the file.
 *
 * @since 0.1.0
 * @category writer
 */
export interface ClaudeMemSampleDatabase {
  exec(sql: string): unknown
  prepare(sql: string): ClaudeMemSampleStatement
  transaction(fn: () => void): () => unknown
}

/**
 * Options of {@link writeClaudeMemSample}: the sample's options plus how to write.
 *
 * @since 0.1.0
 * @category writer
 */
export interface WriteClaudeMemSampleOptions extends ClaudeMemSampleOptions {
  /** rows per transaction. Default `10_000`. */
  readonly batchSize?: number | undefined
  /**
   * Run with `PRAGMA synchronous = OFF` while writing (restored to `FULL`, the
   * SQLite default, at the end). Default `true`.
   */
  readonly fastPragmas?: boolean | undefined
}

/**
 * What {@link writeClaudeMemSample} wrote.
 *
 * @since 0.1.0
 * @category writer
 */
export interface ClaudeMemSampleSummary {
  readonly schema: ClaudeMemSchemaVersion
  /** rows inserted per table */
  readonly rows: ClaudeMemRowCounts
  readonly span: { readonly firstDay: string; readonly lastDay: string }
  readonly firstActivityMs: number | null
  readonly firstActivityDay: string | null
  readonly backdatedArtifactEpochsMs: ReadonlyArray<number>
  readonly corruptCounts: ClaudeMemRowCounts
  readonly options: ClaudeMemResolvedOptions
}

const insertAll = <R>(
  db: ClaudeMemSampleDatabase,
  sql: string,
  rows: Iterable<R>,
  params: (row: R) => Array<ClaudeMemSqlValue>,
  batchSize: number
): number => {
  const statement = db.prepare(sql)
  let batch: Array<R> = []
  const flush = db.transaction(() => {
    for (const row of batch) statement.run(...(params(row) as Array<never>))
  })
  let written = 0
  for (const row of rows) {
    batch.push(row)
    if (batch.length >= batchSize) {
      flush()
      written += batch.length
      batch = []
    }
  }
  if (batch.length > 0) {
    flush()
    written += batch.length
  }
  return written
}

const insertSql = (table: string, columns: ReadonlyArray<string>): string =>
  `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`

/**
 * Creates the schema of `options.schema` on `db` (expected empty) and inserts
 * the generated rows: prepared statements, one transaction per `batchSize`
 * rows, indexes created after the data. Memory stays flat whatever the size.
 *
 * @since 0.1.0
 * @category writer
 */
export const writeClaudeMemSample = (
  db: ClaudeMemSampleDatabase,
  options: WriteClaudeMemSampleOptions = {}
): ClaudeMemSampleSummary => {
  const batchSize = options.batchSize ?? 10_000
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`ClaudeMemSample: option batchSize must be a positive integer, got ${String(batchSize)}`)
  }
  const sample = generateClaudeMemRows(options)
  const current = sample.schema === "current"
  const fast = options.fastPragmas ?? true
  if (fast) db.exec("PRAGMA synchronous = OFF")
  try {
    db.exec(tablesDdl(sample.schema))
    const sessions = insertAll(
      db,
      insertSql("sdk_sessions", [
        "id",
        "content_session_id",
        "memory_session_id",
        "project",
        "user_prompt",
        "started_at",
        "started_at_epoch",
        "completed_at",
        "completed_at_epoch",
        "status",
        ...(current ? ["platform_source"] : [])
      ]),
      sample.sdk_sessions,
      (r) => {
        const values: Array<ClaudeMemSqlValue> = [
          r.id,
          r.content_session_id,
          r.memory_session_id,
          r.project,
          r.user_prompt,
          r.started_at,
          r.started_at_epoch,
          r.completed_at,
          r.completed_at_epoch,
          r.status
        ]
        if (current) values.push(r.platform_source ?? null)
        return values
      },
      batchSize
    )
    const observations = insertAll(
      db,
      insertSql("observations", [
        "id",
        "memory_session_id",
        "project",
        "text",
        "type",
        "title",
        "subtitle",
        "facts",
        "narrative",
        "concepts",
        "files_read",
        "files_modified",
        "prompt_number",
        ...(current ? ["discovery_tokens", "agent_type"] : []),
        "created_at",
        "created_at_epoch"
      ]),
      sample.observations,
      (r) =>
        current
          ? [
            r.id,
            r.memory_session_id,
            r.project,
            r.text,
            r.type,
            r.title,
            r.subtitle,
            r.facts,
            r.narrative,
            r.concepts,
            r.files_read,
            r.files_modified,
            r.prompt_number,
            r.discovery_tokens ?? null,
            r.agent_type ?? null,
            r.created_at,
            r.created_at_epoch
          ]
          : [
            r.id,
            r.memory_session_id,
            r.project,
            r.text,
            r.type,
            r.title,
            r.subtitle,
            r.facts,
            r.narrative,
            r.concepts,
            r.files_read,
            r.files_modified,
            r.prompt_number,
            r.created_at,
            r.created_at_epoch
          ],
      batchSize
    )
    const summaries = insertAll(
      db,
      insertSql("session_summaries", [
        "id",
        "memory_session_id",
        "project",
        "request",
        "investigated",
        "learned",
        "completed",
        "next_steps",
        "notes",
        "prompt_number",
        ...(current ? ["discovery_tokens"] : []),
        "created_at",
        "created_at_epoch"
      ]),
      sample.session_summaries,
      (r) => {
        const values: Array<ClaudeMemSqlValue> = [
          r.id,
          r.memory_session_id,
          r.project,
          r.request,
          r.investigated,
          r.learned,
          r.completed,
          r.next_steps,
          r.notes,
          r.prompt_number
        ]
        if (current) values.push(r.discovery_tokens ?? null)
        values.push(r.created_at, r.created_at_epoch)
        return values
      },
      batchSize
    )
    const prompts = current
      ? insertAll(
        db,
        insertSql("user_prompts", [
          "id",
          "content_session_id",
          "prompt_number",
          "prompt_text",
          "created_at",
          "created_at_epoch"
        ]),
        sample.user_prompts,
        (r) => [r.id, r.content_session_id, r.prompt_number, r.prompt_text, r.created_at, r.created_at_epoch],
        batchSize
      )
      : 0
    db.exec(indexesDdl(sample.schema))
    return {
      schema: sample.schema,
      rows: { sdk_sessions: sessions, observations, session_summaries: summaries, user_prompts: prompts },
      span: sample.span,
      firstActivityMs: sample.firstActivityMs,
      firstActivityDay: sample.firstActivityDay,
      backdatedArtifactEpochsMs: sample.backdatedArtifactEpochsMs,
      corruptCounts: sample.corruptCounts,
      options: sample.options
    }
  } finally {
    if (fast) db.exec("PRAGMA synchronous = FULL")
  }
}
