/**
 * Closed enums: free text mapped to a fixed set of keys in code, so the raw
 * value never ships. Everything that matches no bucket goes to `other` (or is
 * not counted when the enum has no `other`).
 *
 * @since 0.1.0
 */

/**
 * One bucket: the key it produces and the (normalized) values that select it.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnumBucket<K extends string = string> {
  readonly key: K
  readonly values: ReadonlyArray<string>
}

/**
 * A closed enum. `normalize: "trim-lowercase"` (the default) trims and
 * lowercases both the raw value and the bucket values before comparing.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClosedEnum<K extends string = string> {
  readonly buckets: ReadonlyArray<EnumBucket<K>>
  readonly other?: K | undefined
  readonly normalize?: "trim-lowercase" | "exact" | undefined
}

const normalizeWith = (mode: ClosedEnum["normalize"], value: string): string =>
  mode === "exact" ? value : value.trim().toLowerCase()

/**
 * Builds a closed enum (identity; exists for type inference of the keys).
 *
 * @since 0.1.0
 * @category constructors
 */
export const closedEnum = <const K extends string>(definition: ClosedEnum<K>): ClosedEnum<K> => definition

/**
 * Every key an enum can produce, buckets first, `other` last.
 *
 * @since 0.1.0
 * @category getters
 */
export const enumKeys = <K extends string>(definition: ClosedEnum<K>): ReadonlyArray<K> => {
  const keys = definition.buckets.map((bucket) => bucket.key)
  if (definition.other !== undefined && !keys.includes(definition.other)) keys.push(definition.other)
  return keys
}

/**
 * Compiles an enum into a classifier. A non-string raw value (NULL, a number)
 * matches no bucket and goes to `other`.
 *
 * @since 0.1.0
 * @category classification
 */
export const classifier = <K extends string>(definition: ClosedEnum<K>): ((raw: unknown) => K | undefined) => {
  const lookup = new Map<string, K>()
  for (const bucket of definition.buckets) {
    for (const value of bucket.values) {
      const normalized = normalizeWith(definition.normalize, value)
      if (!lookup.has(normalized)) lookup.set(normalized, bucket.key)
    }
  }
  return (raw) => (typeof raw === "string" ? lookup.get(normalizeWith(definition.normalize, raw)) : undefined) ?? definition.other
}

/**
 * Classifies one raw value.
 *
 * @since 0.1.0
 * @category classification
 */
export const classify = <K extends string>(definition: ClosedEnum<K>, raw: unknown): K | undefined =>
  classifier(definition)(raw)
