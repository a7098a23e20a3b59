/**
 * Rollup merging: the rows the compiled queries returned -> one record per UTC
 * day. A table's keys are present on a day exactly when that table has at
 * least one in-window row that day, and then all of them are present,
 * zero-filled. Bucket values are mapped to their closed enum here; the raw
 * value never appears in the output. Distinct counts are counted here, once
 * over the union of their source tables' values. The result does not depend on
 * row order (rows of one day and group may come split: they add up).
 *
 * @since 0.1.0
 */
import { classifier, type ClosedEnum } from "../events/ClosedEnum.js"
import { numberOf, type QueryResult, type Row } from "../query/Query.js"
import { DAY_MS, dayStartMs, isDayInWindow, isDayRepresentable, utcDay } from "../time/DayWindow.js"
import type { RollupPlan, RollupTableQuery } from "./RollupCompiler.js"

/**
 * One day of activity: counters only.
 *
 * @since 0.1.0
 * @category models
 */
export interface DailyRollup {
  readonly day: string
  readonly counters: Readonly<Record<string, number>>
}

/** Drivers return numbers, bigints (safe-integer mode) or NULL; anything else adds nothing. */
const toNumber = (value: unknown): number => numberOf(value) ?? 0

/** One day's counters, and the distinct values collected for each distinct key. */
interface DayState {
  readonly counters: Map<string, number>
  readonly distinct: Map<string, Set<string>>
  /** The queries whose keys are already zero-filled on this day. */
  readonly filled: Set<RollupTableQuery>
}

const add = (counters: Map<string, number>, key: string, amount: number) =>
  counters.set(key, (counters.get(key) ?? 0) + amount)

/**
 * The identity of a distinct value, the way SQLite's `DISTINCT` tells values
 * apart: numbers by value (an integer and a real that are equal are one
 * value), text by its characters (bytes), blobs by their bytes, and never a
 * number equal to a text or a blob.
 */
const plainIdentity = (value: unknown): string | undefined => {
  if (value === null || value === undefined) return undefined
  if (typeof value === "number") return `n:${value}`
  if (typeof value === "string") return `s:${value}`
  return `j:${JSON.stringify(value)}`
}

