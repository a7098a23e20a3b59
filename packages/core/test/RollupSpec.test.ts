import { ClaudeMem, JobRunner, RollupSpec } from "@posthog-backfill/core"
import { describe, expect, it } from "vitest"

describe("rollup spec validation", () => {
  it("accepts the presets", () => {
    expect(RollupSpec.validateRollupSpec(ClaudeMem.claudeMemSpec)).toEqual([])
    expect(RollupSpec.validateRollupSpec(JobRunner.jobRunnerSpec)).toEqual([])
  })

  it("rejects identifiers that could inject SQL, naming each problem", () => {
    const spec = {
      tables: [{ table: 'obs"; DROP TABLE x; --', timeColumn: "t", metrics: [RollupSpec.sum("tokens", "a b")] }],
      firstActivity: [{ table: "sessions", timeColumn: "1start" }]
    }
    const problems = RollupSpec.validateRollupSpec(spec)
    expect(problems).toHaveLength(3)
    expect(problems.join("\n")).toContain("not a plain SQL identifier")
    expect(() => RollupSpec.assertValidRollupSpec(spec)).toThrow(RollupSpec.RollupSpecError)
    expect(() => RollupSpec.assertValidRollupSpec(spec)).toThrow(/fix these and try again/)
  })

  it("rejects duplicate, reserved and $-prefixed keys", () => {
    const problems = RollupSpec.validateRollupSpec({
      tables: [
        { table: "a", timeColumn: "t", metrics: [RollupSpec.count("n"), RollupSpec.count("n")] },
        { table: "b", timeColumn: "t", metrics: [RollupSpec.count("backfilled"), RollupSpec.count("$set")] }
      ],
      firstActivity: [{ table: "a", timeColumn: "t" }]
    })
    expect(problems.some((p) => p.includes('"n" is produced twice'))).toBe(true)
    expect(problems.some((p) => p.includes('"backfilled" is reserved'))).toBe(true)
    expect(problems.some((p) => p.includes('"$set"'))).toBe(true)
  })

  it("requires a first-activity source", () => {
    expect(RollupSpec.validateRollupSpec({ tables: [], firstActivity: [] })).toContain("firstActivity: needs at least one time source")
  })

  it("lists the claude-mem preset's pinned keys", () => {
    expect([...RollupSpec.specKeys(ClaudeMem.claudeMemSpec)].sort()).toEqual(
      [
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
      ].sort()
    )
  })
})
