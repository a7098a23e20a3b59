/**
 * The catalog of an app's live events, declared with Effect Schema. Each event
 * has a name, a payload schema and, optionally, a dedupe key (what identifies
 * one occurrence, e.g. a compaction request id; it never ships). The schema is
 * the whitelist: a payload with a key the schema does not declare is rejected,
 * not trimmed, and nothing outside the schema (plus the app's base properties)
 * is ever sent.
 *
 * Field schemas for the shapes that may ship:
 *
 * - {@link Count}: a non-negative integer; {@link Amount}: a non-negative
 *   finite number (NaN, `±Infinity` and negatives are rejected).
 * - {@link Base2}: a `*_b2` bucket, a value `bucketBase2` (from
 *   `@posthog-backfill/core`) produces: 0 or a power of two. A raw size passed
 *   by mistake (1000 instead of 1024) is rejected.
 * - closed enums as literals ({@link literals}, or {@link closedEnumOf} over a
 *   core `ClosedEnum`, whose classifier maps free text to its keys).
 * - booleans (`Schema.Boolean`).
 *
 * ```ts
 * const CompactionCompleted = EventCatalog.defineEvent({
 *   name: "compaction_completed",
 *   payload: Schema.Struct({
 *     duration_b2: EventCatalog.Base2,
 *     compaction_source: EventCatalog.literals("manual", "idle", "auto")
 *   }),
 *   dedupeKey: "the compaction request id"
 * })
 * const catalog = EventCatalog.defineCatalog([CompactionCompleted])
 * ```
 *
 * @since 0.1.0
 */
import { Base2 as Bucketing, type CaptureEvent, ClosedEnum, RollupSpec, Scrub } from "@posthog-backfill/core"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * A payload once validated: flat scalars (an optional field may be absent).
 *
 * @since 0.1.0
 * @category models
 */
export type Payload = { readonly [key: string]: CaptureEvent.PropertyScalar | undefined }

/**
 * One event of the catalog.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventDefinition<Name extends string = string, A extends Payload = Payload, I = unknown> {
  readonly _tag: "EventDefinition"
  readonly name: Name
  /** The payload schema (a `Schema.Struct`); validation rejects any key it does not declare. */
  readonly payload: Schema.Schema<A, I>
  /** The payload's keys: what the event may carry besides the base properties. */
  readonly keys: ReadonlyArray<string>
  /** What identifies one occurrence (e.g. "the compaction request id"); when set, every capture must pass one. */
  readonly dedupeKey: string | undefined
  readonly description: string | undefined
}

/**
 * Any event definition.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyEvent = EventDefinition<string, any, any>

/**
 * The validated payload type of an event.
 *
 * @since 0.1.0
 * @category models
 */
export type PayloadOf<E extends AnyEvent> = E extends EventDefinition<string, infer A, infer _I> ? A : never

/**
 * A catalog: every event an app may send.
 *
 * @since 0.1.0
 * @category models
 */
export interface Catalog {
  readonly events: ReadonlyArray<AnyEvent>
  readonly byName: ReadonlyMap<string, AnyEvent>
}

/**
 * Thrown by {@link defineEvent} and {@link defineCatalog}; names every
 * problem.
 *
 * @since 0.1.0
 * @category errors
 */
export class EventCatalogError extends Error {
  override readonly name = "EventCatalogError"
  constructor(
    readonly problems: ReadonlyArray<string>
  ) {
    super(`Invalid event catalog: fix these and try again:\n- ${problems.join("\n- ")}`)
  }
}

const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/

/**
 * A non-negative integer (a count). NaN, `±Infinity`, fractions and negatives
 * are rejected.
 *
 * @since 0.1.0
 * @category fields
 */
export const Count: Schema.Schema<number> = Schema.Number.pipe(
  Schema.int({ message: (issue) => `expected a count (a whole number >= 0), got ${String(issue.actual)}` }),
  Schema.nonNegative({ message: (issue) => `expected a count (a whole number >= 0), got ${String(issue.actual)}` })
).annotations({ identifier: "Count" })

