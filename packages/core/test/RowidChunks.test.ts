/**
 * Rowid chunks: a table query cut into rowid ranges must read every row
 * exactly once, so the chunks' rows, merged, are the whole query's rows merged.
 * Proved on the ranges themselves (a partition of every rowid), on real SQLite
 * (random, sparse and negative rowids, rows in any time order, a column that
 * shadows `rowid`) and on the in-memory runner.
 */
import { DayWindow, FirstActivity, Presets, type Query, RollupCompiler, RollupMerge, RowidChunks } from "@posthog-backfill/core"
import { columnsOfRows, runQueryInMemory, type TableRows } from "@posthog-backfill/testkit/InMemoryQuery"
import Database from "better-sqlite3"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { claudeMemRows } from "./support/arbitraries.js"

type Chunk = { readonly from?: number; readonly to?: number }

/** The one table query of a database that has nothing but prompts. */
const promptsQuery = () =>
  RollupCompiler.compileRollup({
    spec: Presets.claudeMem.spec,
    columns: { user_prompts: ["created_at_epoch"] },
    window: { installDay: "2025-01-01", lastFullDay: "2025-01-31" },
    floorMs: Presets.claudeMem.floorMs
  }).queries[0]!

const inChunk = (rowid: number, chunk: Chunk) =>
  (chunk.from === undefined || rowid >= chunk.from) && (chunk.to === undefined || rowid < chunk.to)

const bounds = fc
  .tuple(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 30 }))
  .map(([lo, width]) => ({ lo, hi: lo + width }))
const options = fc.record({
  parts: fc.integer({ min: 0, max: 9 }),
  minChunkRows: fc.integer({ min: 1, max: 5000 }),
  maxChunks: fc.integer({ min: 1, max: 80 })
})

describe("rowidChunks", () => {
  it("partitions every rowid: unbounded at both ends, each boundary shared by two neighbours, strictly increasing", () => {
    fc.assert(
      fc.property(bounds, options, fc.array(fc.integer({ min: -(2 ** 41), max: 2 ** 41 }), { maxLength: 20 }), (b, o, probes) => {
        const chunks = RowidChunks.rowidChunks(b, o)
        expect(chunks.length).toBeGreaterThanOrEqual(1)
        expect(chunks.length).toBeLessThanOrEqual(o.maxChunks)
        expect(chunks[0]!.from).toBeUndefined()
        expect(chunks.at(-1)!.to).toBeUndefined()
        for (let i = 0; i + 1 < chunks.length; i++) {
          expect(chunks[i]!.to).toBe(chunks[i + 1]!.from)
          expect(Number.isInteger(chunks[i]!.to)).toBe(true)
          expect(chunks[i]!.to!).toBeGreaterThan(b.lo)
          expect(chunks[i]!.to!).toBeLessThanOrEqual(b.hi)
          if (i > 0) expect(chunks[i]!.to!).toBeGreaterThan(chunks[i]!.from!)
        }
        // Every rowid, inside the bounds or outside (rows added after the bounds were read), is in exactly one chunk.
        for (const rowid of [b.lo, b.hi, b.lo - 1, b.hi + 1, ...probes, ...chunks.flatMap((c) => [c.from ?? b.lo, (c.to ?? b.hi) - 1])]) {
          expect(chunks.filter((chunk) => inChunk(rowid, chunk)).length).toBe(1)
        }
      }),
      { numRuns: 500 }
    )
  })

  it("splits only with several connections and a table of at least two chunks, into at least one chunk per connection", () => {
    fc.assert(
      fc.property(bounds, options, (b, o) => {
        const span = b.hi - b.lo + 1
        const chunks = RowidChunks.rowidChunks(b, o)
        if (o.parts < 2 || span < 2 * o.minChunkRows || o.maxChunks < 2) {
          expect(chunks).toEqual([{}])
        } else {
          expect(chunks.length).toBeGreaterThanOrEqual(Math.min(o.parts, o.maxChunks, span))
          // Chunks are of even size (within one rowid), at least minChunkRows unless the connections need more.
          const inner = chunks.slice(1, -1).map((c) => c.to! - c.from!)
          for (const size of inner) expect(Math.abs(size - span / chunks.length)).toBeLessThanOrEqual(1)
        }
      }),
      { numRuns: 500 }
    )
  })

  it("keeps chunks near minChunkRows on a large table, up to maxChunks", () => {
    expect(RowidChunks.rowidChunks({ lo: 1, hi: 1_000_000 }, { parts: 2, minChunkRows: 100_000, maxChunks: 64 })).toHaveLength(10)
    expect(RowidChunks.rowidChunks({ lo: 1, hi: 1_000_000 }, { parts: 2, minChunkRows: 1000, maxChunks: 64 })).toHaveLength(64)
    expect(RowidChunks.rowidChunks({ lo: 1, hi: 150_000 }, { parts: 3, minChunkRows: 70_000, maxChunks: 64 })).toHaveLength(3)
    expect(RowidChunks.rowidChunks({ lo: 1, hi: 139_999 }, { parts: 2, minChunkRows: 70_000, maxChunks: 64 })).toEqual([{}])
  })
})

