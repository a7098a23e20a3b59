/**
 * Index probes: the indexed-columns query lists exactly the columns that lead
 * a full index, a storage-class probe answers from the index's ends (never a
 * scan) and agrees with the in-memory runner, "text only" is proved exactly
 * when every value is text, and a text-only table query merges to the same
 * days as the general one.
 */
import { type DayWindow, IndexProbes, Presets, type Query, RollupCompiler, RollupMerge } from "@posthog-backfill/core"
import { columnsOfRows, runQueryInMemory } from "@posthog-backfill/testkit/InMemoryQuery"
import Database from "better-sqlite3"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const window: DayWindow.ShippableWindow = { installDay: "2025-01-01", lastFullDay: "2025-01-10" }
const day = (d: number, hour = 9) => Date.UTC(2025, 0, 1 + d, hour)

const catalogOf = (db: Database.Database) => IndexProbes.readIndexedColumns(db.prepare(IndexProbes.compileIndexedColumns().sql).all() as Array<Query.Row>)

describe("the indexed-columns query", () => {
  it("lists the leading column of every full index, with its collation, and nothing else", () => {
    const db = new Database(":memory:")
    db.exec(`
      CREATE TABLE t (a TEXT, b TEXT COLLATE NOCASE, c TEXT, d TEXT, e TEXT);
      CREATE INDEX t_a ON t (a);
      CREATE INDEX t_b ON t (b);
      CREATE INDEX t_c_a ON t (c, a);
      CREATE INDEX t_d_partial ON t (d) WHERE d IS NOT NULL;
      CREATE INDEX t_expr ON t (lower(e));
      CREATE INDEX t_e_rtrim ON t (e COLLATE RTRIM);
      CREATE TABLE w (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
      CREATE VIEW v AS SELECT a FROM t;
    `)
    const indexed = catalogOf(db)
    expect(Object.fromEntries([...indexed].map(([table, columns]) => [table, Object.fromEntries(columns)]))).toEqual({
      t: { a: ["BINARY"], b: ["NOCASE"], c: ["BINARY"], e: ["RTRIM"] },
      w: { k: ["BINARY"] }
    })
    db.close()
  })

  it("skips rows that are not well formed and collations that are not plain names", () => {
    const indexed = IndexProbes.readIndexedColumns([
      { table_name: "T", column_name: "A", collation: "BINARY" },
      { table_name: "t", column_name: "a", collation: "NOCASE" },
      { table_name: "t", column_name: "b", collation: "my coll" },
      { table_name: "t", column_name: null, collation: "BINARY" },
      { table_name: 3, column_name: "c", collation: "BINARY" }
    ])
    expect([...indexed.get("t")!]).toEqual([["a", ["BINARY", "NOCASE"]]])
  })
})

