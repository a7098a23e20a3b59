/**
 * The rollup spec: a declarative, typed description of an app's activity
 * tables. The compiler turns it into SQLite SQL that aggregates per UTC day;
 * nothing in a spec can select a stored string into the output (strings are
 * only grouped, bucketed in code, or counted distinct inside SQLite).
 *
 * @since 0.1.0
 */
import { type ClosedEnum, enumKeys } from "../events/ClosedEnum.js"

/**
 * `COUNT(*)`: rows of the table on that day.
 *
 * @since 0.1.0
 * @category models
 */
export interface CountMetric {
  readonly _tag: "Count"
  readonly key: string
}

/**
 * `COUNT(column)`: rows whose `column IS NOT NULL`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CountNotNullMetric {
  readonly _tag: "CountNotNull"
  readonly key: string
  readonly column: string
}

/**
 * `SUM(column)` with NULL counted as 0.
 *
 * @since 0.1.0
 * @category models
 */
export interface SumMetric {
  readonly _tag: "Sum"
  readonly key: string
  readonly column: string
}

/**
 * Row counts per closed-enum bucket of a free-text column. The column is
 * grouped in SQL and mapped to the enum in code; the raw value never ships.
 *
 * @since 0.1.0
 * @category models
 */
export interface BucketsMetric {
  readonly _tag: "Buckets"
  readonly column: string
  readonly enum: ClosedEnum
}

/**
 * @since 0.1.0
 * @category models
 */
export type Metric = CountMetric | CountNotNullMetric | SumMetric | BucketsMetric

/**
 * One activity table: its time column (seconds or milliseconds) and its
 * metrics. The compiler reads the table once per run.
 *
 * @since 0.1.0
 * @category models
 */
export interface TableRollup {
  readonly table: string
  readonly timeColumn: string
  readonly metrics: ReadonlyArray<Metric>
}

/**
 * A column of a table that feeds a cross-table distinct count.
 *
 * @since 0.1.0
 * @category models
 */
export interface DistinctSource {
  readonly table: string
  readonly timeColumn: string
  readonly column: string
}

/**
 * `COUNT(DISTINCT column)` per day over the union of several tables: computed
 * once over the union, never summed per table. Sources whose table or columns
 * are missing are left out of the union; the key is dropped only when no
 * source remains.
 *
 * @since 0.1.0
 * @category models
 */
export interface DistinctCount {
  readonly key: string
  readonly sources: ReadonlyArray<DistinctSource>
}

/**
 * A table and time column that can tell when activity started.
 *
 * @since 0.1.0
 * @category models
 */
export interface TimeSource {
  readonly table: string
  readonly timeColumn: string
}

/**
 * An app's rollup spec.
 *
 * `firstActivity` lists time sources in priority order: the first one that
 * yields a value wins (sessions first; a fallback only when the first yields
 * nothing). Never a cross-table MIN: backdated artifact rows in a secondary
 * table would bake a wrong install date into undeletable data.
 *
 * @since 0.1.0
 * @category models
 */