describe("readRowidBounds", () => {
  it("reads the bounds query's row, and null for an empty table or a malformed answer", () => {
    expect(RowidChunks.readRowidBounds([{ lo: 3, hi: 90 }])).toEqual({ lo: 3, hi: 90 })
    expect(RowidChunks.readRowidBounds([{ lo: -5n, hi: 7n }])).toEqual({ lo: -5, hi: 7 })
    expect(RowidChunks.readRowidBounds([{ lo: null, hi: null }])).toBeNull()
    expect(RowidChunks.readRowidBounds([])).toBeNull()
    expect(RowidChunks.readRowidBounds([{ lo: 9, hi: 2 }])).toBeNull()
    expect(RowidChunks.readRowidBounds([{ lo: "1", hi: 2 }])).toBeNull()
  })
})

describe("rowid aliases", () => {
  it("uses the first of rowid, _rowid_, oid that the table does not shadow, and gives up when all three are columns", () => {
    expect(RowidChunks.rowidAlias({ t: ["a"] }, "t")).toBe("rowid")
    expect(RowidChunks.rowidAlias({ t: ["ROWID", "a"] }, "t")).toBe("_rowid_")
    expect(RowidChunks.rowidAlias({ t: ["rowid", "_rowid_"] }, "t")).toBe("oid")
    expect(RowidChunks.rowidAlias({ t: ["rowid", "_rowid_", "OID"] }, "t")).toBeUndefined()
    expect(RowidChunks.rowidAlias({ t: ["a"] }, "missing")).toBeUndefined()
  })

  it("refuses a range that is not a rowid alias or not a finite number", () => {
    const query = promptsQuery()
    expect(() => RowidChunks.tableQueryInRange(query, { alias: "id" as never, from: 1 })).toThrow(/not a rowid alias/)
    expect(() => RowidChunks.tableQueryInRange(query, { alias: "rowid", to: Number.NaN })).toThrow(/not a finite number/)
    expect(RowidChunks.tableQueryInRange(query, { alias: "rowid", from: 5, to: 9 }).sql).toContain("rowid >= ? AND rowid < ?")
  })
})

/**
 * Loads row arrays into a real SQLite database at the given rowids (one list
 * per table, in insertion order), optionally with a user column named `rowid`
 * that shadows the real one.
 */
const toSqlite = (tables: TableRows, rowids: Record<string, ReadonlyArray<number>>, shadow: boolean): Database.Database => {
  const db = new Database(":memory:")
  for (const [table, rows] of Object.entries(tables)) {
    const columns = Object.keys(rows[0] ?? {})
    if (columns.length === 0) continue
    const declared = shadow ? ["rowid", ...columns] : columns
    db.exec(`CREATE TABLE "${table}" (${declared.map((c) => `"${c}"`).join(", ")})`)
    const insert = db.prepare(
      `INSERT INTO "${table}" (_rowid_, ${declared.map((c) => `"${c}"`).join(", ")}) VALUES (?, ${declared.map(() => "?").join(", ")})`
    )
    rows.forEach((row, i) => insert.run(rowids[table]![i]!, ...(shadow ? ["user text"] : []), ...columns.map((c) => row[c] as unknown)))
  }
  return db
}

/** Distinct rowids for each table's rows, sparse and possibly negative, in any insertion order. */
const withRowids = claudeMemRows.chain((tables) =>
  fc.record(
    Object.fromEntries(
      Object.entries(tables).map(([table, rows]) => [
        table,
        fc.uniqueArray(fc.integer({ min: -500, max: 5000 }), { minLength: rows.length, maxLength: rows.length })
      ])
    ) as Record<string, fc.Arbitrary<Array<number>>>
  ).map((rowids) => ({ tables: tables as TableRows, rowids }))
)

const chunkOptions = fc.record({
  parts: fc.integer({ min: 2, max: 4 }),
  minChunkRows: fc.integer({ min: 1, max: 8 }),
  maxChunks: fc.integer({ min: 2, max: 12 })
})
const now = fc.integer({ min: Date.UTC(2024, 0, 10), max: Date.UTC(2026, 8, 1) })

