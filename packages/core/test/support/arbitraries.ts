/**
 * Test support: generated databases (as row arrays, one array per table) for
 * the two bundled apps, with every kind of row the rules care about:
 * millisecond and legacy second epochs, corrupt small epochs, NULLs, enum text
 * in odd cases and spacing, free text outside the enums.
 */
import fc from "fast-check"

const floorish = Date.UTC(2024, 0, 1)
const msEpoch = fc.integer({ min: floorish - 40 * 86_400_000, max: Date.UTC(2026, 6, 1) })
/** Milliseconds, the same instants in seconds, corrupt small values, NULL. */
const epoch = fc.oneof(
  { weight: 5, arbitrary: msEpoch },
  { weight: 3, arbitrary: msEpoch.map((ms) => Math.floor(ms / 1000)) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 86_400, 1_000_000) },
  { weight: 1, arbitrary: fc.constant(null) }
)
const text = (variants: ReadonlyArray<string>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...variants) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }, { weight: 1, arbitrary: fc.constant(null) })

export const claudeMemRows = fc.record({
  observations: fc.array(
    fc.record({
      created_at_epoch: epoch,
      type: text(["bugfix", " Bugfix ", "DISCOVERY", "decision", "refactor", "feature"]),
      project: text(["alpha", "beta", "Alpha"]),
      agent_type: fc.option(fc.constantFrom("explore", "plan"), { nil: null }),
      discovery_tokens: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null })
    }),
    { maxLength: 60 }
  ),
  sdk_sessions: fc.array(
    fc.record({
      started_at_epoch: epoch,
      status: fc.constantFrom("active", "completed", "failed"),
      platform_source: text(["claude", " Codex", "gemini-cli", "GEMINI", "cursor"]),
      project: text(["alpha", "gamma"])
    }),
    { maxLength: 30 }
  ),
  session_summaries: fc.array(
    fc.record({ created_at_epoch: epoch, discovery_tokens: fc.option(fc.integer({ min: 0, max: 9000 }), { nil: null }) }),
    { maxLength: 20 }
  ),
  user_prompts: fc.array(fc.record({ created_at_epoch: epoch }), { maxLength: 20 })
})

export const jobRunnerRows = fc.record({
  workspaces: fc.array(fc.record({ created_at: epoch }), { maxLength: 3 }),
  jobs: fc.array(
    fc.record({
      created_at: epoch,
      status: text(["succeeded", "ok", "failed", "error", "canceled"]),
      retry_of: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
      input_bytes: fc.option(fc.integer({ min: 0, max: 1 << 20 }), { nil: null }),
      workspace_id: text(["w1", "w2"])
    }),
    { maxLength: 40 }
  ),
  job_logs: fc.array(fc.record({ logged_at: epoch, level: text(["info", "error", "FATAL"]), workspace_id: text(["w1", "w3"]) }), {
    maxLength: 40
  })
})

