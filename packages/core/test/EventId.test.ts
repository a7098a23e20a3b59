import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { fileURLToPath } from "node:url"
import * as fc from "fast-check"
import { v5 as uuidPackageV5 } from "uuid"
import { describe, expect, it } from "vitest"
import { EventId } from "@posthog-backfill/core"
import { sha1, utf8Encode } from "../src/events/internal/sha1.js"

const DNS_NAMESPACE = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
const URL_NAMESPACE = "6ba7b811-9dad-11d1-80b4-00c04fd430c8"
const CLAUDE_MEM_NAMESPACE = "8a9c2f4e-31b7-5d68-9c4a-f02e6d5b8a17"

const nodeSha1Hex = (bytes: Uint8Array): string => createHash("sha1").update(bytes).digest("hex")
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

// Full code points (astral planes included, no lone surrogates), so the npm
// `uuid` package (which throws on lone surrogates) can be compared directly.
const unicodeString = fc.string({ unit: "binary", maxLength: 200 })
const anyUtf16String = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) })

describe("sha1", () => {
  it("matches the FIPS 180 test vectors", () => {
    expect(hex(sha1(utf8Encode("")))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709")
    expect(hex(sha1(utf8Encode("abc")))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d")
    expect(hex(sha1(utf8Encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
    )
    expect(hex(sha1(utf8Encode("a".repeat(1_000_000))))).toBe("34aa973cd4c4daa4f61eeb2bdbad27316534016f")
  })

  it("matches node:crypto around the 55/56/64-byte padding boundaries", () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = Uint8Array.from({ length }, (_, index) => (index * 31 + length) & 0xff)
      expect(hex(sha1(bytes))).toBe(nodeSha1Hex(bytes))
    }
  })

  it("matches node:crypto on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(hex(sha1(bytes))).toBe(nodeSha1Hex(bytes))
      })
    )
  })

  it("matches node:crypto on unicode, emoji and long strings", () => {
    const text = fc.oneof(unicodeString, fc.string({ unit: "grapheme", maxLength: 100 }), fc.string({ minLength: 1000, maxLength: 5000 }))
    fc.assert(
      fc.property(text, (value) => {
        expect(hex(sha1(utf8Encode(value)))).toBe(createHash("sha1").update(value, "utf8").digest("hex"))
      })
    )
    for (const value of ["😀", "👩‍👩‍👧‍👦", "naïve café", "日本語テキスト", "\u0000", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢".repeat(500)]) {
      expect(hex(sha1(utf8Encode(value)))).toBe(createHash("sha1").update(value, "utf8").digest("hex"))
    }
  })
})

describe("utf8Encode", () => {
  it("equals TextEncoder on any UTF-16 string, lone surrogates included", () => {
    const encoder = new TextEncoder()
    fc.assert(
      fc.property(anyUtf16String, (value) => {
        expect(hex(utf8Encode(value))).toBe(hex(encoder.encode(value)))
      })
    )
    for (const value of ["\uD800", "a\uDC00b", "\uDBFF\uDFFF", "\uD83D\uDE00\uD83D"]) {
      expect(hex(utf8Encode(value))).toBe(hex(encoder.encode(value)))
    }
  })
})

