/**
 * Exact numbers: on generated claude-mem databases (legacy second epochs,
 * backdated artifacts, corrupt sub-floor epochs, NULLs, mixed-case enum text,
 * per-turn discovery tokens), the compiled SQL run by real SQLite must equal
 * the independent plain-JS reference of the seed's pinned table, day by day
 * and key by key, on the current and the old schema, for many clocks.
 */
import { DayWindow, Presets } from "@posthog-backfill/core"
import { CLAUDE_MEM_OLD_SCHEMA_MISSING_KEYS, claudeMemReference } from "./support/claudeMemReference.js"
import { generateClaudeMemRows, writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import { describe, expect, it } from "vitest"
import { planFromSqlite } from "./support/sqlitePlan.js"

const END = Date.parse("2026-06-12T09:30:00Z")

describe.each(["current", "old"] as const)("the %s claude-mem schema", (schema) => {
  const options = { seed: 42, endMs: END, days: 200, sessions: 300, schema }
  const db = new Database(":memory:")
  writeClaudeMemSample(db, options)
  const rows = generateClaudeMemRows(options)

  it.each([0, 1, 2, 3, 30, 120, 400])("matches the reference exactly at now = end + %i days", (offsetDays) => {
    const nowMs = END + offsetDays * DayWindow.DAY_MS
    const ours = planFromSqlite(db, { app: Presets.claudeMem, nowMs })
    const reference = claudeMemReference(rows, { nowMs, schema })
    expect(ours.window).toEqual({ installDay: reference.installDay, lastFullDay: reference.lastFullDay })
    expect(ours.rollups).toEqual(reference.days)
    expect(ours.rollups.length).toBeGreaterThan(100)
  })

  it("drops exactly the keys an old install lacks", () => {
    const dropped = planFromSqlite(db, { app: Presets.claudeMem, nowMs: END }).dropped.map((d) => d.key).sort()
    expect(dropped).toEqual(schema === "old" ? [...CLAUDE_MEM_OLD_SCHEMA_MISSING_KEYS].sort() : [])
  })

  it("ships none of the sentinel text stored in the database", () => {
    const shipped = JSON.stringify(planFromSqlite(db, { app: Presets.claudeMem, nowMs: END }).events)
    expect(shipped).not.toMatch(/SECRET-|private-project|\/home\//)
  })

  it("keeps the install day on the first session despite backdated artifact observations", () => {
    const ours = planFromSqlite(db, { app: Presets.claudeMem, nowMs: END })
    expect(rows.backdatedArtifactEpochsMs.length).toBeGreaterThan(0)
    for (const artifact of rows.backdatedArtifactEpochsMs) {
      expect(new Date(artifact).toISOString().slice(0, 10) < ours.window.installDay!).toBe(true)
    }
    expect(ours.window.installDay).toBe(rows.firstActivityDay)
  })
})
