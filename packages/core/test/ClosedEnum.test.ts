import { classify, closedEnum, enumKeys } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const platforms = closedEnum({
  buckets: [
    { key: "claude", values: ["claude"] },
    { key: "gemini", values: ["gemini", "gemini-cli"] }
  ],
  other: "other"
})

describe("closed enums", () => {
  it("trims and lowercases before matching, and maps aliases", () => {
    expect(classify(platforms, " Claude ")).toBe("claude")
    expect(classify(platforms, "GEMINI-CLI")).toBe("gemini")
    expect(classify(platforms, "cursor")).toBe("other")
    expect(classify(platforms, null)).toBe("other")
    expect(classify(platforms, 42)).toBe("other")
  })

  it("never returns anything but one of its keys (the raw value never escapes)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constant(null), fc.integer()), (raw) => {
        expect(enumKeys(platforms)).toContain(classify(platforms, raw))
      })
    )
  })

  it("counts nothing for unmatched values when there is no other bucket", () => {
    const statuses = closedEnum({ buckets: [{ key: "done", values: ["completed"] }] })
    expect(classify(statuses, "active")).toBeUndefined()
    expect(classify(statuses, "Completed")).toBe("done")
    expect(enumKeys(statuses)).toEqual(["done"])
  })

  it("matches exactly when asked to", () => {
    const exact = closedEnum({ buckets: [{ key: "a", values: ["A"] }], other: "b", normalize: "exact" })
    expect(classify(exact, "A")).toBe("a")
    expect(classify(exact, "a")).toBe("b")
  })
})