/**
 * A non-negative finite number (a size, a duration). NaN, `±Infinity` and
 * negatives are rejected.
 *
 * @since 0.1.0
 * @category fields
 */
export const Amount: Schema.Schema<number> = Schema.Number.pipe(
  Schema.finite({ message: (issue) => `expected a finite number >= 0, got ${String(issue.actual)}` }),
  Schema.nonNegative({ message: (issue) => `expected a finite number >= 0, got ${String(issue.actual)}` })
).annotations({ identifier: "Amount" })

/**
 * Whether `value` is a bucket `bucketBase2` can produce: 0, or a power of two
 * from 1 to 2^1023. (`bucketBase2` is idempotent, so these are exactly its
 * fixed points.)
 *
 * @since 0.1.0
 * @category fields
 */
export const isBase2Bucket = (value: number): boolean =>
  Number.isFinite(value) && value >= 0 && value <= Bucketing.MAX_BASE2_BUCKET && !Object.is(value, -0) &&
  Bucketing.bucketBase2(value) === value

/**
 * A `*_b2` field: a value produced by `bucketBase2` from
 * `@posthog-backfill/core` (0 or a power of two). Bucket raw values with
 * `bucketBase2` before capturing; an unbucketed value is rejected.
 *
 * @since 0.1.0
 * @category fields
 */
export const Base2: Schema.Schema<number> = Schema.Number.pipe(
  Schema.filter((value) => isBase2Bucket(value), {
    message: (issue) =>
      `expected a base-2 bucket (0 or a power of two, from bucketBase2), got ${String(issue.actual)}: ` +
      "pass bucketBase2(value)",
    arbitrary: () => (fc) => fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 }).map((exponent) => 2 ** exponent))
  })
).annotations({ identifier: "Base2" })

/**
 * A closed enum as literals.
 *
 * @since 0.1.0
 * @category fields
 */
export const literals = <const K extends ReadonlyArray<string>>(
  ...keys: K & readonly [string, ...Array<string>]
): Schema.Schema<K[number]> =>
  Schema.Literal(...keys).annotations({
    message: (issue) => ({
      message: `expected one of ${keys.map((key) => JSON.stringify(key)).join(", ")}, got ${JSON.stringify(issue.actual)}`,
      override: true
    })
  })

/**
 * The keys of a core `ClosedEnum` as literals: classify free text with the
 * enum's classifier, ship only its keys.
 *
 * @since 0.1.0
 * @category fields
 */
export const closedEnumOf = <K extends string>(definition: ClosedEnum.ClosedEnum<K>): Schema.Schema<K> => {
  const keys = ClosedEnum.enumKeys(definition)
  if (keys.length === 0) throw new EventCatalogError(["a closed enum field needs at least one key"])
  return literals(...(keys as unknown as readonly [K, ...Array<K>])) as unknown as Schema.Schema<K>
}

/**
 * Builds an event definition and checks it: a snake_case name (no `$`, at most
 * 64 characters), plain property keys (no `$`, none of the backfill's own
 * keys), a `Schema.Struct` payload.
 *
 * @throws EventCatalogError naming every problem.
 * @since 0.1.0
 * @category constructors
 */
