/**
 * The first seed's verification list (a) to (i), run through the real
 * compiler against real SQLite files (better-sqlite3) built with the
 * production-like claude-mem schema, current and old.
 */
import { BackfillApp, DayWindow, EventId, Presets, Scrub } from "@posthog-backfill/core"
import { CLAUDE_MEM_OLD_SCHEMA, CLAUDE_MEM_SCHEMA } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { planFromSqlite } from "./support/sqlitePlan.js"

const NOW = Date.parse("2026-06-12T08:00:00Z") // lastFullDay = 2026-06-09
const at = (iso: string) => Date.parse(iso)
const INSTALL_ID = "7d3f2b9e-5a1c-4e8f-9b2d-6c4a8e1f3b5d"

const open: Array<Database.Database> = []
afterEach(() => {
  while (open.length > 0) open.pop()!.close()
})

/** A claude-mem database file in a temp dir with insert helpers that fill every NOT NULL column. */
const claudeMemDb = (schema: "current" | "old" = "current") => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phb-seed-"))
  const db = new Database(path.join(dir, "claude-mem.db"))
  open.push(db)
  db.pragma("foreign_keys = OFF") // the cases insert rows without their parents
  db.exec(schema === "current" ? CLAUDE_MEM_SCHEMA : CLAUDE_MEM_OLD_SCHEMA)
  let n = 0
  const iso = (epoch: number) => new Date(epoch < 1e12 ? epoch * 1000 : epoch).toISOString()
  return {
    db,
    session(epoch: number, fields: { project?: string | null; status?: string; platform_source?: string | null } = {}) {
      n += 1
      const columns: Record<string, unknown> = {
        content_session_id: `content-${n}`,
        memory_session_id: `memory-${n}`,
        project: fields.project === undefined ? "my-secret-project" : fields.project,
        user_prompt: "SECRET prompt text",
        started_at: iso(epoch),
        started_at_epoch: epoch,
        status: fields.status ?? "completed"
      }
      if (schema === "current") columns["platform_source"] = fields.platform_source === undefined ? "claude" : fields.platform_source
      insert(db, "sdk_sessions", columns)
      return `memory-${n}`
    },
    observation(epoch: number, fields: { project?: string | null; type?: string | null; agent_type?: string | null; discovery_tokens?: number | null; session?: string } = {}) {
      const columns: Record<string, unknown> = {
        memory_session_id: fields.session ?? "memory-x",
        project: fields.project === undefined ? "my-secret-project" : fields.project,
        text: null,
        type: fields.type === undefined ? "discovery" : fields.type,
        title: "SECRET title /home/user/private-project",
        narrative: "SECRET narrative",
        created_at: iso(epoch),
        created_at_epoch: epoch
      }
      if (schema === "current") {
        columns["agent_type"] = fields.agent_type ?? null
        columns["discovery_tokens"] = fields.discovery_tokens ?? 0
      }
      insert(db, "observations", columns)
    },
    summary(epoch: number, fields: { discovery_tokens?: number | null } = {}) {
      const columns: Record<string, unknown> = {
        memory_session_id: "memory-x",
        project: "my-secret-project",
        request: "SECRET request",
        created_at: iso(epoch),
        created_at_epoch: epoch
      }
      if (schema === "current") columns["discovery_tokens"] = fields.discovery_tokens === undefined ? 0 : fields.discovery_tokens
      insert(db, "session_summaries", columns)
    },
    prompt(epoch: number) {
      insert(db, "user_prompts", {
        content_session_id: "content-1",
        prompt_number: 1,
        prompt_text: "SECRET please refactor /home/user/private-project",
        created_at: iso(epoch),
        created_at_epoch: epoch
      })
    }
  }
}

