import { generateClaudeMemRows } from "@posthog-backfill/testkit/sample"
import { describe, expect, it } from "vitest"
import {
  CLAUDE_MEM_OLD_SCHEMA_MISSING_KEYS,
  CLAUDE_MEM_REFERENCE_KEYS,
  claudeMemReference,
  type ReferenceObservation,
  type ReferenceSession
} from "./claudeMemReference.js"

// Hand-computed examples proving the oracle itself right. Every expected value
// below is worked out by hand from DESIGN.md and the seed's pinned table.

const at = (y: number, m: number, d: number, h = 12, min = 0): number => Date.UTC(y, m - 1, d, h, min)
const NOW = at(2026, 6, 12, 9, 30) // lastFullDay = utcDay(2026-06-09T21:30Z) = 2026-06-09

const zeroObs = {
  observation_count: 0,
  obs_type_bugfix: 0,
  obs_type_discovery: 0,
  obs_type_decision: 0,
  obs_type_refactor: 0,
  obs_type_other: 0,
  subagent_obs_count: 0
}
const zeroSessions = {
  session_count: 0,
  session_completed_count: 0,
  session_failed_count: 0,
  sessions_claude_count: 0,
  sessions_codex_count: 0,
  sessions_gemini_count: 0,
  sessions_other_platform_count: 0
}

const session = (ms: number, extra: Partial<ReferenceSession> = {}): ReferenceSession => ({
  started_at_epoch: ms,
  status: "completed",
  platform_source: "claude",
  project: "p",
  ...extra
})
const obs = (ms: number, extra: Partial<ReferenceObservation> = {}): ReferenceObservation => ({
  created_at_epoch: ms,
  type: "discovery",
  agent_type: null,
  project: "p",
  ...extra
})