describe("uuidV5", () => {
  it("reproduces known vectors", () => {
    expect(EventId.uuidV5("www.example.com", DNS_NAMESPACE)).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2")
    expect(EventId.uuidV5("python.org", DNS_NAMESPACE)).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d")
    expect(EventId.uuidV5("Hello, World!", DNS_NAMESPACE)).toBe(uuidPackageV5("Hello, World!", DNS_NAMESPACE))
    expect(EventId.uuidV5("http://example.com/hello", URL_NAMESPACE)).toBe(
      uuidPackageV5("http://example.com/hello", URL_NAMESPACE)
    )
  })

  it("accepts the namespace in any case", () => {
    expect(EventId.uuidV5("www.example.com", DNS_NAMESPACE.toUpperCase())).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2")
  })

  it("equals the uuid package's v5 on generated names and namespaces", () => {
    fc.assert(
      fc.property(unicodeString, fc.uuid(), (name, namespace) => {
        expect(EventId.uuidV5(name, namespace)).toBe(uuidPackageV5(name, namespace))
      }),
      { numRuns: 500 }
    )
  })

  it("gives the same uuids in a fresh process, and in every later release (pinned values)", () => {
    // A retry after a restart, or from the next release, must carry the very uuid PostHog already has.
    const installId = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    const pinned = [
      ["install_inferred", EventId.INSTALL_DAY_KEY, "a4a734eb-0ef7-5b92-9659-554b60a7ca35"],
      ["historical_activity", "2025-10-19", "13934fb2-a4db-5914-bbfa-59eb2dfe5254"],
      ["historical_activity", "2026-06-09", "f5b6938c-e990-5531-baf8-c097cda50ee1"]
    ] as const
    for (const [event, day, uuid] of pinned) {
      expect(EventId.eventUuid(CLAUDE_MEM_NAMESPACE, installId, event, day)).toBe(uuid)
    }
    const script = `import { EventId } from "@posthog-backfill/core"
      process.stdout.write(JSON.stringify(${JSON.stringify(pinned)}.map(([e, d]) => EventId.eventUuid(${JSON.stringify(CLAUDE_MEM_NAMESPACE)}, ${JSON.stringify(installId)}, e, d))))`
    const fresh = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8" })
    expect(JSON.parse(fresh)).toEqual(pinned.map(([, , uuid]) => uuid))
  })

  it("gives distinct uuids for distinct names", () => {
    fc.assert(
      fc.property(unicodeString, unicodeString, (a, b) => {
        fc.pre(a !== b)
        expect(EventId.uuidV5(a, CLAUDE_MEM_NAMESPACE)).not.toBe(EventId.uuidV5(b, CLAUDE_MEM_NAMESPACE))
      })
    )
  })

  it("has the canonical lowercase shape, version 5 and the RFC 4122 variant", () => {
    fc.assert(
      fc.property(unicodeString, fc.uuid(), (name, namespace) => {
        const uuid = EventId.uuidV5(name, namespace)
        expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      })
    )
  })

  it("rejects a namespace that is not a canonical uuid with a TypeError", () => {
    const bad = [
      "",
      "dns",
      "6ba7b8109dad11d180b400c04fd430c8",
      "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
      "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
      " 6ba7b810-9dad-11d1-80b4-00c04fd430c8",
      "6ba7b810-9dad-11d1-80b4-00c04fd430cg",
      "6ba7b810-9dad-11d1-80b4-00c04fd430c8\n"
    ]
    for (const namespace of bad) {
      expect(() => EventId.uuidV5("x", namespace)).toThrow(TypeError)
    }
    expect(() => EventId.uuidV5("x", "dns")).toThrow(/namespace must be a uuid in canonical 8-4-4-4-12 hex form.*"dns"/)
  })
})

describe("isUuid", () => {
  it("accepts canonical uuids in any case, including the nil uuid", () => {
    fc.assert(fc.property(fc.uuid(), (uuid) => EventId.isUuid(uuid) && EventId.isUuid(uuid.toUpperCase())))
    expect(EventId.isUuid("00000000-0000-0000-0000-000000000000")).toBe(true)
    expect(EventId.isUuid(CLAUDE_MEM_NAMESPACE)).toBe(true)
  })

  it("rejects anything else", () => {
    expect(EventId.isUuid("")).toBe(false)
    expect(EventId.isUuid("6ba7b8109dad11d180b400c04fd430c8")).toBe(false)
    expect(EventId.isUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8 ")).toBe(false)
    expect(EventId.isUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8\n")).toBe(false)
    fc.assert(fc.property(fc.string({ maxLength: 35 }), (value) => !EventId.isUuid(value)))
  })
})

describe("eventUuid", () => {
  it("is uuidV5 of installId|event|dayKey under the namespace", () => {
    const installId = fc.oneof(fc.uuid(), fc.string())
    const event = fc.constantFrom("historical_activity", "install_inferred")
    const dayKey = fc.oneof(
      fc.date({ min: new Date("2024-01-01"), max: new Date("2030-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      fc.constant(EventId.INSTALL_DAY_KEY)
    )
    fc.assert(
      fc.property(installId, event, dayKey, (id, name, day) => {
        expect(EventId.eventUuid(CLAUDE_MEM_NAMESPACE, id, name, day)).toBe(uuidPackageV5(`${id}|${name}|${day}`, CLAUDE_MEM_NAMESPACE))
      })
    )
  })

  it("uses the install day key for install_inferred", () => {
    const installId = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    expect(EventId.INSTALL_DAY_KEY).toBe("install")
    expect(EventId.eventUuid(CLAUDE_MEM_NAMESPACE, installId, "install_inferred", EventId.INSTALL_DAY_KEY)).toBe(
      uuidPackageV5(`${installId}|install_inferred|install`, CLAUDE_MEM_NAMESPACE)
    )
  })

  it("gives one uuid per day and per event", () => {
    const installId = "install-1"
    const ids = new Set(
      ["2025-10-19", "2025-10-20", EventId.INSTALL_DAY_KEY].flatMap((day) =>
        ["historical_activity", "install_inferred"].map((event) => EventId.eventUuid(CLAUDE_MEM_NAMESPACE, installId, event, day))
      )
    )
    expect(ids.size).toBe(6)
  })
})
