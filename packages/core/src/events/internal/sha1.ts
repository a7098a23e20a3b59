/**
 * The byte-level primitives behind version-5 uuids: a UTF-8 encoder and a
 * SHA-1 digest, both pure TypeScript so the core needs no `node:crypto`, no
 * Web Crypto (async) and no DOM/Node type declarations (`TextEncoder` is not in
 * the ES lib the core compiles against). Internal: not exported by the package.
 *
 * SHA-1 is used here only as the hash RFC 4122 prescribes for v5 uuids, not
 * for any security purpose.
 *
 * @since 0.1.0
 * @internal
 */

const REPLACEMENT_CHARACTER = 0xfffd

/**
 * Encodes a string as UTF-8 exactly like `TextEncoder` (WHATWG): a lone
 * surrogate becomes U+FFFD. `Bun.randomUUIDv5` and `Buffer.from(s, "utf8")`
 * do the same; the npm `uuid` package throws on lone surrogates instead.
 *
 * @since 0.1.0
 * @internal
 */
export const utf8Encode = (text: string): Uint8Array => {
  // Fast path: every name this library hashes (ids, event names, days) is ASCII.
  const ascii = new Uint8Array(text.length)
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code >= 0x80) return encodeAny(text)
    ascii[index] = code
  }
  return ascii
}

const encodeAny = (text: string): Uint8Array => {
  const bytes: Array<number> = []
  for (let index = 0; index < text.length; index++) {
    let codePoint = text.charCodeAt(index)
    if (codePoint >= 0xd800 && codePoint <= 0xdbff) {
      const next = index + 1 < text.length ? text.charCodeAt(index + 1) : 0
      if (next >= 0xdc00 && next <= 0xdfff) {
        codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (next - 0xdc00)
        index++
      } else {
        codePoint = REPLACEMENT_CHARACTER
      }
    } else if (codePoint >= 0xdc00 && codePoint <= 0xdfff) {
      codePoint = REPLACEMENT_CHARACTER
    }
    pushCodePoint(bytes, codePoint)
  }
  return Uint8Array.from(bytes)
}

const pushCodePoint = (bytes: Array<number>, codePoint: number): void => {
  if (codePoint < 0x80) {
    bytes.push(codePoint)
  } else if (codePoint < 0x800) {
    bytes.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f))
  } else if (codePoint < 0x10000) {
    bytes.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f))
  } else {
    bytes.push(
      0xf0 | (codePoint >> 18),
      0x80 | ((codePoint >> 12) & 0x3f),
      0x80 | ((codePoint >> 6) & 0x3f),
      0x80 | (codePoint & 0x3f)
    )
  }
}

const BLOCK_BYTES = 64

/**
 * Appends the SHA-1 padding: a 0x80 byte, zeros up to 56 mod 64, then the
 * message length in bits as a 64-bit big-endian integer.
 */
const pad = (message: Uint8Array): Uint8Array => {
  const paddedLength = Math.ceil((message.length + 9) / BLOCK_BYTES) * BLOCK_BYTES
  const padded = new Uint8Array(paddedLength)
  padded.set(message)
  padded[message.length] = 0x80
  const view = new DataView(padded.buffer)
  const bitLength = message.length * 8
  // Split in two 32-bit halves: bit lengths above 2^32 do not fit one setUint32.
  view.setUint32(paddedLength - 8, Math.floor(bitLength / 0x1_0000_0000))
  view.setUint32(paddedLength - 4, bitLength >>> 0)
  return padded
}

/**
 * The message schedule, reused: `sha1` is synchronous and never re-entered,
 * and a backfill hashes a thousand names in a row.
 */
const schedule = new Uint32Array(80)

/**
 * SHA-1 (FIPS 180-4) of a byte array; returns the 20-byte digest. Written for
 * speed in plain JavaScript: words read with shifts, the four 20-round stages
 * as separate loops (no per-round branches).
 *
 * @since 0.1.0
 * @internal
 */
export const sha1 = (message: Uint8Array): Uint8Array => {
  const padded = pad(message)
  const w = schedule
  let h0 = 0x67452301
  let h1 = 0xefcdab89
  let h2 = 0x98badcfe
  let h3 = 0x10325476
  let h4 = 0xc3d2e1f0

  for (let offset = 0; offset < padded.length; offset += BLOCK_BYTES) {
    for (let t = 0; t < 16; t++) {
      const i = offset + t * 4
      w[t] = (padded[i]! << 24) | (padded[i + 1]! << 16) | (padded[i + 2]! << 8) | padded[i + 3]!
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!
      w[t] = (x << 1) | (x >>> 31)
    }

    let a = h0
    let b = h1
    let c = h2
    let d = h3
    let e = h4
    let t = 0
    // Ch, Parity, Maj, Parity: the four round functions, 20 rounds each.
    for (; t < 20; t++) {
      const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[t]!) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    for (; t < 40; t++) {
      const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[t]!) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    for (; t < 60; t++) {
      const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + w[t]!) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    for (; t < 80; t++) {
      const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w[t]!) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }

    h0 = (h0 + a) | 0
    h1 = (h1 + b) | 0
    h2 = (h2 + c) | 0
    h3 = (h3 + d) | 0
    h4 = (h4 + e) | 0
  }

  const digest = new Uint8Array(20)
  const words = [h0, h1, h2, h3, h4]
  for (let i = 0; i < 5; i++) {
    const word = words[i]!
    digest[i * 4] = word >>> 24
    digest[i * 4 + 1] = (word >>> 16) & 0xff
    digest[i * 4 + 2] = (word >>> 8) & 0xff
    digest[i * 4 + 3] = word & 0xff
  }
  return digest
}