describe("claudeMemReference (hand-computed)", () => {
  it("a compression turn: 3 observations + 1 summary all carrying 100 -> discovery_tokens 100, not 400", () => {
    const result = claudeMemReference(
      {
        sdk_sessions: [session(at(2025, 3, 10, 9))],
        observations: [
          obs(at(2025, 3, 10, 9, 5), { type: "bugfix" }),
          obs(at(2025, 3, 10, 9, 6), { type: "bugfix" }),
          obs(at(2025, 3, 10, 9, 7), { type: "bugfix" })
        ].map((o) => ({ ...o, discovery_tokens: 100 })),
        session_summaries: [{ created_at_epoch: at(2025, 3, 10, 9, 30), discovery_tokens: 100 }],
        user_prompts: [{ created_at_epoch: at(2025, 3, 10, 9) }]
      },
      { nowMs: NOW }
    )
    expect(result.installDay).toBe("2025-03-10")
    expect(result.lastFullDay).toBe("2026-06-09")
    expect(result.days).toEqual([
      {
        day: "2025-03-10",
        counters: {
          ...zeroObs,
          observation_count: 3,
          obs_type_bugfix: 3,
          ...zeroSessions,
          session_count: 1,
          session_completed_count: 1,
          sessions_claude_count: 1,
          summary_count: 1,
          discovery_tokens: 100,
          prompt_count: 1,
          project_count: 1
        }
      }
    ])
    expect(Object.keys(result.days[0]?.counters ?? {}).sort()).toEqual([...CLAUDE_MEM_REFERENCE_KEYS].sort())
  })

  it("one session + one observation in it, same day -> session_count 1 and project_count 1", () => {
    const result = claudeMemReference(
      { sdk_sessions: [session(at(2025, 5, 1, 8))], observations: [obs(at(2025, 5, 1, 8, 10))] },
      { nowMs: NOW }
    )
    expect(result.days).toHaveLength(1)
    expect(result.days[0]?.counters["session_count"]).toBe(1)
    expect(result.days[0]?.counters["observation_count"]).toBe(1)
    expect(result.days[0]?.counters["project_count"]).toBe(1)
  })

  it("a second-unit epoch 1755000000 lands on 2025-08-12 (not 1970)", () => {
    const result = claudeMemReference({ sdk_sessions: [session(1_755_000_000)] }, { nowMs: NOW })
    expect(result.installDay).toBe("2025-08-12")
    expect(result.days.map((d) => d.day)).toEqual(["2025-08-12"])
    // 1755000000 s = 2025-08-12T12:00:00Z; normalization is per row, mixed units agree
    const mixed = claudeMemReference(
      { sdk_sessions: [session(1_755_000_000), session(1_755_000_000_000 + 60_000)] },
      { nowMs: NOW }
    )
    expect(mixed.days).toEqual([
      {
        day: "2025-08-12",
        counters: { ...zeroSessions, session_count: 2, session_completed_count: 2, sessions_claude_count: 2, project_count: 1 }
      }
    ])
  })

  it("backdated artifact observations do not move the install day (sessions first, never a cross-table MIN)", () => {
    const result = claudeMemReference(
      {
        sdk_sessions: [session(at(2026, 4, 10, 10))],
        observations: [obs(1_755_000_000_000), obs(1_755_000_037_000), obs(at(2026, 4, 10, 10, 5))]
      },
      { nowMs: NOW }
    )
    expect(result.installDay).toBe("2026-04-10")
    expect(result.days.map((d) => d.day)).toEqual(["2026-04-10"])
    expect(result.days[0]?.counters["observation_count"]).toBe(1)
  })

  it("falls back to observations only when sessions yield nothing", () => {
    const result = claudeMemReference(
      { sdk_sessions: [session(0)], observations: [obs(at(2025, 1, 7)), obs(at(2025, 1, 5))] },
      { nowMs: NOW }
    )
    expect(result.installDay).toBe("2025-01-05")
    expect(result.days.map((d) => d.day)).toEqual(["2025-01-05", "2025-01-07"])
    // the sub-floor session creates no day and no session keys
    expect(result.days[0]?.counters["session_count"]).toBeUndefined()
  })

  it("ignores rows below the floor everywhere (0, 1970, 2001, 2020, 2023-11) and NULL epochs", () => {
    const corrupt = [0, 86_400, 1_000_000_000, 1_600_000_000_000, 1_700_000_000]
    const result = claudeMemReference(
      {
        sdk_sessions: [...corrupt.map((e) => session(e)), session(at(2025, 2, 2))],
        observations: [...corrupt.map((e) => obs(e)), { created_at_epoch: null }],
        session_summaries: corrupt.map((e) => ({ created_at_epoch: e, discovery_tokens: 5 })),
        user_prompts: corrupt.map((e) => ({ created_at_epoch: e }))
      },
      { nowMs: NOW }
    )
    expect(result.installDay).toBe("2025-02-02")
    expect(result.days).toEqual([
      {
        day: "2025-02-02",
        counters: { ...zeroSessions, session_count: 1, session_completed_count: 1, sessions_claude_count: 1, project_count: 1 }
      }
    ])
    // a custom floor moves the cut
    const lowFloor = claudeMemReference({ sdk_sessions: [session(1_600_000_000_000)] }, {
      nowMs: NOW,
      floorMs: Date.UTC(2020, 0, 1)
    })
    expect(lowFloor.installDay).toBe("2020-09-13")
  })

  it("day window: lastFullDay = utcDay(now - 60h), whole days only, compared as strings", () => {
    // now - 60h = 2025-06-08T00:00Z exactly -> lastFullDay 2025-06-08
    const now = Date.UTC(2025, 5, 10, 12)
    const rows = {
      sdk_sessions: [
        session(at(2025, 6, 1)),
        session(Date.UTC(2025, 5, 8, 23, 59, 59, 999)),
        session(Date.UTC(2025, 5, 9, 0, 0)),
        session(now - 30 * 3_600_000) // 2025-06-09T06:00Z
      ]
    }
    const result = claudeMemReference(rows, { nowMs: now })
    expect(result.lastFullDay).toBe("2025-06-08")
    expect(result.days.map((d) => [d.day, d.counters["session_count"]])).toEqual([["2025-06-01", 1], ["2025-06-08", 1]])
    // one millisecond earlier: now - 60h = 2025-06-07T23:59:59.999Z -> 2025-06-08 is a partial day, excluded
    const earlier = claudeMemReference(rows, { nowMs: now - 1 })
    expect(earlier.lastFullDay).toBe("2025-06-07")
    expect(earlier.days.map((d) => d.day)).toEqual(["2025-06-01"])
  })

  it("nothing at all when installDay > lastFullDay, or without first activity", () => {
    const young = claudeMemReference({ sdk_sessions: [session(NOW - 3_600_000)] }, { nowMs: NOW })
    expect(young).toEqual({ installDay: "2026-06-12", lastFullDay: "2026-06-09", days: [] })
    expect(claudeMemReference({}, { nowMs: NOW })).toEqual({ installDay: null, lastFullDay: "2026-06-09", days: [] })
    // summaries and prompts alone give no first activity
    expect(
      claudeMemReference(
        { session_summaries: [{ created_at_epoch: at(2025, 1, 1) }], user_prompts: [{ created_at_epoch: at(2025, 1, 1) }] },
        { nowMs: NOW }
      ).days
    ).toEqual([])
  })

  it("rows before the install day are dropped, rows of every table after it kept", () => {
    const result = claudeMemReference(
      {
        sdk_sessions: [session(at(2025, 3, 2))],
        observations: [obs(at(2025, 3, 1))],
        session_summaries: [{ created_at_epoch: at(2025, 3, 1) }, { created_at_epoch: at(2025, 3, 4), discovery_tokens: null }],
        user_prompts: [{ created_at_epoch: at(2025, 3, 5) }]
      },
      { nowMs: NOW }
    )
    expect(result.installDay).toBe("2025-03-02")
    expect(result.days).toEqual([
      {
        day: "2025-03-02",
        counters: { ...zeroSessions, session_count: 1, session_completed_count: 1, sessions_claude_count: 1, project_count: 1 }
      },
      // key presence: a summary-only day has only the summaries' keys (NULL tokens count 0), no project_count
      { day: "2025-03-04", counters: { summary_count: 1, discovery_tokens: 0 } },
      { day: "2025-03-05", counters: { prompt_count: 1 } }
    ])
  })

  it("closed enums: type and platform trimmed + lowercased, gemini-cli is gemini, the rest (and NULL) other", () => {
    const day = (h: number): number => at(2025, 4, 4, h)
    const result = claudeMemReference(
      {
        observations: [" Bugfix ", "DISCOVERY", "feature", "change", null, "Decision ", "refactor", "bug fix"].map((type, i) =>
          obs(day(1 + i), { type, agent_type: i < 2 ? "Explore" : null })
        ),
        sdk_sessions: [" Codex", "gemini-cli", "GEMINI", "cursor", null, "claude", "Claude "].map((platform_source, i) =>
          session(day(i), { platform_source, status: i === 0 ? "failed" : i === 1 ? "active" : "completed" })
        )
      },
      { nowMs: NOW }
    )
    expect(result.days).toEqual([
      {
        day: "2025-04-04",
        counters: {
          observation_count: 8,
          obs_type_bugfix: 1,
          obs_type_discovery: 1,
          obs_type_decision: 1,
          obs_type_refactor: 1,
          obs_type_other: 4,
          subagent_obs_count: 2,
          session_count: 7,
          session_completed_count: 5,
          session_failed_count: 1,
          sessions_claude_count: 2,
          sessions_codex_count: 1,
          sessions_gemini_count: 2,
          sessions_other_platform_count: 2,
          project_count: 1
        }
      }
    ])
  })

  it("project_count is one COUNT(DISTINCT) over the union of observations and sessions, NULL not counted", () => {
    const result = claudeMemReference(
      {
        observations: [obs(at(2025, 7, 1, 9), { project: "A" }), obs(at(2025, 7, 1, 10), { project: null })],
        sdk_sessions: [
          session(at(2025, 7, 1, 8), { project: "A" }),
          session(at(2025, 7, 1, 11), { project: "B" }),
          session(at(2025, 7, 2, 11), { project: null })
        ]
      },
      { nowMs: NOW }
    )
    expect(result.days.map((d) => [d.day, d.counters["project_count"]])).toEqual([
      ["2025-07-01", 2],
      ["2025-07-02", 0]
    ])
  })

  it("old schema: the keys needing agent_type, platform_source, discovery_tokens or user_prompts are absent", () => {
    const tables = {
      sdk_sessions: [session(at(2025, 3, 10, 9))],
      observations: [obs(at(2025, 3, 10, 9, 5))],
      session_summaries: [{ created_at_epoch: at(2025, 3, 10, 9, 30) }],
      user_prompts: [{ created_at_epoch: at(2025, 3, 10, 9) }]
    }
    const result = claudeMemReference(tables, { nowMs: NOW, schema: "old" })
    expect(result.days).toEqual([
      {
        day: "2025-03-10",
        counters: {
          observation_count: 1,
          obs_type_bugfix: 0,
          obs_type_discovery: 1,
          obs_type_decision: 0,
          obs_type_refactor: 0,
          obs_type_other: 0,
          session_count: 1,
          session_completed_count: 1,
          session_failed_count: 0,
          summary_count: 1,
          project_count: 1
        }
      }
    ])
    for (const key of CLAUDE_MEM_OLD_SCHEMA_MISSING_KEYS) expect(result.days[0]?.counters).not.toHaveProperty(key)
  })
})

