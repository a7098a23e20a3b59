import { BackfillApp, Presets, RollupSpec } from "@posthog-backfill/core"
import { describe, expect, it } from "vitest"

describe("backfill apps", () => {
  it("defines the claude-mem preset with its files, prefix and namespace", () => {
    expect(Presets.claudeMem).toMatchObject({
      markerFileName: "backfill.json",
      configFileName: "telemetry.json",
      consentEnvPrefix: "CLAUDE_MEM_TELEMETRY",
      namespace: "8a9c2f4e-31b7-5d68-9c4a-f02e6d5b8a17",
      floorMs: Date.UTC(2024, 0, 1)
    })
    expect(Presets.jobRunner.markerFileName).toBe("backfill.json")
  })

  it("whitelists exactly the counters, backfilled, first_active_date and the base properties", () => {
    expect(Object.keys(BackfillApp.backfillWhitelist(Presets.claudeMem)).sort()).toEqual(
      [...RollupSpec.specKeys(Presets.claudeMem.spec), "backfilled", "first_active_date", ...Object.keys(Presets.claudeMem.baseProperties)].sort()
    )
  })

  it("names every problem of a bad definition at once", () => {
    const define = () =>
      BackfillApp.defineBackfillApp({
        name: "bad",
        spec: { tables: [], firstActivity: [] },
        namespace: "not-a-uuid",
        baseProperties: { observation_count: "string" },
        personPropertyKeys: ["hostname"],
        consentEnvPrefix: "lower",
        markerFileName: "../marker.json"
      })
    expect(define).toThrow(BackfillApp.BackfillAppError)
    try {
      define()
    } catch (error) {
      expect((error as BackfillApp.BackfillAppError).problems).toEqual([
        "firstActivity: needs at least one time source",
        'namespace "not-a-uuid" is not a UUID',
        'consentEnvPrefix "lower" must be UPPER_SNAKE_CASE',
        'markerFileName "../marker.json" must be a plain file name',
        'person key "hostname" is not a base property, so it could never be set'
      ])
    }
  })
})
