import { Scrub } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const whitelist: Scrub.PropertyWhitelist = { count: "number", flag: "boolean", version: "string" }

describe("the whitelist scrubber", () => {
  it("drops every key that is not whitelisted", () => {
    expect(Scrub.scrubProperties(whitelist, { count: 1, title: "my secret", path: "/home/me" })).toEqual({ count: 1 })
  })

  it("drops a value of the wrong kind, a non-finite number and an over-long string", () => {
    expect(Scrub.scrubProperties(whitelist, { count: "12", flag: 1, version: 3 })).toEqual({})
    expect(Scrub.scrubProperties(whitelist, { count: Number.NaN })).toEqual({})
    expect(Scrub.scrubProperties(whitelist, { count: Number.POSITIVE_INFINITY })).toEqual({})
    expect(Scrub.scrubProperties(whitelist, { version: "x".repeat(Scrub.MAX_STRING_LENGTH + 1) })).toEqual({})
    expect(Scrub.scrubProperties(whitelist, { version: "x".repeat(Scrub.MAX_STRING_LENGTH) })).toEqual({ version: "x".repeat(Scrub.MAX_STRING_LENGTH) })
  })

  it("ignores keys inherited from the prototype chain", () => {
    expect(Scrub.scrubProperties(whitelist, JSON.parse('{"__proto__": {"count": 1}, "toString": 3}'))).toEqual({})
  })

  it("keeps exactly the whitelisted, well-kinded values, unchanged", () => {
    const anyValue = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.object())
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.constantFrom("count", "flag", "version"), fc.string()), anyValue), (input) => {
        const output = Scrub.scrubProperties(whitelist, input)
        for (const [key, value] of Object.entries(output)) {
          expect(Object.hasOwn(whitelist, key)).toBe(true)
          expect(value).toBe(input[key])
        }
        for (const [key, value] of Object.entries(input)) {
          const kind = whitelist[key]
          const fits =
            (kind === "number" && typeof value === "number" && Number.isFinite(value)) ||
            (kind === "boolean" && typeof value === "boolean") ||
            (kind === "string" && typeof value === "string" && value.length <= Scrub.MAX_STRING_LENGTH)
          expect(Object.hasOwn(output, key)).toBe(Object.hasOwn(whitelist, key) && fits)
        }
      })
    )
  })

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("count", "flag", "version", "other"), fc.oneof(fc.string(), fc.double(), fc.boolean())), (input) => {
        const once = Scrub.scrubProperties(whitelist, input)
        expect(Scrub.scrubProperties(whitelist, once)).toEqual(once)
      })
    )
  })
})

describe("person $set", () => {
  it("copies only the person keys present on the event", () => {
    expect(Scrub.personSet(["version", "os"], { version: "1.2.3", count: 4 })).toEqual({ version: "1.2.3" })
    expect(Scrub.personSet(["version"], {})).toEqual({})
  })
})
