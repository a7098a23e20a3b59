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

const rotateLeft = (value: number, bits: number): number => (value << bits) | (value >>> (32 - bits))

/**
 * SHA-1 (FIPS 180-4) of a byte array; returns the 20-byte digest.
 *
 * @since 0.1.0
 * @internal
 */
export const sha1 = (message: Uint8Array): Uint8Array => {
  const padded = pad(message)
  const view = new DataView(padded.buffer)
  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]
  const schedule = new Uint32Array(80)

  for (let offset = 0; offset < padded.length; offset += BLOCK_BYTES) {
    for (let t = 0; t < 16; t++) schedule[t] = view.getUint32(offset + t * 4)
    for (let t = 16; t < 80; t++) {
      schedule[t] = rotateLeft(schedule[t - 3]! ^ schedule[t - 8]! ^ schedule[t - 14]! ^ schedule[t - 16]!, 1)
    }

    let [a, b, c, d, e] = state as [number, number, number, number, number]
    for (let t = 0; t < 80; t++) {
      const temp = (rotateLeft(a, 5) + roundFunction(t, b, c, d) + e + roundConstant(t) + schedule[t]!) >>> 0
      e = d
      d = c
      c = rotateLeft(b, 30) >>> 0
      b = a
      a = temp
    }

    state[0] = (state[0]! + a) >>> 0
    state[1] = (state[1]! + b) >>> 0
    state[2] = (state[2]! + c) >>> 0
    state[3] = (state[3]! + d) >>> 0
    state[4] = (state[4]! + e) >>> 0
  }

  const digest = new Uint8Array(20)
  const digestView = new DataView(digest.buffer)
  state.forEach((word, index) => digestView.setUint32(index * 4, word))
  return digest
}

/** Ch, Parity, Maj, Parity: the four SHA-1 round functions, 20 rounds each. */
const roundFunction = (t: number, b: number, c: number, d: number): number => {
  if (t < 20) return (b & c) | (~b & d)
  if (t < 40) return b ^ c ^ d
  if (t < 60) return (b & c) | (b & d) | (c & d)
  return b ^ c ^ d
}

const roundConstant = (t: number): number => {
  if (t < 20) return 0x5a827999
  if (t < 40) return 0x6ed9eba1
  if (t < 60) return 0x8f1bbcdc
  return 0xca62c1d6
}