/** A table `t (id, at, p)` with one row per value of `p`, an index on `p` with the collation, and the plan over it. */
const projectTable = (values: ReadonlyArray<unknown>, collation: string) => {
  const db = new Database(":memory:")
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER, p); CREATE INDEX t_p ON t (p COLLATE ${collation})`)
  const insert = db.prepare("INSERT INTO t (at, p) VALUES (?, ?)")
  values.forEach((value, i) => insert.run(day(i % 10), value))
  const spec = {
    tables: [{ table: "t", timeColumn: "at", metrics: [{ _tag: "Count" as const, key: "rows" }] }],
    firstActivity: [{ table: "t", timeColumn: "at" }],
    distinctCounts: [{ key: "distinct_p", sources: [{ table: "t", timeColumn: "at", column: "p" }] }]
  }
  const plan = RollupCompiler.compileRollup({ spec, columns: { t: ["id", "at", "p"] }, window, floorMs: Presets.claudeMem.floorMs })
  return { db, plan }
}

const storedValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("alpha", "Alpha", "beta ", "β", "") },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(1.5, -0.25, 1e300) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from("ab"), Buffer.from("")) }
)
const collation = fc.constantFrom("BINARY", "NOCASE", "RTRIM")

describe("storage-class probes", () => {
  it("prove text only exactly when every stored value is text or NULL, and agree with the in-memory runner", () => {
    fc.assert(
      fc.property(fc.array(storedValue, { maxLength: 12 }), collation, (values, coll) => {
        const { db, plan } = projectTable(values, coll)
        try {
          const probes = IndexProbes.compileTextOnlyProbes(plan.queries, catalogOf(db))
          expect(probes.map((probe) => [probe.table, probe.column])).toEqual([["t", "p"]])
          const probe = probes[0]!
          const answer = db.prepare(probe.sql).all() as Array<Query.Row>
          const allText = values.every((value) => value === null || typeof value === "string")
          expect(IndexProbes.readTextOnly(answer)).toBe(allText)
          // The in-memory runner reads Buffers as blobs and whole numbers as integers: the same classes.
          const rows = values.map((p, i) => ({ id: i + 1, at: day(i % 10), p }))
          expect(IndexProbes.readTextOnly(runQueryInMemory(probe, { t: rows }))).toBe(allText)
        } finally {
          db.close()
        }
      }),
      { numRuns: 300 }
    )
  })

  it("read both ends from the index, whatever its collation: no scan of the table", () => {
    for (const coll of ["BINARY", "NOCASE", "RTRIM"]) {
      const { db, plan } = projectTable(["a"], coll)
      const [probe] = IndexProbes.compileTextOnlyProbes(plan.queries, catalogOf(db))
      const steps = (db.prepare(`EXPLAIN QUERY PLAN ${probe!.sql}`).all() as Array<{ detail: string }>).map((s) => s.detail)
      expect(steps.filter((step) => /observations|\bt\b/.test(step))).toEqual([
        "SEARCH t USING COVERING INDEX t_p",
        "SEARCH t USING COVERING INDEX t_p"
      ])
      db.close()
    }
  })

  it("probe only the distinct columns that lead an index, once per table and column", () => {
    const plan = RollupCompiler.compileRollup({
      spec: Presets.claudeMem.spec,
      columns: { observations: ["project", "type", "agent_type", "created_at_epoch"], sdk_sessions: ["project", "status", "platform_source", "started_at_epoch"] },
      window,
      floorMs: Presets.claudeMem.floorMs
    })
    const indexed = IndexProbes.readIndexedColumns([
      { table_name: "observations", column_name: "project", collation: "BINARY" },
      { table_name: "observations", column_name: "type", collation: "BINARY" },
      { table_name: "sdk_sessions", column_name: "status", collation: "BINARY" }
    ])
    expect(IndexProbes.compileTextOnlyProbes([...plan.queries, ...plan.queries], indexed).map((probe) => probe.id)).toEqual([
      "storage-classes:observations.project"
    ])
    expect(IndexProbes.readTextOnly([])).toBe(false)
    expect(IndexProbes.readTextOnly([{ lo: "null", hi: "null" }])).toBe(true)
    expect(IndexProbes.readTextOnly([{ lo: "integer", hi: "text" }])).toBe(false)
  })
})

describe("text-only table queries", () => {
  it("merge to the same days as the general query on any text-only column", () => {
    const textValue = fc.oneof(fc.constantFrom("alpha", "Alpha", "beta ", "β", ""), fc.string({ maxLength: 4 }), fc.constant(null))
    fc.assert(
      fc.property(fc.array(textValue, { maxLength: 40 }), collation, (values, coll) => {
        const { db, plan } = projectTable(values, coll)
        try {
          const textOnly = plan.queries.map((query) => IndexProbes.withTextOnlyDistinct(query, ["P"]))
          expect(textOnly[0]!.sql).not.toBe(plan.queries[0]!.sql)
          const run = (queries: typeof plan.queries) =>
            RollupMerge.mergeRollups(plan, queries.map((q) => ({ id: q.id, rows: db.prepare(q.sql).all(...q.params) as Array<Query.Row> })))
          const general = run(plan.queries)
          expect(run(textOnly)).toEqual(general)
          const rows = values.map((p, i) => ({ id: i + 1, at: day(i % 10), p }))
          expect(RollupMerge.mergeRollups(plan, textOnly.map((q) => ({ id: q.id, rows: runQueryInMemory(q, { t: rows }) })))).toEqual(general)
        } finally {
          db.close()
        }
      }),
      { numRuns: 200 }
    )
  })

  it("apply the proofs of the query's own table only (names compare case-insensitively)", () => {
    const { db, plan } = projectTable(["a"], "BINARY")
    const [probe] = IndexProbes.compileTextOnlyProbes(plan.queries, catalogOf(db))
    db.close()
    const query = plan.queries[0]!
    expect(IndexProbes.withProvenTextOnly(query, [{ ...probe!, table: "T" }])).toEqual(IndexProbes.withTextOnlyDistinct(query, ["p"]))
    expect(IndexProbes.withProvenTextOnly(query, [{ ...probe!, table: "other" }])).toBe(query)
  })

  it("leaves a query without the named columns as it is", () => {
    const plan = RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns: columnsOfRows({ user_prompts: [{ created_at_epoch: 1 }] }), window, floorMs: Presets.claudeMem.floorMs })
    expect(IndexProbes.withTextOnlyDistinct(plan.queries[0]!, ["project"])).toBe(plan.queries[0])
  })
})
