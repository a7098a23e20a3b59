/**
 * The activity source layers over real SQLite files in a temp dir.
 */
import { FirstActivity, Presets } from "@posthog-backfill/core"
import { ActivitySource, Backfill, NodeActivitySource } from "@posthog-backfill/effect"
import { SqlClientActivitySource } from "@posthog-backfill/effect/sql"
import { describe, expect, it } from "@effect/vitest"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import Database from "better-sqlite3"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "phb-source-"))
const NOW = Date.parse("2026-06-12T08:00:00Z")

const makeDb = (file: string, options: { wal?: boolean } = {}) => {
  const db = new Database(file)
  if (options.wal) db.pragma("journal_mode = WAL")
  db.exec(`
    CREATE TABLE sdk_sessions (id INTEGER PRIMARY KEY, project TEXT, status TEXT, platform_source TEXT, user_prompt TEXT, started_at_epoch INTEGER);
    CREATE TABLE observations (id INTEGER PRIMARY KEY, project TEXT, type TEXT, title TEXT, created_at_epoch INTEGER);
    INSERT INTO sdk_sessions VALUES (1, 'alpha', 'completed', 'claude', 'SECRET-1 fix my bug', ${Date.parse("2025-10-19T09:00:00Z")});
    INSERT INTO observations VALUES (1, 'alpha', 'bugfix', 'SECRET-2', ${Date.parse("2025-10-19T09:05:00Z")});
  `)
  return db
}

/** Builds a layer in the current scope (so the connection stays open for the test) and returns the source. */
const sourceOf = (layer: Layer.Layer<ActivitySource.ActivitySource, ActivitySource.ActivitySourceError>) =>
  Effect.map(Layer.build(layer), (context) => Context.get(context, ActivitySource.ActivitySource))

const first = (source: ActivitySource.Service) =>
  Effect.gen(function*() {
    const columns = yield* source.columns
    const { query } = FirstActivity.compileFirstActivity({ spec: Presets.claudeMem.spec, columns, floorMs: Presets.claudeMem.floorMs })
    return { columns, first: FirstActivity.readFirstActivity(yield* source.run(query!)) }
  })

describe("NodeActivitySource", () => {
  it.scoped("reads columns and runs compiled queries on a real file, read-only", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "app.db")
      makeDb(file).close()
      const before = fs.readFileSync(file)
      const source = yield* sourceOf(NodeActivitySource.layer({ path: file }))
      const { columns, first: ms } = yield* first(source)
      expect(columns["sdk_sessions"]).toEqual(["id", "project", "status", "platform_source", "user_prompt", "started_at_epoch"])
      expect(ms).toBe(Date.parse("2025-10-19T09:00:00Z"))
      const write = yield* Effect.either(source.run({ _tag: "FirstActivityQuery", id: "w", sql: "DELETE FROM observations RETURNING id", params: [], sources: [], floorMs: 0 }))
      expect(write._tag === "Left" && write.left.message).toMatch(/readonly/i)
      expect(fs.readFileSync(file).equals(before)).toBe(true)
    }))

  it.effect("says what is wrong when the file is missing, and creates nothing", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const file = path.join(dir, "missing.db")
      const error = yield* Effect.flip(Effect.scoped(NodeActivitySource.open({ path: file })))
      expect(error).toMatchObject({ _tag: "ActivitySourceError", reason: "NotFound" })
      expect(error.message).toContain("check the path")
      expect(fs.readdirSync(dir)).toEqual([])
    }))

  it.effect("says when the file is not SQLite", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "notes.txt")
      fs.writeFileSync(file, "just some text, definitely not a database ".repeat(100))
      const error = yield* Effect.flip(Effect.scoped(NodeActivitySource.open({ path: file })))
      expect(error).toMatchObject({ reason: "NotADatabase" })
      expect(error.message).toMatch(/is not a SQLite database/)
    }))

  it.effect("fails clearly when another connection holds an exclusive lock past the busy timeout", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "locked.db")
      const writer = makeDb(file)
      writer.exec("BEGIN EXCLUSIVE")
      try {
        const result = yield* Effect.either(
          Effect.scoped(Effect.flatMap(NodeActivitySource.open({ path: file, busyTimeoutMs: 50 }), (db) => Effect.sync(() => db)))
        )
        expect(result._tag === "Left" && result.left).toMatchObject({ reason: "Locked" })
        expect(result._tag === "Left" && result.left.message).toMatch(/try again later, or wait longer .*--busy-timeout <ms>/)
      } finally {
        writer.exec("ROLLBACK")
        writer.close()
      }
    }))

  it.live("waits out a lock another process holds for less than the busy timeout", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "busy.db")
      makeDb(file).close()
      const holder = spawn(process.execPath, [
        "-e",
        `const D=require("better-sqlite3");const db=new D(${JSON.stringify(file)});db.exec("BEGIN EXCLUSIVE");` +
          `process.stdout.write("locked\\n");setTimeout(()=>{db.exec("COMMIT");db.close()},400)`
      ], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] })
      yield* Effect.async<void>((resume) => void holder.stdout.once("data", () => resume(Effect.void)))
      const started = Date.now()
      const result = yield* Effect.scoped(
        Effect.flatMap(sourceOf(NodeActivitySource.layer({ path: file, busyTimeoutMs: 5000 })), first)
      )
      expect(result.first).toBe(Date.parse("2025-10-19T09:00:00Z"))
      expect(Date.now() - started).toBeGreaterThan(100) // it really waited for the lock
      yield* Effect.async<void>((resume) => (holder.exitCode !== null ? resume(Effect.void) : void holder.once("exit", () => resume(Effect.void))))
    }))

  it.effect("reads a WAL database while another connection is writing", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "wal.db")
      const writer = makeDb(file, { wal: true })
      writer.exec("BEGIN IMMEDIATE; INSERT INTO observations VALUES (2, 'beta', 'refactor', 'x', 1760000000000);")
      try {
        const result = yield* Effect.scoped(
          Effect.flatMap(sourceOf(NodeActivitySource.layer({ path: file, busyTimeoutMs: 50 })), first)
        )
        expect(result.first).toBe(Date.parse("2025-10-19T09:00:00Z"))
      } finally {
        writer.exec("ROLLBACK")
        writer.close()
      }
    }))
})

