import Database from "better-sqlite3"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import {
  CLAUDE_MEM_OLD_SCHEMA,
  CLAUDE_MEM_SCHEMA,
  type ClaudeMemSampleDatabase,
  type ClaudeMemSampleOptions,
  generateClaudeMemRows,
  writeClaudeMemSample
} from "../src/sample/index.js"

const dir = mkdtempSync(join(tmpdir(), "claude-mem-sample-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let fileCounter = 0
const open = (): { db: Database.Database; path: string } => {
  const path = join(dir, `sample-${++fileCounter}.db`)
  return { db: new Database(path), path }
}

const TABLES = ["sdk_sessions", "observations", "session_summaries", "user_prompts"] as const

const tableNames = (db: Database.Database): Array<string> =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>)
    .map((r) => r.name)
    .filter((name) => !name.startsWith("sqlite_"))

const columns = (db: Database.Database, table: string): Array<string> =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((r) => r.name)

const count = (db: Database.Database, sql: string, ...params: Array<unknown>): number =>
  (db.prepare(sql).get(...params) as { n: number }).n

/** sha256 over every row of every table, in id order */
const contentHash = (db: Database.Database): string => {
  const hash = createHash("sha256")
  for (const table of tableNames(db)) {
    hash.update(`#${table}\n`)
    for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY id`).iterate()) hash.update(`${JSON.stringify(row)}\n`)
  }
  return hash.digest("hex")
}

const norm = (v: number): number => (v < 1e12 ? v * 1000 : v)
const FLOOR = Date.UTC(2024, 0, 1)
const FLOOR_S = FLOOR / 1000

const small: ClaudeMemSampleOptions = { seed: 42, days: 90, sessions: 240, observations: 3_000, summaries: 380, prompts: 600 }

describe("ClaudeMemSample schema", () => {
  it("the DDL constants create the expected tables and columns", () => {
    const current = new Database(":memory:")
    current.exec(CLAUDE_MEM_SCHEMA)
    expect(tableNames(current)).toEqual(["observations", "sdk_sessions", "session_summaries", "user_prompts"])
    expect(columns(current, "observations")).toEqual([
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
      "discovery_tokens",
      "agent_type",
      "created_at",
      "created_at_epoch"
    ])
    expect(columns(current, "sdk_sessions")).toContain("platform_source")
    expect(columns(current, "session_summaries")).toContain("discovery_tokens")
    const indexes = (current.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'").all() as Array<{ name: string }>)
      .map((r) => r.name)
    expect(indexes).toEqual(expect.arrayContaining([
      "idx_observations_created",
      "idx_observations_project",
      "idx_sdk_sessions_started",
      "idx_sdk_sessions_project",
      "idx_session_summaries_created",
      "idx_user_prompts_created"
    ]))

    const old = new Database(":memory:")
    old.exec(CLAUDE_MEM_OLD_SCHEMA)
    expect(tableNames(old)).toEqual(["observations", "sdk_sessions", "session_summaries"])
    expect(columns(old, "observations")).not.toContain("agent_type")
    expect(columns(old, "observations")).not.toContain("discovery_tokens")
    expect(columns(old, "sdk_sessions")).not.toContain("platform_source")
    expect(columns(old, "session_summaries")).not.toContain("discovery_tokens")
    // the status CHECK is production-like
    expect(() =>
      current.prepare(
        "INSERT INTO sdk_sessions (content_session_id, started_at, started_at_epoch, status) VALUES ('x', 'y', 1, 'weird')"
      ).run()
    ).toThrow(/CHECK/)
  })
})

describe("writeClaudeMemSample (current schema)", () => {
  const { db, path } = open()
  // better-sqlite3's Database satisfies the structural interface as is
  const structural: ClaudeMemSampleDatabase = db
  const summary = writeClaudeMemSample(structural, small)

  it("writes exactly the requested rows", () => {
    expect(summary.rows).toEqual({ sdk_sessions: 240, observations: 3_000, session_summaries: 380, user_prompts: 600 })
    for (const table of TABLES) expect(count(db, `SELECT COUNT(*) AS n FROM ${table}`)).toBe(summary.rows[table])
    expect(summary.schema).toBe("current")
    expect(summary.span).toEqual({ firstDay: "2026-03-14", lastDay: "2026-06-11" })
  })

  it("keeps referential integrity (every observation, summary and prompt belongs to a session)", () => {
    expect(db.pragma("foreign_key_check")).toEqual([])
    expect(count(db, "SELECT COUNT(*) AS n FROM observations o LEFT JOIN sdk_sessions s USING (memory_session_id) WHERE s.id IS NULL"))
      .toBe(0)
  })

  it("mixes legacy second-unit epochs with milliseconds", () => {
    const seconds = count(
      db,
      "SELECT COUNT(*) AS n FROM observations WHERE created_at_epoch < 1000000000000 AND created_at_epoch >= ?",
      FLOOR_S
    )
    expect(seconds).toBeGreaterThan(10)
    expect(seconds).toBeLessThan(200)
    expect(count(db, "SELECT COUNT(*) AS n FROM sdk_sessions WHERE started_at_epoch < 1000000000000 AND started_at_epoch >= ?", FLOOR_S))
      .toBeGreaterThan(0)
    expect(count(db, "SELECT COUNT(*) AS n FROM observations WHERE created_at_epoch >= 1000000000000")).toBeGreaterThan(2_500)
    // a second-unit row and its text timestamp agree after normalization
    const row = db.prepare("SELECT created_at, created_at_epoch FROM observations WHERE created_at_epoch BETWEEN ? AND 999999999999 LIMIT 1")
      .get(FLOOR_S) as { created_at: string; created_at_epoch: number }
    expect(row.created_at.slice(0, 10)).toBe(new Date(row.created_at_epoch * 1000).toISOString().slice(0, 10))
  })

  it("plants the backdated artifacts: valid epochs months before the first session, in a later session", () => {
    const firstSessionMs = (db.prepare(
      "SELECT MIN(CASE WHEN started_at_epoch < 1000000000000 THEN started_at_epoch * 1000 ELSE started_at_epoch END) AS m FROM sdk_sessions WHERE (CASE WHEN started_at_epoch < 1000000000000 THEN started_at_epoch * 1000 ELSE started_at_epoch END) >= ?"
    ).get(FLOOR) as { m: number }).m
    expect(firstSessionMs).toBe(summary.firstActivityMs)
    const artifacts = db.prepare(
      `SELECT o.id, o.created_at_epoch AS epoch, s.started_at_epoch AS sessionEpoch
       FROM observations o JOIN sdk_sessions s USING (memory_session_id)
       WHERE (CASE WHEN o.created_at_epoch < 1000000000000 THEN o.created_at_epoch * 1000 ELSE o.created_at_epoch END) BETWEEN ? AND ?`
    ).all(FLOOR, firstSessionMs - 86_400_000) as Array<{ id: number; epoch: number; sessionEpoch: number }>
    expect(artifacts).toHaveLength(2)
    expect(artifacts.map((a) => a.epoch)).toEqual(summary.backdatedArtifactEpochsMs)
    for (const a of artifacts) {
      expect(firstSessionMs - a.epoch).toBeGreaterThan(30 * 86_400_000) // months before the install
      expect(norm(a.sessionEpoch) - firstSessionMs).toBeGreaterThan(30 * 86_400_000) // in a much later session
    }
  })

  it("plants corrupt epochs below the floor in every table, counted in the summary", () => {
    let total = 0
    for (const table of TABLES) {
      const col = table === "sdk_sessions" ? "started_at_epoch" : "created_at_epoch"
      const n = count(
        db,
        `SELECT COUNT(*) AS n FROM ${table} WHERE (CASE WHEN ${col} < 1000000000000 THEN ${col} * 1000 ELSE ${col} END) < ?`,
        FLOOR
      )
      expect(n).toBe(summary.corruptCounts[table])
      total += n
    }
    expect(total).toBe(5)
    expect(summary.corruptCounts.sdk_sessions).toBeGreaterThan(0)
    expect(count(db, "SELECT COUNT(*) AS n FROM observations WHERE created_at_epoch = 0")).toBe(1)
  })

  it("has messy closed-enum inputs: NULL/mixed-case/padded types, free-form platforms, all statuses, NULL projects", () => {
    const types = new Set((db.prepare("SELECT DISTINCT type FROM observations").all() as Array<{ type: string | null }>).map((r) => r.type))
    for (const t of [null, " Bugfix ", "DISCOVERY", "feature", "change", "bugfix", "discovery", "decision", "refactor"]) {
      expect(types).toContain(t)
    }
    const platforms = new Set(
      (db.prepare("SELECT DISTINCT platform_source AS p FROM sdk_sessions").all() as Array<{ p: string | null }>).map((r) => r.p)
    )
    for (const p of ["claude", " Codex", "gemini-cli", "GEMINI", "cursor", null]) expect(platforms).toContain(p)
    const statuses = (db.prepare("SELECT DISTINCT status FROM sdk_sessions ORDER BY status").all() as Array<{ status: string }>)
      .map((r) => r.status)
    expect(statuses).toEqual(["active", "completed", "failed"])
    expect(count(db, "SELECT COUNT(*) AS n FROM observations WHERE project IS NULL")).toBeGreaterThan(0)
    expect(count(db, "SELECT COUNT(*) AS n FROM sdk_sessions WHERE project IS NULL")).toBeGreaterThan(0)
    const subagent = count(db, "SELECT COUNT(*) AS n FROM observations WHERE agent_type IS NOT NULL")
    expect(subagent).toBeGreaterThan(100)
    expect(subagent).toBeLessThan(1_000)
    expect(count(db, "SELECT COUNT(DISTINCT project) AS n FROM observations")).toBeGreaterThan(3)
  })

  it("writes one discovery_tokens value per turn: identical on the turn's observations and its summary", () => {
    const mismatches = count(
      db,
      `SELECT COUNT(*) AS n FROM session_summaries s JOIN observations o
         ON o.memory_session_id = s.memory_session_id AND o.prompt_number = s.prompt_number
       WHERE o.discovery_tokens IS NOT s.discovery_tokens`
    )
    expect(mismatches).toBe(0)
    const joined = count(
      db,
      `SELECT COUNT(*) AS n FROM session_summaries s JOIN observations o
         ON o.memory_session_id = s.memory_session_id AND o.prompt_number = s.prompt_number`
    )
    expect(joined).toBeGreaterThan(500)
    // turns with several observations exist, so summing observations would multi-count
    expect(count(
      db,
      "SELECT COUNT(*) AS n FROM (SELECT 1 FROM observations GROUP BY memory_session_id, prompt_number HAVING COUNT(*) >= 3)"
    )).toBeGreaterThan(50)
    const sums = db.prepare(
      "SELECT (SELECT SUM(discovery_tokens) FROM observations) AS obs, (SELECT SUM(discovery_tokens) FROM session_summaries) AS sum"
    ).get() as { obs: number; sum: number }
    expect(sums.obs).toBeGreaterThan(sums.sum * 2)
  })

  it("puts recognisable sentinels in the free text, never in the numeric columns", () => {
    expect(count(db, "SELECT COUNT(*) AS n FROM observations WHERE title LIKE '%SECRET-%'")).toBe(3_000)
    expect(count(db, "SELECT COUNT(*) AS n FROM observations WHERE narrative LIKE '%/home/user/private-project%'"))
      .toBeGreaterThan(1_000)
    expect(count(db, "SELECT COUNT(*) AS n FROM observations WHERE files_read LIKE '%/home/user/private-project/%'")).toBe(3_000)
    expect(count(db, "SELECT COUNT(*) AS n FROM user_prompts WHERE prompt_text LIKE '%SECRET-%'")).toBe(600)
    expect(count(db, "SELECT COUNT(*) AS n FROM session_summaries WHERE request LIKE '%SECRET-%'")).toBe(380)
    expect(count(db, "SELECT COUNT(*) AS n FROM sdk_sessions WHERE project LIKE '%SECRET-%'")).toBeGreaterThan(0)
    const narrative = (db.prepare("SELECT AVG(LENGTH(narrative)) AS n FROM observations").get() as { n: number }).n
    expect(narrative).toBeGreaterThan(200)
    expect(narrative).toBeLessThan(700)
    // the file really holds the text (what a privacy test would grep for)
    db.pragma("wal_checkpoint(TRUNCATE)")
    expect(readFileSync(path).includes("/home/user/private-project")).toBe(true)
  })

  it("ends about a day before endMs: rows inside the excluded last 60h, none after endMs", () => {
    const endMs = summary.options.endMs
    const maxMs = (db.prepare(
      "SELECT MAX(CASE WHEN created_at_epoch < 1000000000000 THEN created_at_epoch * 1000 ELSE created_at_epoch END) AS m FROM observations"
    ).get() as { m: number }).m
    expect(maxMs).toBeLessThanOrEqual(endMs)
    expect(maxMs).toBeGreaterThan(endMs - 60 * 3_600_000)
    expect(endMs - maxMs).toBeGreaterThan(2 * 3_600_000)
    expect(count(
      db,
      "SELECT COUNT(*) AS n FROM sdk_sessions WHERE (CASE WHEN started_at_epoch < 1000000000000 THEN started_at_epoch * 1000 ELSE started_at_epoch END) > ?",
      endMs - 60 * 3_600_000
    )).toBeGreaterThan(0)
  })

  it("the file contains exactly the generator's rows", () => {
    const sample = generateClaudeMemRows(small)
    const fromDb = db.prepare("SELECT * FROM observations ORDER BY id").all()
    expect(fromDb).toEqual([...sample.observations].map((r) => ({ ...r })))
    expect(db.prepare("SELECT * FROM sdk_sessions ORDER BY id").all()).toEqual([...sample.sdk_sessions].map((r) => ({ ...r })))
  })
})

describe("writeClaudeMemSample (old schema)", () => {
  const { db } = open()
  const summary = writeClaudeMemSample(db, { ...small, schema: "old" })

  it("creates the old tables only and writes the same rows minus the missing columns", () => {
    expect(tableNames(db)).toEqual(["observations", "sdk_sessions", "session_summaries"])
    expect(summary.rows).toEqual({ sdk_sessions: 240, observations: 3_000, session_summaries: 380, user_prompts: 0 })
    expect(columns(db, "observations")).not.toContain("agent_type")
    expect(columns(db, "sdk_sessions")).not.toContain("platform_source")
    const sample = generateClaudeMemRows({ ...small, schema: "old" })
    const first = sample.observations[Symbol.iterator]().next().value
    expect(first).toBeDefined()
    expect(first).not.toHaveProperty("agent_type")
    expect(first).not.toHaveProperty("discovery_tokens")
    expect([...sample.user_prompts]).toEqual([])
  })

  it("shares days, types and projects with the current schema of the same seed", () => {
    const current = open().db
    writeClaudeMemSample(current, small)
    const q = "SELECT id, project, type, created_at_epoch FROM observations ORDER BY id"
    expect(db.prepare(q).all()).toEqual(current.prepare(q).all())
    const s = "SELECT id, project, status, started_at_epoch FROM sdk_sessions ORDER BY id"
    expect(db.prepare(s).all()).toEqual(current.prepare(s).all())
  })
})

describe("determinism", () => {
  it("same seed -> identical file contents; another seed -> different", () => {
    const hashes = [42, 42, 43].map((seed) => {
      const { db } = open()
      writeClaudeMemSample(db, { ...small, seed })
      const h = contentHash(db)
      db.close()
      return h
    })
    expect(hashes[0]).toBe(hashes[1])
    expect(hashes[0]).not.toBe(hashes[2])
  })

  it("the iterables are lazy and re-iterable with identical rows", () => {
    const sample = generateClaudeMemRows(small)
    const digest = (rows: Iterable<unknown>): string => {
      const h = createHash("sha256")
      for (const row of rows) h.update(JSON.stringify(row))
      return h.digest("hex")
    }
    expect(digest(sample.observations)).toBe(digest(sample.observations))
    expect(digest(sample.user_prompts)).toBe(digest(generateClaudeMemRows(small).user_prompts))
    expect(sample.counts).toEqual({ sdk_sessions: 240, observations: 3_000, session_summaries: 380, user_prompts: 600 })
  })

  it("edgeCases: false yields clean data", () => {
    const sample = generateClaudeMemRows({ ...small, edgeCases: false })
    let seconds = 0
    let nullTypes = 0
    let subagent = 0
    for (const row of sample.observations) {
      if (row.created_at_epoch < 1e12) seconds++
      if (row.type === null) nullTypes++
      if (row.agent_type != null) subagent++
    }
    expect({ seconds, nullTypes, subagent }).toEqual({ seconds: 0, nullTypes: 0, subagent: 0 })
    expect(sample.backdatedArtifactEpochsMs).toEqual([])
    expect(sample.corruptCounts).toEqual({ sdk_sessions: 0, observations: 0, session_summaries: 0, user_prompts: 0 })
  })

  it("rejects invalid options with a clear message", () => {
    expect(() => generateClaudeMemRows({ sessions: -1 })).toThrow(/sessions must be a non-negative integer/)
    expect(() => generateClaudeMemRows({ days: 0 })).toThrow(/days must be at least 1/)
    expect(() => generateClaudeMemRows({ sessions: 0, observations: 5 })).toThrow(/belong to sessions/)
    expect(() => generateClaudeMemRows({ legacySecondsFraction: 2 })).toThrow(/\[0, 1\]/)
  })
})

describe("scale", () => {
  // How fast and in how much memory is the benchmark's business (BENCHMARKS.md); here, that it is right.
  it("writes 200k observations, exactly the counts it reports", { timeout: 180_000 }, () => {
    const { db } = open()
    const summary = writeClaudeMemSample(db, { seed: 9, days: 1_100, sessions: 12_000, observations: 200_000 })
    expect(summary.rows.observations).toBe(200_000)
    expect(count(db, "SELECT COUNT(*) AS n FROM observations")).toBe(200_000)
    expect(count(db, "SELECT COUNT(*) AS n FROM sdk_sessions")).toBe(summary.rows.sdk_sessions)
    db.close()
  })
})
