/**
 * The off-thread activity source (`NodeActivitySource.layerWorker`, the default
 * for a path on Node): the same answers and errors as the inline source, from
 * a worker thread, while the host's event loop keeps running.
 */
import { FirstActivity, Presets } from "@posthog-backfill/core"
import { ActivitySource, Backfill, NodeActivitySource, RuntimeActivitySource } from "@posthog-backfill/effect"
import { CLAUDE_MEM_SCHEMA, writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { beginSharedSnapshot, pinSharedSnapshot, type SqliteWorker, startSqliteWorker } from "../src/internal/sqliteWorkerClient.js"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "phb-worker-"))
const END = Date.parse("2026-06-12T09:30:00Z")

const makeDb = (file: string) => {
  const db = new Database(file)
  db.exec(`
    CREATE TABLE sdk_sessions (id INTEGER PRIMARY KEY, project TEXT, status TEXT, platform_source TEXT, user_prompt TEXT, started_at_epoch INTEGER);
    CREATE TABLE observations (id INTEGER PRIMARY KEY, project TEXT, type TEXT, title TEXT, created_at_epoch INTEGER);
    INSERT INTO sdk_sessions VALUES (1, 'alpha', 'completed', 'claude', 'SECRET-1 fix my bug', ${Date.parse("2025-10-19T09:00:00Z")});
    INSERT INTO observations VALUES (1, 'alpha', 'bugfix', 'SECRET-2', ${Date.parse("2025-10-19T09:05:00Z")});
  `)
  return db
}

/** A query the tests run through the source: how many observations the worker sees. */
const countObservations = { _tag: "FirstActivityQuery", id: "n", sql: "SELECT count(*) AS n FROM observations", params: [], sources: [], floorMs: 0 } as const

/** The app commits one more observation. */
const addObservation = (app: Database.Database) =>
  app.prepare("INSERT INTO observations (project, type, title, created_at_epoch) VALUES ('beta', 'decision', 'SECRET-3', ?)").run(Date.parse("2025-10-20T10:00:00Z"))

/** The claude-mem plan of a source (the test clock sets its `now`). */
const plan = (layer: Layer.Layer<ActivitySource.ActivitySource, ActivitySource.ActivitySourceError>) =>
  Backfill.plan({ app: Presets.claudeMem, installId: "i" }).pipe(Effect.provide(layer))

/** The reference plan: through a host's own connection, read query by query (no snapshot, probes or chunks). */
const hostPlan = (file: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => new Database(file, { readonly: true })),
    (host) => plan(ActivitySource.layerDatabase(host)),
    (host) => Effect.sync(() => host.close())
  )

const workerOptions = (file: string) => ({ path: file, busyTimeoutMs: 1000, pragmas: NodeActivitySource.READ_PRAGMAS, niceness: 0, keepAlive: true })

const sourceOf = (layer: Layer.Layer<ActivitySource.ActivitySource, ActivitySource.ActivitySourceError>) =>
  Effect.map(Layer.build(layer), (context) => Context.get(context, ActivitySource.ActivitySource))

/** A claude-mem sample big enough that reading it inline holds a thread for a while. */
const sample = (() => {
  let file: string | undefined
  return () => {
    if (file !== undefined) return file
    file = path.join(tempDir(), "claude-mem.db")
    const db = new Database(file)
    writeClaudeMemSample(db, { seed: 7, endMs: END, days: 400, observations: 200_000, sessions: 20_000, freeText: "compact" })
    db.close()
    return file
  }
})()

/** Runs `effect` while a 1 ms interval watches the event loop; returns the longest gap between ticks. */
const watchingTheLoop = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    let last = performance.now()
    let longest = 0
    let ticks = 0
    const timer = setInterval(() => {
      const now = performance.now()
      longest = Math.max(longest, now - last)
      last = now
      ticks += 1
    }, 1)
    const value = yield* Effect.ensuring(effect, Effect.sync(() => clearInterval(timer)))
    return { value, longestStallMs: Math.max(longest, performance.now() - last), ticks }
  })