export interface RollupSpec {
  readonly tables: ReadonlyArray<TableRollup>
  readonly distinctCounts?: ReadonlyArray<DistinctCount> | undefined
  readonly firstActivity: ReadonlyArray<TimeSource>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const count = (key: string): CountMetric => ({ _tag: "Count", key })

/**
 * @since 0.1.0
 * @category constructors
 */
export const countNotNull = (key: string, column: string): CountNotNullMetric => ({ _tag: "CountNotNull", key, column })

/**
 * @since 0.1.0
 * @category constructors
 */
export const sum = (key: string, column: string): SumMetric => ({ _tag: "Sum", key, column })

/**
 * @since 0.1.0
 * @category constructors
 */
export const buckets = (column: string, definition: ClosedEnum): BucketsMetric => ({
  _tag: "Buckets",
  column,
  enum: definition
})

/**
 * The property keys a metric produces.
 *
 * @since 0.1.0
 * @category getters
 */
export const metricKeys = (metric: Metric): ReadonlyArray<string> =>
  metric._tag === "Buckets" ? enumKeys(metric.enum) : [metric.key]

/**
 * The column a metric needs besides the time column, if any.
 *
 * @since 0.1.0
 * @category getters
 */
export const metricColumn = (metric: Metric): string | undefined => (metric._tag === "Count" ? undefined : metric.column)

/**
 * Every counter key the spec can produce, in declaration order.
 *
 * @since 0.1.0
 * @category getters
 */
export const specKeys = (spec: RollupSpec): ReadonlyArray<string> => [
  ...spec.tables.flatMap((table) => table.metrics.flatMap(metricKeys)),
  ...(spec.distinctCounts ?? []).map((distinct) => distinct.key)
]

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
const PROPERTY_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

/**
 * True for a SQL identifier the compiler accepts (letters, digits, `_`; not
 * starting with a digit; at most 64 characters). Identifiers are also quoted.
 *
 * @since 0.1.0
 * @category validation
 */
export const isIdentifier = (value: string): boolean => IDENTIFIER.test(value)

/**
 * True for an event property key a spec may produce (no `$` prefix: those are
 * PostHog's own).
 *
 * @since 0.1.0
 * @category validation
 */
export const isPropertyKey = (value: string): boolean => PROPERTY_KEY.test(value)

/**
 * Keys the event builder adds itself; a spec may not produce them.
 *
 * @since 0.1.0
 * @category constants
 */
export const RESERVED_KEYS: ReadonlyArray<string> = ["backfilled", "first_active_date"]

/**
 * Every problem with a spec, as sentences (empty when valid).
 *
 * @since 0.1.0
 * @category validation
 */
export const validateRollupSpec = (spec: RollupSpec): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const identifier = (where: string, value: string) => {
    if (!isIdentifier(value)) {
      problems.push(`${where}: ${JSON.stringify(value)} is not a plain SQL identifier (letters, digits and _ only)`)
    }
  }
  const seen = new Set<string>()
  const key = (where: string, value: string) => {
    if (!isPropertyKey(value)) {
      problems.push(`${where}: key ${JSON.stringify(value)} must start with a letter and hold only letters, digits and _`)
    } else if (RESERVED_KEYS.includes(value)) {
      problems.push(`${where}: key "${value}" is reserved for the event builder`)
    } else if (seen.has(value)) {
      problems.push(`${where}: key "${value}" is produced twice`)
    }
    seen.add(value)
  }
  const tables = new Set<string>()
  for (const table of spec.tables) {
    const where = `table ${table.table}`
    identifier(where, table.table)
    identifier(`${where} time column`, table.timeColumn)
    if (tables.has(table.table.toLowerCase())) problems.push(`${where}: declared twice (merge its metrics into one entry)`)
    tables.add(table.table.toLowerCase())
    if (table.metrics.length === 0) problems.push(`${where}: has no metrics`)
    for (const metric of table.metrics) {
      const column = metricColumn(metric)
      if (column !== undefined) identifier(`${where} metric column`, column)
      if (metric._tag === "Buckets" && metric.enum.buckets.length === 0) {
        problems.push(`${where}: buckets over ${metric.column} declare no bucket`)
      }
      for (const k of metricKeys(metric)) key(where, k)
    }
  }
  for (const distinct of spec.distinctCounts ?? []) {
    const where = `distinct count ${distinct.key}`
    key(where, distinct.key)
    if (distinct.sources.length === 0) problems.push(`${where}: has no source table`)
    for (const source of distinct.sources) {
      identifier(where, source.table)
      identifier(where, source.timeColumn)
      identifier(where, source.column)
    }
  }
  if (spec.firstActivity.length === 0) problems.push("firstActivity: needs at least one time source")
  for (const source of spec.firstActivity) {
    identifier("firstActivity", source.table)
    identifier("firstActivity", source.timeColumn)
  }
  return problems
}

/**
 * Thrown by {@link assertValidRollupSpec}; lists every problem at once.
 *
 * @since 0.1.0
 * @category errors
 */
export class RollupSpecError extends Error {
  override readonly name = "RollupSpecError"
  constructor(readonly problems: ReadonlyArray<string>) {
    super(`Invalid rollup spec: fix these and try again:\n- ${problems.join("\n- ")}`)
  }
}

/**
 * Throws a {@link RollupSpecError} naming every problem, or returns the spec.
 *
 * @since 0.1.0
 * @category validation
 */
export const assertValidRollupSpec = <S extends RollupSpec>(spec: S): S => {
  const problems = validateRollupSpec(spec)
  if (problems.length > 0) throw new RollupSpecError(problems)
  return spec
}
