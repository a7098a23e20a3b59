import { ClosedEnum } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const platforms = ClosedEnum.closedEnum({
  buckets: [
    { key: "claude", values: ["claude"] },
    { key: "gemini", values: ["gemini", "gemini-cli"] }
  ],
  other: "other"
})

describe("closed enums", () => {
  it("trims and lowercases before matching, and maps aliases", () => {
    expect(ClosedEnum.classify(platforms, " Claude ")).toBe("claude")
    expect(ClosedEnum.classify(platforms, "GEMINI-CLI")).toBe("gemini")
    expect(ClosedEnum.classify(platforms, "cursor")).toBe("other")
    expect(ClosedEnum.classify(platforms, null)).toBe("other")
    expect(ClosedEnum.classify(platforms, 42)).toBe("other")
  })

  it("never returns anything but one of its keys (the raw value never escapes)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constant(null), fc.integer()), (raw) => {
        expect(ClosedEnum.enumKeys(platforms)).toContain(ClosedEnum.classify(platforms, raw))
      })
    )
  })

  it("counts nothing for unmatched values when there is no other bucket", () => {
    const statuses = ClosedEnum.closedEnum({ buckets: [{ key: "done", values: ["completed"] }] })
    expect(ClosedEnum.classify(statuses, "active")).toBeUndefined()
    expect(ClosedEnum.classify(statuses, "Completed")).toBe("done")
    expect(ClosedEnum.enumKeys(statuses)).toEqual(["done"])
  })

  it("matches exactly when asked to", () => {
    const exact = ClosedEnum.closedEnum({ buckets: [{ key: "a", values: ["A"] }], other: "b", normalize: "exact" })
    expect(ClosedEnum.classify(exact, "A")).toBe("a")
    expect(ClosedEnum.classify(exact, "a")).toBe("b")
  })
})