describe("NodeActivitySource.layerWorker", () => {
  it.scoped("reads columns and runs compiled queries from a worker thread, read-only", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "app.db")
      makeDb(file).close()
      const before = fs.readFileSync(file)
      const source = yield* sourceOf(NodeActivitySource.layerWorker({ path: file }))
      const columns = yield* source.columns
      expect(columns["sdk_sessions"]).toEqual(["id", "project", "status", "platform_source", "user_prompt", "started_at_epoch"])
      const { query } = FirstActivity.compileFirstActivity({ spec: Presets.claudeMem.spec, columns, floorMs: Presets.claudeMem.floorMs })
      expect(FirstActivity.readFirstActivity(yield* source.run(query!))).toBe(Date.parse("2025-10-19T09:00:00Z"))
      const write = yield* Effect.either(
        source.run({ _tag: "FirstActivityQuery", id: "w", sql: "DELETE FROM observations RETURNING id", params: [], sources: [], floorMs: 0 })
      )
      expect(write._tag === "Left" && write.left).toMatchObject({ _tag: "ActivitySourceError", reason: "QueryFailed" })
      expect(write._tag === "Left" && write.left.message).toMatch(/readonly/i)
      expect(fs.readFileSync(file).equals(before)).toBe(true)
    }))

  it.effect("fails like the inline source: a missing file, a file that is not SQLite, a lock held too long", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const missing = yield* Effect.flip(Effect.scoped(sourceOf(NodeActivitySource.layerWorker({ path: path.join(dir, "missing.db") }))))
      expect(missing).toMatchObject({ reason: "NotFound" })
      expect(missing.message).toContain("check the path")
      expect(fs.readdirSync(dir)).toEqual([])

      const notes = path.join(dir, "notes.txt")
      fs.writeFileSync(notes, "just some text, definitely not a database ".repeat(100))
      const notSqlite = yield* Effect.flip(Effect.scoped(sourceOf(NodeActivitySource.layerWorker({ path: notes }))))
      expect(notSqlite).toMatchObject({ reason: "NotADatabase" })

      const locked = path.join(dir, "locked.db")
      const writer = makeDb(locked)
      writer.exec("BEGIN EXCLUSIVE")
      try {
        const error = yield* Effect.flip(Effect.scoped(sourceOf(NodeActivitySource.layerWorker({ path: locked, busyTimeoutMs: 50 }))))
        expect(error).toMatchObject({ reason: "Locked" })
        expect(error.message).toMatch(/busyTimeoutMs option; on the command line, --busy-timeout/)
      } finally {
        writer.exec("ROLLBACK")
        writer.close()
      }
    }))

  it.scoped("lowPriority runs the worker threads at nice +10 on Linux (priority is per thread there)", () =>
    Effect.gen(function*() {
      if (process.platform !== "linux") return
      const niceValues = () =>
        fs.readdirSync("/proc/self/task").map((tid) => {
          const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8")
          // Fields after the command name (which may hold spaces): state is field 3, nice is field 19.
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])
        })
      const before = niceValues()
      const file = path.join(tempDir(), "app.db")
      makeDb(file).close()
      const source = yield* sourceOf(NodeActivitySource.layerWorker({ path: file, lowPriority: true }))
      yield* source.columns
      const during = niceValues()
      expect(during.filter((n) => n === before[0]! + 10).length).toBeGreaterThanOrEqual(1)
      expect(niceValues()[0]).toBe(before[0]) // the host's own thread keeps its priority
    }))

  it.scoped("plans exactly what the inline source plans", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(END)
      const file = sample()
      // The reference: a host's connection, read query by query (no snapshot, no index probes, no chunks).
      const reference = yield* hostPlan(file)
      expect(reference.events.length).toBeGreaterThan(300)
      expect(yield* plan(NodeActivitySource.layer({ path: file }))).toEqual(reference)
      // One worker reads each table whole; two and three share the large tables in rowid chunks.
      for (const workers of [1, 2, 3]) expect(yield* plan(NodeActivitySource.layerWorker({ path: file, workers }))).toEqual(reference)
    }), 60_000)

  it.scoped("an indexed distinct column that holds numbers and blobs is read with the general aggregates: the same plan as a host's connection", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(END)
      const file = path.join(tempDir(), "mixed.db")
      const app = new Database(file)
      app.exec(CLAUDE_MEM_SCHEMA)
      app.pragma("foreign_keys = OFF")
      const insert = app.prepare(
        "INSERT INTO observations (memory_session_id, project, type, created_at, created_at_epoch) VALUES ('m', ?, 'bugfix', '', ?)"
      )
      const projects: ReadonlyArray<unknown> = ["alpha", 7, 7.5, Buffer.from("alpha"), "X'616C706861'", null, "beta"]
      projects.forEach((project, i) => insert.run(project, Date.parse("2026-03-02T10:00:00Z") + i * 60_000))
      app.prepare(
        "INSERT INTO sdk_sessions (content_session_id, project, started_at, started_at_epoch, status) VALUES ('c', ?, '', ?, 'completed')"
      ).run(Buffer.from("alpha"), Date.parse("2026-03-01T10:00:00Z"))
      app.close()
      const reference = yield* hostPlan(file)
      // alpha, 7, 7.5, the blob, the text that looks like the blob, beta; the session's blob is the observation's.
      expect(reference.rollups.find((r) => r.day === "2026-03-02")?.counters["project_count"]).toBe(6)
      expect(yield* plan(NodeActivitySource.layer({ path: file }))).toEqual(reference)
      for (const workers of [1, 2]) expect(yield* plan(NodeActivitySource.layerWorker({ path: file, workers }))).toEqual(reference)
    }))

  it.scoped("a table without a rowid (WITHOUT ROWID, a view) is read whole: its bounds query fails and nothing else does", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(END)
      const file = path.join(tempDir(), "no-rowid.db")
      const app = new Database(file)
      app.exec(`
        CREATE TABLE observations (id INTEGER PRIMARY KEY, project TEXT NOT NULL, type TEXT, created_at_epoch INTEGER) WITHOUT ROWID;
        CREATE TABLE prompts_log (id INTEGER PRIMARY KEY, created_at_epoch INTEGER);
        CREATE VIEW user_prompts AS SELECT created_at_epoch FROM prompts_log;
        INSERT INTO observations VALUES (1, 'alpha', 'bugfix', ${Date.parse("2026-03-02T10:00:00Z")}), (2, 'beta', 'decision', ${Date.parse("2026-03-03T10:00:00Z")});
        INSERT INTO prompts_log VALUES (1, ${Date.parse("2026-03-02T11:00:00Z")});
      `)
      app.close()
      const reference = yield* hostPlan(file)
      expect(reference.summary.totals).toMatchObject({ observation_count: 2, prompt_count: 1 })
      expect(yield* plan(NodeActivitySource.layerWorker({ path: file, workers: 2 }))).toEqual(reference)
    }))

  it.scoped("a shared snapshot: every worker reads the file as it was when the snapshot began, while the app commits", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "app.db")
      const app = makeDb(file)
      app.pragma("journal_mode = WAL")
      const source = yield* sourceOf(NodeActivitySource.layerWorker({ path: file, workers: 2 }))
      // Two at once: each worker answers one.
      const counts = Effect.all([source.run(countObservations), source.run(countObservations)], { concurrency: 2 })
      const inside = yield* Effect.scoped(
        Effect.gen(function*() {
          expect(yield* source.sharedSnapshot!).toBe(true)
          addObservation(app)
          return yield* counts
        })
      )
      expect(inside).toEqual([[{ n: 1 }], [{ n: 1 }]])
      // The snapshot ended with its scope: both workers see the commit now.
      expect(yield* counts).toEqual([[{ n: 2 }], [{ n: 2 }]])
      app.close()
    }))

  it("the snapshot is not shared when the app commits between the workers' transactions: they end, and a retry aligns them", async () => {
    const file = path.join(tempDir(), "app.db")
    const app = makeDb(file)
    app.pragma("journal_mode = WAL")
    const first = await startSqliteWorker(workerOptions(file))
    const second = await startSqliteWorker(workerOptions(file))
    try {
      const count = async (worker: SqliteWorker) => (await worker.all(countObservations.sql, []))[0]
      /** The first worker's `BEGIN`, followed by `commits` more commits of the app, one per `BEGIN`. */
      const committingAfterBegin = (commits: number): SqliteWorker => ({
        ...first,
        exec: async (sql) => {
          await first.exec(sql)
          if (sql.startsWith("BEGIN") && commits-- > 0) addObservation(app)
        }
      })
      expect(await beginSharedSnapshot([committingAfterBegin(1), second])).toBe(false)
      // Both transactions ended: both workers see the commit.
      expect([await count(first), await count(second)]).toEqual([{ n: 2 }, { n: 2 }])

      const retried = await pinSharedSnapshot([committingAfterBegin(1), second])
      expect(retried.aligned).toBe(true)
      addObservation(app)
      expect([await count(first), await count(second)]).toEqual([{ n: 3 }, { n: 3 }])
      await retried.release()
      expect([await count(first), await count(second)]).toEqual([{ n: 4 }, { n: 4 }])

      const busyApp = await pinSharedSnapshot([committingAfterBegin(Infinity), second])
      expect(busyApp.aligned).toBe(false)
      expect([await count(first), await count(second)]).toEqual([{ n: 7 }, { n: 7 }])
    } finally {
      await Promise.all([first.close(), second.close()])
      app.close()
    }
  })

  it.scoped("in rollback-journal mode too, a plan's snapshot ends with the plan: the app can write while the source stays open", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(END)
      const file = path.join(tempDir(), "app.db")
      const app = makeDb(file)
      expect(app.pragma("journal_mode", { simple: true })).toBe("delete")
      const source = yield* sourceOf(NodeActivitySource.layerWorker({ path: file, workers: 2 }))
      const planned = yield* plan(Layer.succeed(ActivitySource.ActivitySource, source))
      expect(planned.summary.totals["observation_count"]).toBe(1)
      app.pragma("busy_timeout = 0")
      app.exec("BEGIN EXCLUSIVE")
      addObservation(app)
      app.exec("COMMIT")
      app.close()
    }))

  it.live("keeps the host's event loop running while it plans a large database (inline it does not)", () =>
    Effect.gen(function*() {
      const file = sample()
      const planFrom = (inline: boolean) => plan(RuntimeActivitySource.layer(file, { inline }))
      yield* planFrom(false) // warm: the first run also loads and compiles code
      const inline = yield* watchingTheLoop(planFrom(true))
      const offThread = yield* watchingTheLoop(planFrom(false))
      expect(offThread.value).toEqual(inline.value)
      // The two paths compared within one run, never against a number of milliseconds (a
      // fast quiet machine and a slow loaded one both pass): inline, the scan holds the loop
      // for its whole length; off-thread, only short slices of merging and event building
      // run on it. Measured here: about 20x apart, quiet or with both cores busy.
      expect(offThread.longestStallMs).toBeLessThan(inline.longestStallMs / 3)
      expect(offThread.ticks).toBeGreaterThan(2 * inline.ticks)
    }), 60_000)
})
