/**
 * The text of an app's telemetry config file: a JSON object, parsed strictly
 * (anything else is invalid, with the reason) and written with a two-space
 * indent and a trailing newline, keys in their original order.
 *
 * @internal
 */

/** A parsed config file. @internal */
export type ConfigObject = Readonly<Record<string, unknown>>

/** @internal */
export type ParsedConfig =
  | { readonly _tag: "Object"; readonly value: ConfigObject }
  | { readonly _tag: "Invalid"; readonly reason: string }

/**
 * Parses the file's text: anything but a JSON object (an array, a string,
 * `null`, garbage, an empty file) is `Invalid`.
 *
 * @internal
 */
export const parseConfig = (text: string): ParsedConfig => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return {
      _tag: "Invalid",
      reason: text.trim() === "" ? "it is empty" : `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { _tag: "Invalid", reason: `it holds ${Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`}, not a JSON object` }
  }
  return { _tag: "Object", value: value as ConfigObject }
}

/** @internal */
export const encodeConfig = (value: ConfigObject): string => `${JSON.stringify(value, null, 2)}\n`

/**
 * `value` with `key` set, as an own data property whatever the key (even `__proto__`).
 *
 * @internal
 */
export const withKey = (value: ConfigObject, key: string, next: unknown): Record<string, unknown> => ({ ...value, [key]: next })