describe("claudeMemReference on a generated sample", () => {
  const sample = generateClaudeMemRows({ seed: 7, days: 120, sessions: 300, observations: 4000 })
  const endMs = sample.options.endMs

  it("agrees with the generator's first-activity facts and skips the backdated artifacts", () => {
    const result = claudeMemReference(sample, { nowMs: endMs })
    expect(result.installDay).toBe(sample.firstActivityDay)
    expect(result.days[0]?.day).toBe(sample.firstActivityDay)
    expect(sample.backdatedArtifactEpochsMs).toHaveLength(2)
    for (const ms of sample.backdatedArtifactEpochsMs) {
      expect(new Date(ms).toISOString().slice(0, 10) < (result.installDay ?? "")).toBe(true)
    }
    // activity runs into the excluded last ~60h
    expect(result.lastFullDay < sample.span.lastDay).toBe(true)
    expect(result.days.at(-1)?.day).toBe(result.lastFullDay)
    for (const day of result.days) expect(Object.keys(day.counters).length).toBeGreaterThan(0)
  })

  it("the old schema of the same seed gives the same days and counters minus the missing keys", () => {
    const old = generateClaudeMemRows({ seed: 7, days: 120, sessions: 300, observations: 4000, schema: "old" })
    const current = claudeMemReference(sample, { nowMs: endMs })
    const expected = current.days
      .map((d) => ({
        day: d.day,
        counters: Object.fromEntries(
          Object.entries(d.counters).filter(([key]) => !CLAUDE_MEM_OLD_SCHEMA_MISSING_KEYS.includes(key))
        )
      }))
      .filter((d) => Object.keys(d.counters).length > 0)
    expect(claudeMemReference(old, { nowMs: endMs, schema: "old" })).toEqual({ ...current, days: expected })
  })
})