const insert = (db: Database.Database, table: string, columns: Record<string, unknown>) => {
  const names = Object.keys(columns)
  db.prepare(`INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).run(...names.map((k) => columns[k]))
}

const plan = (db: Database.Database, nowMs = NOW) => planFromSqlite(db, { app: Presets.claudeMem, nowMs, installId: INSTALL_ID, baseProperties: { version: "10.4.1", os: "linux" } })
const days = (db: Database.Database, nowMs = NOW) => plan(db, nowMs).rollups.map((r) => r.day)
const dayOf = (db: Database.Database, day: string) => plan(db).rollups.find((r) => r.day === day)?.counters

describe("the seed's verification list against real SQLite", () => {
  it("(a) mixed second and millisecond epochs land on the correct day, never 1970", () => {
    const t = claudeMemDb()
    t.session(at("2025-08-01T10:00:00Z"))
    t.observation(1_755_000_000) // seconds: 2025-08-12T12:00:00Z
    t.observation(at("2025-08-12T15:00:00Z"))
    t.session(Math.floor(at("2025-08-13T09:00:00Z") / 1000))
    expect(days(t.db)).toEqual(["2025-08-01", "2025-08-12", "2025-08-13"])
    expect(dayOf(t.db, "2025-08-12")?.["observation_count"]).toBe(2)
    expect(JSON.stringify(plan(t.db).events)).not.toContain("1970-")
  })

  it("(b) a row 47h old and the partial days after lastFullDay never ship; whole days only", () => {
    const t = claudeMemDb()
    t.session(at("2026-05-01T10:00:00Z"))
    t.observation(at("2026-06-09T23:59:59Z")) // lastFullDay itself: ships
    t.observation(at("2026-06-10T00:00:00Z")) // the next day: never
    t.observation(NOW - 47 * DayWindow.HOUR_MS)
    t.prompt(NOW - 1000)
    const result = plan(t.db)
    expect(result.window).toEqual({ installDay: "2026-05-01", lastFullDay: "2026-06-09" })
    expect(result.rollups.map((r) => r.day)).toEqual(["2026-05-01", "2026-06-09"])
    expect(result.rollups[1]!.counters["observation_count"]).toBe(1)
  })

  it("(b) a row before the project floor or before the install day produces no day", () => {
    const t = claudeMemDb()
    t.session(at("2025-10-19T10:00:00Z"))
    t.observation(at("2023-12-31T23:59:59Z")) // below the floor
    t.observation(0) // corrupt
    t.observation(at("2025-08-12T10:00:00Z")) // a backdated artifact before the install day
    t.observation(at("2025-10-19T11:00:00Z"))
    expect(days(t.db)).toEqual(["2025-10-19"])
  })

  it("(c) event uuids are stable across runs and v5-shaped", () => {
    const t = claudeMemDb()
    t.session(at("2025-10-19T10:00:00Z"))
    t.observation(at("2025-10-20T10:00:00Z"))
    const first = plan(t.db).events.map((e) => e.uuid)
    expect(plan(t.db).events.map((e) => e.uuid)).toEqual(first)
    for (const uuid of first) {
      expect(EventId.isUuid(uuid)).toBe(true)
      expect(uuid[14]).toBe("5")
    }
  })

  it("(d) every property of every built event survives the scrubber", () => {
    const t = claudeMemDb()
    t.session(at("2025-10-19T10:00:00Z"), { platform_source: "gemini-cli", status: "failed" })
    t.observation(at("2025-10-19T10:05:00Z"), { type: " Bugfix ", agent_type: "explore", discovery_tokens: 5 })
    t.summary(at("2025-10-19T10:06:00Z"), { discovery_tokens: 5 })
    t.prompt(at("2025-10-19T10:01:00Z"))
    const events = plan(t.db).events
    expect(events).toHaveLength(2)
    for (const event of events) {
      const scrubbable = Object.fromEntries(Object.entries(event.properties).filter(([k]) => !k.startsWith("$")))
      expect(Scrub.scrubProperties(BackfillApp.backfillWhitelist(Presets.claudeMem), scrubbable)).toEqual(scrubbable)
    }
    expect(Object.keys(events[1]!.properties).sort()).toEqual(
      [
        "$ignore_sent_at",
        "$process_person_profile",
        "backfilled",
        "discovery_tokens",
        "obs_type_bugfix",
        "obs_type_decision",
        "obs_type_discovery",
        "obs_type_other",
        "obs_type_refactor",
        "observation_count",
        "project_count",
        "prompt_count",
        "session_completed_count",
        "session_count",
        "session_failed_count",
        "sessions_claude_count",
        "sessions_codex_count",
        "sessions_gemini_count",
        "sessions_other_platform_count",
        "subagent_obs_count",
        "summary_count"
      ]
    )
  })

  it("(e) an empty database gives zero events and does not throw", () => {
    expect(plan(claudeMemDb().db).events).toEqual([])
    expect(plan(claudeMemDb("old").db).events).toEqual([])
  })

  it("(f) discovery tokens come from summaries only: 3 observations + 1 summary of 100 -> 100", () => {
    const t = claudeMemDb()
    t.session(at("2025-10-19T10:00:00Z"))
    for (let i = 0; i < 3; i++) t.observation(at("2025-10-19T10:05:00Z"), { discovery_tokens: 100 })
    t.summary(at("2025-10-19T10:06:00Z"), { discovery_tokens: 100 })
    t.summary(at("2025-10-19T11:06:00Z"), { discovery_tokens: null })
    expect(dayOf(t.db, "2025-10-19")).toMatchObject({ discovery_tokens: 100, summary_count: 2, observation_count: 3 })
  })

  it("(g) one session and one observation in it on the same day: session_count 1, project_count 1", () => {
    const t = claudeMemDb()
    const session = t.session(at("2025-10-19T10:00:00Z"), { project: "alpha" })
    t.observation(at("2025-10-19T10:05:00Z"), { project: "alpha", session })
    expect(dayOf(t.db, "2025-10-19")).toMatchObject({ session_count: 1, project_count: 1, observation_count: 1 })
  })

  it("(h) install_inferred uses the sessions MIN (not a backdated observation), at noon UTC, first_active_date in $set_once", () => {
    const t = claudeMemDb()
    t.observation(at("2025-08-12T10:00:00Z")) // backdated artifact rows
    t.observation(at("2025-08-12T10:01:00Z"))
    t.session(at("2025-10-19T23:30:00Z"))
    t.session(Math.floor(at("2025-11-02T10:00:00Z") / 1000))
    const [install] = plan(t.db).events
    expect(install).toMatchObject({
      event: "install_inferred",
      distinctId: INSTALL_ID,
      timestamp: new Date("2025-10-19T12:00:00.000Z")
    })
    expect(install!.properties).toMatchObject({
      first_active_date: "2025-10-19",
      backfilled: true,
      $set: { version: "10.4.1", os: "linux" },
      $set_once: { first_active_date: "2025-10-19" },
      $ignore_sent_at: true
    })
  })

  it("(h) falls back to observations only when there is no session at all", () => {
    const t = claudeMemDb()
    t.observation(at("2025-09-01T10:00:00Z"))
    expect(plan(t.db).window.installDay).toBe("2025-09-01")
  })

  it("(i) first activity an hour ago: zero events", () => {
    const t = claudeMemDb()
    t.session(NOW - DayWindow.HOUR_MS)
    t.observation(NOW - DayWindow.HOUR_MS)
    const result = plan(t.db)
    expect(result.events).toEqual([])
    expect(result.window.installDay).toBe("2026-06-12")
  })

  it("an old schema (no agent_type, platform_source, discovery_tokens, user_prompts) drops only those keys", () => {
    const t = claudeMemDb("old")
    t.session(at("2025-10-19T10:00:00Z"), { status: "failed" })
    t.observation(at("2025-10-19T10:05:00Z"), { type: "refactor" })
    t.summary(at("2025-10-19T10:06:00Z"))
    const result = plan(t.db)
    expect(result.dropped.map((d) => d.key)).toEqual([
      "subagent_obs_count",
      "sessions_claude_count",
      "sessions_codex_count",
      "sessions_gemini_count",
      "sessions_other_platform_count",
      "discovery_tokens",
      "prompt_count"
    ])
    expect(result.rollups).toEqual([
      {
        day: "2025-10-19",
        counters: {
          observation_count: 1,
          obs_type_bugfix: 0,
          obs_type_discovery: 0,
          obs_type_decision: 0,
          obs_type_refactor: 1,
          obs_type_other: 0,
          session_count: 1,
          session_completed_count: 0,
          session_failed_count: 1,
          summary_count: 1,
          project_count: 1
        }
      }
    ])
  })

  it("never ships a stored string: titles, prompts, projects, paths, raw enum text", () => {
    const t = claudeMemDb()
    t.session(at("2025-10-19T10:00:00Z"), { platform_source: "SECRET-platform", project: "SECRET-project" })
    t.observation(at("2025-10-19T10:05:00Z"), { type: "SECRET-type", agent_type: "SECRET-agent" })
    t.prompt(at("2025-10-19T10:01:00Z"))
    const shipped = JSON.stringify(plan(t.db).events)
    expect(shipped).not.toMatch(/SECRET|private-project|home\/user/)
  })
})