export const defineEvent = <const Name extends string, Fields extends Schema.Struct.Fields>(definition: {
  readonly name: Name
  readonly payload: Schema.Struct<Fields>
  readonly dedupeKey?: string | undefined
  readonly description?: string | undefined
}): Schema.Struct.Type<Fields> extends Payload
  ? EventDefinition<Name, Schema.Struct.Type<Fields>, Schema.Struct.Encoded<Fields>>
  : never =>
{
  const problems: Array<string> = []
  if (!EVENT_NAME.test(definition.name)) {
    problems.push(`event name ${JSON.stringify(definition.name)} must be snake_case (a-z, 0-9, _), at most 64 characters`)
  }
  const fields = (definition.payload as { readonly fields?: unknown }).fields
  if (typeof fields !== "object" || fields === null) {
    problems.push(`event ${definition.name}: the payload must be a Schema.Struct`)
  }
  const keys = typeof fields === "object" && fields !== null ? Object.keys(fields) : []
  for (const key of keys) {
    if (!RollupSpec.isPropertyKey(key)) problems.push(`event ${definition.name}: property ${JSON.stringify(key)} is not a plain key (no $)`)
    if (RollupSpec.RESERVED_KEYS.includes(key)) problems.push(`event ${definition.name}: property "${key}" is reserved for the backfill`)
  }
  if (definition.dedupeKey !== undefined && definition.dedupeKey.trim() === "") {
    problems.push(`event ${definition.name}: dedupeKey, when set, says what identifies one occurrence (e.g. "the request id")`)
  }
  if (problems.length > 0) throw new EventCatalogError(problems)
  const event: EventDefinition<Name, Payload, unknown> = {
    _tag: "EventDefinition",
    name: definition.name,
    payload: definition.payload as unknown as Schema.Schema<Payload, unknown>,
    keys,
    dedupeKey: definition.dedupeKey,
    description: definition.description
  }
  return event as never
}

/**
 * Builds a catalog; event names must be unique.
 *
 * @throws EventCatalogError naming every problem.
 * @since 0.1.0
 * @category constructors
 */
export const defineCatalog = (events: ReadonlyArray<AnyEvent>): Catalog => {
  const byName = new Map<string, AnyEvent>()
  const problems: Array<string> = []
  for (const event of events) {
    if (byName.has(event.name)) problems.push(`event ${event.name} is defined twice`)
    byName.set(event.name, event)
  }
  if (problems.length > 0) throw new EventCatalogError(problems)
  return { events: events.slice(), byName }
}

/**
 * Every key any event of the catalog may carry.
 *
 * @since 0.1.0
 * @category getters
 */
export const catalogKeys = (catalog: Catalog): ReadonlyArray<string> =>
  Array.from(new Set(catalog.events.flatMap((event) => event.keys)))

const issueLine = (issue: ParseResult.ArrayFormatterIssue): string =>
  `${issue.path.length === 0 ? "" : `${issue.path.map(String).join(".")}: `}${issue.message}`

const scalarProblem = (key: string, value: unknown): string | undefined => {
  if (value === undefined) return undefined
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${key}: ${String(value)} is not a finite number`
  if (typeof value === "boolean") return undefined
  if (typeof value === "string") {
    return value.length <= Scrub.MAX_STRING_LENGTH
      ? undefined
      : `${key}: a string of ${value.length} characters is longer than ${Scrub.MAX_STRING_LENGTH} (strings that ship are short identifiers)`
  }
  return `${key}: a ${value === null ? "null" : typeof value} is not a number, boolean or string`
}

/**
 * Validates a payload against its event's schema, excess keys included:
 * `Right` with the validated payload (absent optional fields left out), or
 * `Left` with the schema's message (one line per problem, `; `-joined).
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = <E extends AnyEvent>(event: E, payload: unknown): Either.Either<PayloadOf<E>, string> => {
  const decoded = Schema.decodeUnknownEither(event.payload, { errors: "all", onExcessProperty: "error" })(payload)
  if (Either.isLeft(decoded)) {
    return Either.left(ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map(issueLine).join("; "))
  }
  const value = decoded.right as Readonly<Record<string, unknown>>
  const problems: Array<string> = []
  const kept: Record<string, CaptureEvent.PropertyScalar> = {}
  for (const [key, field] of Object.entries(value)) {
    const problem = scalarProblem(key, field)
    if (problem !== undefined) problems.push(problem)
    else if (field !== undefined) kept[key] = field as CaptureEvent.PropertyScalar
  }
  return problems.length > 0 ? Either.left(problems.join("; ")) : Either.right(kept as PayloadOf<E>)
}
