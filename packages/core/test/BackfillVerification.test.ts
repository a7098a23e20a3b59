/**
 * The post-send check's queries read by PostHog's parser, and its judgement:
 * each check passes on what a good send leaves, and fails when its own rule
 * is broken.
 */
import { BackfillVerification } from "@posthog-backfill/core"
import { parseSelect } from "@posthog-backfill/testkit/hogqlParser"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

const marker = { completedAt: "2026-06-12T08:00:00.000Z", throughDay: "2026-06-09", installId: "5b0c7a0e-3f7e-4d8a-9a53-0c2f1f6f2e11", eventCount: 4 }
const good: ReadonlyArray<BackfillVerification.DayRow> = [
  { event: "install_inferred", day: "2026-06-01", events: 1, uuids: 1, atNoon: 1 },
  { event: "historical_activity", day: "2026-06-01", events: 1, uuids: 1, atNoon: 1 },
  { event: "historical_activity", day: "2026-06-04", events: 1, uuids: 1, atNoon: 1 },
  { event: "historical_activity", day: "2026-06-09", events: 1, uuids: 1, atNoon: 1 }
]
const judge = (days: ReadonlyArray<BackfillVerification.DayRow>, extra: { persons?: number; duplicates?: ReadonlyArray<{ uuid: string; copies: number }> } = {}) =>
  BackfillVerification.evaluateVerification({ marker, days, persons: extra.persons ?? 1, duplicates: extra.duplicates ?? [] })
const failed = (report: BackfillVerification.VerificationReport) => report.checks.filter((check) => !check.ok).map((check) => check.id)

describe("the verify queries", () => {
  it("are read by PostHog's parser, for any install id", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 60 }), (installId) => {
      const queries = BackfillVerification.verificationQueries(installId)
      for (const text of Object.values(queries)) expect(parseSelect(text).node).toBe("SelectQuery")
    }), { numRuns: 50 })
  })
})

describe("the verdict", () => {
  it("passes what a good send leaves", () => {
    const report = judge(good)
    expect(report.ok).toBe(true)
    expect(report.byEvent).toEqual({ install_inferred: 1, historical_activity: 3 })
    expect([report.firstDay, report.lastDay]).toEqual(["2026-06-01", "2026-06-09"])
  })

  it("fails each check when its rule breaks, and only that one", () => {
    const [install, ...days] = good
    expect(failed(judge(good.slice(0, 3)))).toEqual(["count"])
    expect(failed(judge([install!, ...days.slice(0, 2), { ...days[2]!, day: "2026-06-10" }]))).toEqual(["window"])
    expect(failed(judge([{ ...install!, events: 2, uuids: 2, atNoon: 2 }, ...days.slice(1)]))).toEqual(["window"])
    expect(failed(judge([install!, { ...days[0]!, uuids: 2, events: 2, atNoon: 2 }, days[1]!]))).toEqual(["perDay"])
    expect(failed(judge([install!, { ...days[0]!, events: 2, atNoon: 2 }, ...days.slice(1)], { duplicates: [{ uuid: "u", copies: 2 }] }))).toEqual(["duplicates"])
    expect(failed(judge([install!, { ...days[0]!, atNoon: 0 }, ...days.slice(1)]))).toEqual(["noon"])
    expect(failed(judge(good, { persons: 2 }))).toEqual(["persons"])
  })
})
