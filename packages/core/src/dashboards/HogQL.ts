/**
 * The small, safe vocabulary the dashboard generator writes HogQL with: string
 * literals escaped the way PostHog's HogQL parser reads them, and event and
 * property names checked before they are written at all. Nothing a caller
 * passes is ever spliced into a query as raw text.
 *
 * @since 0.1.0
 */

/**
 * Thrown when a name cannot be written into HogQL; the message says which
 * name and what it must look like.
 *
 * @since 0.1.0
 * @category errors
 */
export class HogQLNameError extends Error {
  override readonly name = "HogQLNameError"
}

const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/
const EVENT_NAME = /^[A-Za-z_$][A-Za-z0-9_$.:-]{0,199}$/

/**
 * Whether `name` can be used as a property name or a column alias: letters,
 * digits and `_`, not starting with a digit, at most 100 characters.
 *
 * @since 0.1.0
 * @category validation
 */
export const isHogQLPropertyName = (name: string): boolean => PROPERTY_NAME.test(name)

/**
 * Whether `name` is an event name the generator accepts: letters, digits and
 * `_ $ . : -`, not starting with a digit, at most 200 characters.
 *
 * @since 0.1.0
 * @category validation
 */
export const isHogQLEventName = (name: string): boolean => EVENT_NAME.test(name)

const ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "'": "\\'",
  "\b": "\\b",
  "\f": "\\f",
  "\r": "\\r",
  "\n": "\\n",
  "\t": "\\t",
  "\u0007": "\\a",
  "\v": "\\v"
}

/**
 * A HogQL string literal: single quotes, with backslash, quote and control
 * characters escaped (the escapes PostHog's own `escape_hogql_string` uses),
 * but NUL: PostHog's parser reads `\0` as nothing, and a raw NUL as itself
 * (checked against `@posthog/hogql-parser` in the tests).
 *
 * @since 0.1.0
 * @category literals
 */
export const hogqlString = (value: string): string =>
  `'${value.replace(/[\\'\b\f\r\n\t\u0007\v]/g, (char) => ESCAPES[char] ?? char)}'`

/**
 * `properties.<name>` for a checked property name.
 *
 * @throws HogQLNameError when `name` is not a plain property name.
 * @since 0.1.0
 * @category expressions
 */
export const hogqlProperty = (name: string): string => {
  if (!isHogQLPropertyName(name)) {
    throw new HogQLNameError(
      `property name ${JSON.stringify(name)} cannot be written into HogQL: use letters, digits and _ (not starting with a digit)`
    )
  }
  return `properties.${name}`
}

/**
 * A checked column alias (returned as is).
 *
 * @throws HogQLNameError when `name` is not a plain identifier.
 * @since 0.1.0
 * @category expressions
 */
export const hogqlAlias = (name: string): string => {
  if (!isHogQLPropertyName(name)) {
    throw new HogQLNameError(
      `column name ${JSON.stringify(name)} cannot be written into HogQL: use letters, digits and _ (not starting with a digit)`
    )
  }
  return name
}

/**
 * A checked event name as a HogQL string literal.
 *
 * @throws HogQLNameError when `name` is not an accepted event name.
 * @since 0.1.0
 * @category expressions
 */
export const hogqlEvent = (name: string): string => {
  if (!isHogQLEventName(name)) {
    throw new HogQLNameError(
      `event name ${JSON.stringify(name)} is not accepted: use letters, digits and _ $ . : - (not starting with a digit)`
    )
  }
  return hogqlString(name)
}