/** A real or a blob as `quote()` wrote it: a numeric literal or `X'..'`. */
const typedIdentity = (literal: unknown): string | undefined => {
  if (typeof literal !== "string") return undefined
  if (/^[Xx]'/.test(literal)) return `b:${literal.slice(2, -1).toUpperCase()}`
  const n = Number(literal)
  return Number.isNaN(n) ? `s:${literal}` : `n:${n}`
}

const NONE: ReadonlyArray<string> = []

/**
 * Reads the JSON array columns of distinct values (written by SQLite's
 * `json_group_array`, or the in-memory runner) into value identities. The same
 * array text comes back on many rows (every group of a day lists that day's
 * values), so each distinct text is parsed once per merge. One reader per
 * identity: the same array text means different values in the plain and the
 * typed column (the text `X'6162'` is not the blob `X'6162'`).
 */
const identityReader = (identity: (element: unknown) => string | undefined) => {
  const cache = new Map<string, ReadonlyArray<string>>()
  return (value: unknown): ReadonlyArray<string> => {
    if (typeof value !== "string" || value === "[]" || value === "") return NONE
    let identities = cache.get(value)
    if (identities === undefined) {
      const parsed: unknown = JSON.parse(value)
      identities = Array.isArray(parsed) ? parsed.flatMap((element) => identity(element) ?? []) : NONE
      cache.set(value, identities)
    }
    return identities
  }
}

/** A classifier that remembers its answer per raw value (bucket columns repeat a handful of values). */
const memoClassifier = (definition: ClosedEnum) => {
  const classify = classifier(definition)
  const memo = new Map<unknown, string | undefined>()
  return (raw: unknown): string | undefined => {
    if (memo.has(raw)) return memo.get(raw)
    const key = classify(raw)
    if (typeof raw !== "object" || raw === null) memo.set(raw, key)
    return key
  }
}

/**
 * An incremental merge: feed it each query's rows (in any order, in as many
 * pieces as convenient: rows add up), then take the days. {@link mergeRollups}
 * is this in one call; a shell that receives rows in pieces can merge as they
 * arrive and keep each step short.
 *
 * @since 0.1.0
 * @category models
 */
export interface RollupMerger {
  /** Adds rows of the query `id`. Throws for an id that is not a query of the plan. */
  readonly add: (id: string, rows: ReadonlyArray<Row>) => void
  /** One record per day, sorted by day. Throws when a query of the plan never got rows (not even an empty batch). */
  readonly done: () => ReadonlyArray<DailyRollup>
}

/**
 * Starts an incremental merge for a plan.
 *
 * @since 0.1.0
 * @category merging
 */
export const makeRollupMerger = (plan: RollupPlan): RollupMerger => {
  const dayZeroMs = dayStartMs(plan.window.installDay)
  const byOffset = new Map<number, DayState | undefined>()
  const days = new Map<string, DayState>()
  const seen = new Set<string>()
  const readPlain = identityReader(plainIdentity)
  const readTyped = identityReader(typedIdentity)
  const queries = new Map(
    plan.queries.map((query) => [
      query.id,
      {
        query,
        classifiers: query.bucketColumns.map((bucket) => ({ alias: bucket.alias, classify: memoClassifier(bucket.enum) }))
      }
    ])
  )
  const dayOf = (row: Row): DayState | undefined => {
    const offset = toNumber(row["d"])
    if (!Number.isInteger(offset)) return undefined
    if (byOffset.has(offset)) return byOffset.get(offset)
    const ms = dayZeroMs + offset * DAY_MS
    const day = isDayRepresentable(ms) ? utcDay(ms) : undefined
    let state: DayState | undefined
    if (day !== undefined && isDayInWindow(day, plan.window)) {
      state = { counters: new Map(), distinct: new Map(), filled: new Set() }
      days.set(day, state)
    }
    byOffset.set(offset, state)
    return state
  }
  return {
    add: (id, rows) => {
      const entry = queries.get(id)
      if (entry === undefined) throw new Error(`mergeRollups: "${id}" is not a query of the plan`)
      seen.add(id)
      const { classifiers, query } = entry
      for (const row of rows) {
        const state = dayOf(row)
        if (state === undefined) continue
        const { counters } = state
        if (!state.filled.has(query)) {
          for (const key of query.keys) if (!counters.has(key)) counters.set(key, 0)
          state.filled.add(query)
        }
        const n = toNumber(row["n"])
        for (const key of query.countKeys) add(counters, key, n)
        for (const { alias, key } of query.valueColumns) add(counters, key, toNumber(row[alias]))
        for (const { alias, classify } of classifiers) {
          const key = classify(row[alias])
          if (key !== undefined) add(counters, key, n)
        }
        for (const { alias, key, typedAlias } of query.distinctColumns) {
          let values = state.distinct.get(key)
          if (values === undefined) state.distinct.set(key, (values = new Set()))
          for (const identity of readPlain(row[alias])) values.add(identity)
          for (const identity of readTyped(row[typedAlias])) values.add(identity)
        }
      }
    },
    done: () => {
      for (const query of plan.queries) {
        if (!seen.has(query.id)) throw new Error(`mergeRollups: no result for query "${query.id}"`)
      }
      return [...days.keys()].sort().map((day) => {
        const state = days.get(day)!
        const ordered: Record<string, number> = {}
        for (const key of plan.keys) {
          const value = state.counters.get(key) ?? state.distinct.get(key)?.size
          if (value !== undefined) ordered[key] = value
        }
        return { day, counters: ordered }
      })
    }
  }
}

/**
 * Merges query results into one record per day, sorted by day. A table
 * query's rows carry their day as an offset from the window's first day; the
 * merge turns it into `YYYY-MM-DD` and ignores days outside the plan's window
 * (compared as strings: the SQL already excludes them; this keeps the rule in
 * one place for any source). A distinct count is the number of distinct values
 * its source tables collected for the day (present when any of them has rows
 * that day). Throws when a query of the plan has no result: a silently
 * missing table would ship wrong numbers.
 *
 * @since 0.1.0
 * @category merging
 */
export const mergeRollups = (plan: RollupPlan, results: ReadonlyArray<QueryResult>): ReadonlyArray<DailyRollup> => {
  const merger = makeRollupMerger(plan)
  const ids = new Set(plan.queries.map((query) => query.id))
  for (const result of results) if (ids.has(result.id)) merger.add(result.id, result.rows)
  return merger.done()
}
