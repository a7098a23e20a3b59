/**
 * Part of the claude-mem sample generator (see `index.ts`).
 *
 * @since 0.1.0
 */

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------


export const SESSIONS_TABLE = (current: boolean): string => `CREATE TABLE IF NOT EXISTS sdk_sessions (
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

export const OBSERVATIONS_TABLE = (current: boolean): string => `CREATE TABLE IF NOT EXISTS observations (
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

export const SUMMARIES_TABLE = (current: boolean): string => `CREATE TABLE IF NOT EXISTS session_summaries (
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

export const PROMPTS_TABLE = `CREATE TABLE IF NOT EXISTS user_prompts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  content_session_id TEXT NOT NULL,
  prompt_number INTEGER NOT NULL,
  prompt_text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_at_epoch INTEGER NOT NULL,
  FOREIGN KEY(content_session_id) REFERENCES sdk_sessions(content_session_id) ON DELETE CASCADE
);
`

export const BASE_INDEXES = `CREATE INDEX IF NOT EXISTS idx_sdk_sessions_claude_id ON sdk_sessions(content_session_id);
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

export const PROMPT_INDEXES = `CREATE INDEX IF NOT EXISTS idx_user_prompts_claude_session ON user_prompts(content_session_id);
CREATE INDEX IF NOT EXISTS idx_user_prompts_created ON user_prompts(created_at_epoch DESC);
CREATE INDEX IF NOT EXISTS idx_user_prompts_prompt_number ON user_prompts(prompt_number);
CREATE INDEX IF NOT EXISTS idx_user_prompts_lookup ON user_prompts(content_session_id, prompt_number);
`

export const tablesDdl = (schema: ClaudeMemSchemaVersion): string => {
  const current = schema === "current"
  return SESSIONS_TABLE(current) + OBSERVATIONS_TABLE(current) + SUMMARIES_TABLE(current) + (current ? PROMPTS_TABLE : "")
}

export const indexesDdl = (schema: ClaudeMemSchemaVersion): string =>
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
