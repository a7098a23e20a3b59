/**
 * The claude-mem preset: the reference case. It reproduces the first seed's
 * pinned aggregation table exactly, so any two implementations ship identical
 * numbers:
 *
 * | key | source (per UTC day) |
 * | --- | --- |
 * | observation_count | `COUNT(*)` of observations |
 * | obs_type_{bugfix,discovery,decision,refactor,other} | observations by `type` (trimmed, lowercased; anything else and NULL -> other) |
 * | subagent_obs_count | observations with `agent_type IS NOT NULL` |
 * | session_count | `COUNT(*)` of sdk_sessions only |
 * | session_completed_count / session_failed_count | sdk_sessions by `status` |
 * | sessions_{claude,codex,gemini,other_platform}_count | sdk_sessions by `platform_source` (trimmed, lowercased; `gemini-cli` is gemini; NULL -> other) |
 * | summary_count | `COUNT(*)` of session_summaries |
 * | discovery_tokens | `SUM` over session_summaries only (one turn's value is stored on every observation of the turn too) |
 * | prompt_count | `COUNT(*)` of user_prompts (never `prompt_text`) |
 * | project_count | `COUNT(DISTINCT project)` over the union of observations and sdk_sessions |
 *
 * First activity: sdk_sessions first, observations only when sessions yield nothing.
 *
 * @since 0.1.0
 */
import { type BackfillApp, defineBackfillApp } from "../app/BackfillApp.js"
import { closedEnum } from "../events/ClosedEnum.js"
import { buckets, count, countNotNull, type RollupSpec, sum } from "../rollup/RollupSpec.js"

/**
 * The uuid namespace of claude-mem's backfill events.
 *
 * @since 0.1.0
 * @category constants
 */
export const CLAUDE_MEM_NAMESPACE = "8a9c2f4e-31b7-5d68-9c4a-f02e6d5b8a17"

/**
 * Observation types, the same vocabulary as claude-mem's live `context_injected`.
 *
 * @since 0.1.0
 * @category enums
 */
export const observationTypes = closedEnum({
  buckets: [
    { key: "obs_type_bugfix", values: ["bugfix"] },
    { key: "obs_type_discovery", values: ["discovery"] },
    { key: "obs_type_decision", values: ["decision"] },
    { key: "obs_type_refactor", values: ["refactor"] }
  ],
  other: "obs_type_other"
})

/**
 * Session outcomes (`active` sessions are counted by session_count only).
 *
 * @since 0.1.0
 * @category enums
 */
export const sessionStatuses = closedEnum({
  buckets: [
    { key: "session_completed_count", values: ["completed"] },
    { key: "session_failed_count", values: ["failed"] }
  ]
})

/**
 * The platform a session came from; `platform_source` is user-influenceable text.
 *
 * @since 0.1.0
 * @category enums
 */
export const sessionPlatforms = closedEnum({
  buckets: [
    { key: "sessions_claude_count", values: ["claude"] },
    { key: "sessions_codex_count", values: ["codex"] },
    { key: "sessions_gemini_count", values: ["gemini", "gemini-cli"] }
  ],
  other: "sessions_other_platform_count"
})

/**
 * claude-mem's rollup spec.
 *
 * @since 0.1.0
 * @category specs
 */
export const claudeMemSpec: RollupSpec = {
  tables: [
    {
      table: "observations",
      timeColumn: "created_at_epoch",
      metrics: [
        count("observation_count"),
        buckets("type", observationTypes),
        countNotNull("subagent_obs_count", "agent_type")
      ]
    },
    {
      table: "sdk_sessions",
      timeColumn: "started_at_epoch",
      metrics: [
        count("session_count"),
        buckets("status", sessionStatuses),
        buckets("platform_source", sessionPlatforms)
      ]
    },
    {
      table: "session_summaries",
      timeColumn: "created_at_epoch",
      metrics: [count("summary_count"), sum("discovery_tokens", "discovery_tokens")]
    },
    {
      table: "user_prompts",
      timeColumn: "created_at_epoch",
      metrics: [count("prompt_count")]
    }
  ],
  distinctCounts: [
    {
      key: "project_count",
      sources: [
        { table: "observations", timeColumn: "created_at_epoch", column: "project" },
        { table: "sdk_sessions", timeColumn: "started_at_epoch", column: "project" }
      ]
    }
  ],
  firstActivity: [
    { table: "sdk_sessions", timeColumn: "started_at_epoch" },
    { table: "observations", timeColumn: "created_at_epoch" }
  ]
}

/**
 * The claude-mem app: its spec, whitelist, person keys, namespace, files
 * (`~/.claude-mem/backfill.json`, `~/.claude-mem/telemetry.json`) and consent
 * prefix `CLAUDE_MEM_TELEMETRY`.
 *
 * @since 0.1.0
 * @category apps
 */
export const claudeMem: BackfillApp = defineBackfillApp({
  name: "claude-mem",
  spec: claudeMemSpec,
  namespace: CLAUDE_MEM_NAMESPACE,
  baseProperties: {
    version: "string",
    os: "string",
    os_version: "string",
    arch: "string",
    runtime: "string",
    runtime_version: "string",
    locale: "string",
    is_ci: "boolean"
  },
  personPropertyKeys: ["version", "os", "os_version", "arch", "runtime", "runtime_version", "locale", "first_active_date"],
  consentEnvPrefix: "CLAUDE_MEM_TELEMETRY",
  markerFileName: "backfill.json",
  configFileName: "telemetry.json",
  installIdKey: "installId",
  defaultPaths: { dataDir: ".claude-mem", database: ".claude-mem/claude-mem.db" },
  // claude-mem's own live telemetry: the worker's start is a day of use; installs report install_completed.
  liveActivityEvents: ["worker_started"],
  liveInstallEvent: "install_completed"
})
