/**
 * Event ids. Every backfilled event carries a deterministic RFC 4122 version-5
 * uuid of `installId|event|dayKey` under one fixed namespace, so a retry from
 * any runtime (Node, Bun, a later release) produces the same uuid and PostHog
 * dedupes it instead of counting the day twice. The output is byte-identical
 * to `Bun.randomUUIDv5(name, namespace)` and to the npm `uuid` package's
 * `v5(name, namespace)`.
 *
 * @since 0.1.0
 */
import { sha1, utf8Encode } from "./internal/sha1.js"

/**
 * The day key of the one `install_inferred` event (the `historical_activity`
 * events use their `YYYY-MM-DD` day instead).
 *
 * @since 0.1.0
 * @category constants
 */
export const INSTALL_DAY_KEY = "install"

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Whether a string is a uuid in canonical textual form: 8-4-4-4-12 hex digits,
 * any case, nothing around it (no braces, no `urn:uuid:`). Only the shape is
 * checked, not the version or variant bits (the nil uuid passes).
 *
 * @since 0.1.0
 * @category guards
 */
export const isUuid = (value: string): boolean => CANONICAL_UUID.test(value)

const uuidToBytes = (uuid: string): Uint8Array => {
  const hex = uuid.replace(/-/g, "")
  const bytes = new Uint8Array(16)
  for (let index = 0; index < 16; index++) {
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16)
  }
  return bytes
}

/** Two lowercase hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"))

const bytesToUuid = (bytes: Uint8Array): string => {
  let text = ""
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) text += "-"
    text += HEX[bytes[index]!]!
  }
  return text
}

/**
 * Namespace bytes by namespace string: a backfill hashes a thousand names
 * under one namespace (a handful of entries at most: one per app).
 */
const namespaceBytes = new Map<string, Uint8Array>()

/**
 * The RFC 4122 version-5 (SHA-1, name-based) uuid of `name` under `namespace`,
 * lowercase, canonical 8-4-4-4-12 form. `name` is hashed as UTF-8 (a lone
 * surrogate becomes U+FFFD, as in `TextEncoder` and Bun).
 *
 * @throws TypeError when `namespace` is not a canonical uuid string (see
 *   {@link isUuid}); aliases such as Bun's `"dns"` are not accepted.
 * @since 0.1.0
 * @category constructors
 */
export const uuidV5 = (name: string, namespace: string): string => {
  if (!isUuid(namespace)) {
    throw new TypeError(
      `uuidV5: namespace must be a uuid in canonical 8-4-4-4-12 hex form ` +
        `(e.g. "6ba7b810-9dad-11d1-80b4-00c04fd430c8"), got ${JSON.stringify(namespace)}`
    )
  }
  let namespaceId = namespaceBytes.get(namespace)
  if (namespaceId === undefined) {
    if (namespaceBytes.size >= 16) namespaceBytes.clear()
    namespaceBytes.set(namespace, (namespaceId = uuidToBytes(namespace)))
  }
  const nameBytes = utf8Encode(name)
  const input = new Uint8Array(16 + nameBytes.length)
  input.set(namespaceId)
  input.set(nameBytes, 16)
  const digest = sha1(input)
  // RFC 4122 4.3: keep the first 16 digest bytes, then stamp version 5 in the
  // high nibble of byte 6 and the 10xx variant in the high bits of byte 8.
  digest[6] = (digest[6]! & 0x0f) | 0x50
  digest[8] = (digest[8]! & 0x3f) | 0x80
  return bytesToUuid(digest)
}

/**
 * The id of one backfilled event: {@link uuidV5} of
 * `${installId}|${event}|${dayKey}` under the app's namespace. `dayKey` is the
 * `YYYY-MM-DD` day for `historical_activity` and {@link INSTALL_DAY_KEY} for
 * `install_inferred`.
 *
 * @throws TypeError when `namespace` is not a canonical uuid string.
 * @since 0.1.0
 * @category constructors
 */
export const eventUuid = (namespace: string, installId: string, event: string, dayKey: string): string =>
  uuidV5(`${installId}|${event}|${dayKey}`, namespace)

/**
 * A number in [0, 1) that `name` under `namespace` decides, the same on every
 * run and runtime: 48 bits of its v5 uuid (none of them version or variant
 * bits). Rollout points and backoff jitter come from it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const uuidPoint = (namespace: string, name: string): number => {
  const uuid = uuidV5(name, namespace)
  return Number.parseInt(uuid.slice(0, 8) + uuid.slice(9, 13), 16) / 2 ** 48
}
