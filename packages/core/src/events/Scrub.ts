/**
 * The whitelist scrubber. Whitelist, not blacklist: a key that is not on the
 * whitelist is dropped, and so is a value of the wrong kind (a string where a
 * number belongs, a non-finite number, an over-long string). Every event the
 * library builds goes through it before it can reach a sink.
 *
 * @since 0.1.0
 */
import type { PropertyScalar } from "./CaptureEvent.js"

/**
 * What a whitelisted key may carry.
 *
 * @since 0.1.0
 * @category models
 */
export type PropertyKind = "number" | "boolean" | "string"

/**
 * Key -> the kind of value it may carry.
 *
 * @since 0.1.0
 * @category models
 */
export type PropertyWhitelist = Readonly<Record<string, PropertyKind>>

/**
 * Strings longer than this are dropped even on a whitelisted key: the strings
 * we ship are dates, versions and OS names, never prose.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_STRING_LENGTH = 64

const fits = (kind: PropertyKind, value: unknown): value is PropertyScalar => {
  switch (kind) {
    case "number":
      return typeof value === "number" && Number.isFinite(value)
    case "boolean":
      return typeof value === "boolean"
    case "string":
      return typeof value === "string" && value.length <= MAX_STRING_LENGTH
  }
}

/**
 * Keeps only whitelisted keys whose value has the whitelisted kind.
 *
 * @since 0.1.0
 * @category scrubbing
 */
export const scrubProperties = (
  whitelist: PropertyWhitelist,
  properties: Readonly<Record<string, unknown>>
): Record<string, PropertyScalar> => {
  const kept: Record<string, PropertyScalar> = {}
  for (const key of Object.keys(properties)) {
    if (!Object.hasOwn(whitelist, key)) continue
    const kind = whitelist[key]
    const value = properties[key]
    if (kind !== undefined && fits(kind, value)) kept[key] = value
  }
  return kept
}

/**
 * The person properties to `$set`: the person keys present on the (scrubbed)
 * event properties. A person key that is never assigned to the event silently
 * never ships, so builders must put every person trait on the event itself.
 *
 * @since 0.1.0
 * @category scrubbing
 */
export const personSet = (
  personKeys: ReadonlyArray<string>,
  properties: Readonly<Record<string, PropertyScalar>>
): Record<string, PropertyScalar> => {
  const set: Record<string, PropertyScalar> = {}
  for (const key of personKeys) {
    const value = Object.hasOwn(properties, key) ? properties[key] : undefined
    if (value !== undefined) set[key] = value
  }
  return set
}
