/**
 * The one way the protocol's state files are read: a JSON object, or why not.
 *
 * @internal
 */

/** @internal */
export type JsonRecord =
  | { readonly _tag: "Record"; readonly record: Readonly<Record<string, unknown>> }
  | { readonly _tag: "NotJson" }
  | { readonly _tag: "NotAnObject" }

/** Parses `text` as a JSON object. @internal */
export const parseJsonRecord = (text: string): JsonRecord => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { _tag: "NotJson" }
  }
  const record = asRecord(value)
  return record === undefined ? { _tag: "NotAnObject" } : { _tag: "Record", record }
}

/** `value` as a JSON object, or `undefined` when it is not one. @internal */
export const asRecord = (value: unknown): Readonly<Record<string, unknown>> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value as Readonly<Record<string, unknown>> : undefined

/** The JSON object in `text`, or `undefined`. @internal */
export const jsonRecordOf = (text: string): Readonly<Record<string, unknown>> | undefined => {
  const parsed = parseJsonRecord(text)
  return parsed._tag === "Record" ? parsed.record : undefined
}

/** Whether `value` is a whole number >= 0. @internal */
export const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 0