describe("ActivitySource over a host connection and an @effect/sql SqlClient", () => {
  it.effect("a host connection is used as is and never closed", () =>
    Effect.gen(function*() {
      const db = makeDb(":memory:")
      const source = yield* Effect.provide(ActivitySource.ActivitySource, ActivitySource.layerDatabase(db))
      expect((yield* first(source)).first).toBe(Date.parse("2025-10-19T09:00:00Z"))
      expect(db.open).toBe(true)
      db.close()
    }))

  it.scoped("an @effect/sql-sqlite-node client plans the same events as better-sqlite3", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const file = path.join(tempDir(), "sql.db")
      makeDb(file).close()
      const viaSqlClient = yield* Backfill.plan({ app: Presets.claudeMem, installId: "i" }).pipe(
        Effect.provide(SqlClientActivitySource.layer.pipe(Layer.provide(SqliteClient.layer({ filename: file, readonly: true, disableWAL: true }))))
      )
      const viaFile = yield* Backfill.plan({ app: Presets.claudeMem, installId: "i" }).pipe(Effect.provide(NodeActivitySource.layer({ path: file })))
      expect(viaSqlClient.events.length).toBe(2)
      expect(viaSqlClient).toEqual(viaFile)
    }))
})

describe("ActivitySource.layerLazy", () => {
  it.scoped("builds the inner source on the first query only, once", () =>
    Effect.gen(function*() {
      let builds = 0
      const inner = Layer.effect(
        ActivitySource.ActivitySource,
        Effect.sync(() => {
          builds += 1
          return { columns: Effect.succeed({ t: ["c"] }), run: () => Effect.succeed([]) }
        })
      )
      const source = yield* sourceOf(ActivitySource.layerLazy(inner))
      expect(builds).toBe(0)
      expect(yield* source.columns).toEqual({ t: ["c"] })
      yield* source.columns
      expect(builds).toBe(1)
    }))

  it.scoped("reports the inner source's error at the first query, not at build", () =>
    Effect.gen(function*() {
      const source = yield* sourceOf(ActivitySource.layerLazy(NodeActivitySource.layer({ path: path.join(tempDir(), "missing.db") })))
      const error = yield* Effect.flip(source.columns)
      expect(error.reason).toBe("NotFound")
    }))
})

describe("BunActivitySource", () => {
  it("reads a real file through bun:sqlite under Bun, read-only", () => {
    const file = path.join(tempDir(), "bun.db")
    makeDb(file).close()
    const bun = path.resolve("node_modules/.bin/bun")
    const result = spawnSync(bun, ["run", path.resolve("packages/effect/test/bun/activitySource.bun.ts"), file], {
      encoding: "utf8",
      timeout: 60_000
    })
    expect(result.stderr).not.toMatch(/error/i)
    expect(result.status).toBe(0)
    const output = JSON.parse(result.stdout.trim().split("\n").at(-1)!)
    expect(output).toEqual({
      runtime: "bun",
      firstActivityMs: Date.parse("2025-10-19T09:00:00Z"),
      events: 2,
      writeRefused: true,
      missing: "NotFound"
    })
  })
})