/** The plan of a database whose queries `run` answers. */
const planOf = (tables: TableRows, nowMs: number, run: (query: Query.AnyQuery, present: TableRows) => ReadonlyArray<Query.Row>) => {
  const present = Object.fromEntries(Object.entries(tables).filter(([, rows]) => rows.length > 0))
  const columns = columnsOfRows(present)
  const first = FirstActivity.compileFirstActivity({ spec: Presets.claudeMem.spec, columns, floorMs: Presets.claudeMem.floorMs })
  const window = DayWindow.dayWindow({ nowMs, firstActivityMs: first.query === null ? null : FirstActivity.readFirstActivity(run(first.query, present)) })
  if (!DayWindow.isShippable(window)) return undefined
  return { present, columns, plan: RollupCompiler.compileRollup({ spec: Presets.claudeMem.spec, columns, window, floorMs: Presets.claudeMem.floorMs }) }
}

describe("chunked table queries", () => {
  it("add up to the whole query on real SQLite, for any rowids, row order and chunking", () => {
    let splitRuns = 0
    fc.assert(
      fc.property(withRowids, chunkOptions, now, fc.boolean(), ({ rowids, tables }, chunking, nowMs, shadow) => {
        const db = toSqlite(tables, rowids, shadow)
        try {
          const all = (sql: string, params: ReadonlyArray<unknown>) => db.prepare(sql).all(...params) as Array<Query.Row>
          const planned = planOf(tables, nowMs, (query) => all(query.sql, query.params))
          if (planned === undefined) return
          const { plan } = planned
          const columns = shadow ? Object.fromEntries(Object.entries(planned.columns).map(([t, c]) => [t, ["rowid", ...c]])) : planned.columns
          const whole: Array<Query.QueryResult> = plan.queries.map((q) => ({ id: q.id, rows: all(q.sql, q.params) }))
          let split = 0
          const chunked: Array<Query.QueryResult> = plan.queries.flatMap((q) => {
            const boundsQuery = RowidChunks.compileRowidBounds(q, columns)!
            expect(boundsQuery.alias).toBe(shadow ? "_rowid_" : "rowid")
            const chunks = RowidChunks.splitTableQuery(q, boundsQuery, RowidChunks.readRowidBounds(all(boundsQuery.sql, boundsQuery.params)), chunking)
            if (chunks.length > 1) split++
            for (const chunk of chunks) expect(chunk.id).toBe(q.id)
            return chunks.map((chunk) => ({ id: chunk.id, rows: all(chunk.sql, chunk.params) }))
          })
          expect(RollupMerge.mergeRollups(plan, chunked)).toEqual(RollupMerge.mergeRollups(plan, whole))
          splitRuns += split > 0 ? 1 : 0
        } finally {
          db.close()
        }
      }),
      { numRuns: 200 }
    )
    // The property above is only as good as the runs that really split a table.
    expect(splitRuns).toBeGreaterThan(50)
  })

  it("add up to the whole query in memory", () => {
    fc.assert(
      fc.property(claudeMemRows, chunkOptions, now, (tables, chunking, nowMs) => {
        const planned = planOf(tables, nowMs, runQueryInMemory)
        if (planned === undefined) return
        const { columns, plan, present } = planned
        const whole = plan.queries.map((q) => ({ id: q.id, rows: runQueryInMemory(q, present) }))
        const chunked = plan.queries.flatMap((q) => {
          const boundsQuery = RowidChunks.compileRowidBounds(q, columns)!
          return RowidChunks.splitTableQuery(q, boundsQuery, RowidChunks.readRowidBounds(runQueryInMemory(boundsQuery, present)), chunking).map((chunk) => ({
            id: chunk.id,
            rows: runQueryInMemory(chunk, present)
          }))
        })
        expect(RollupMerge.mergeRollups(plan, chunked)).toEqual(RollupMerge.mergeRollups(plan, whole))
      }),
      { numRuns: 200 }
    )
  })

  it("a table too small to split, or an empty one, is read by the query itself", () => {
    const query = promptsQuery()
    const boundsQuery = RowidChunks.compileRowidBounds(query, { user_prompts: ["created_at_epoch"] })!
    expect(RowidChunks.splitTableQuery(query, boundsQuery, null, { parts: 2 })).toEqual([query])
    expect(RowidChunks.splitTableQuery(query, boundsQuery, { lo: 1, hi: 10 }, { parts: 2, minChunkRows: 6 })).toEqual([query])
    expect(RowidChunks.splitTableQuery(query, boundsQuery, { lo: 1, hi: 10 }, { parts: 1, minChunkRows: 1 })).toEqual([query])
    const chunks = RowidChunks.splitTableQuery(query, boundsQuery, { lo: 1, hi: 10 }, { parts: 2, minChunkRows: 5 })
    expect(chunks.map((chunk) => chunk.rowidRange)).toEqual([{ alias: "rowid", to: 6 }, { alias: "rowid", from: 6 }])
  })
})
