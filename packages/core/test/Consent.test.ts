import { ConsentRules } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const envPrefix = "CLAUDE_MEM_TELEMETRY"
const decide = (env: Record<string, string>, config?: Record<string, unknown>) => ConsentRules.resolveConsent({ env, envPrefix, config })

describe("consent", () => {
  it("is on by default", () => {
    expect(decide({})).toMatchObject({ enabled: true, source: "default", debug: false })
  })

  it("DO_NOT_TRACK set to anything but empty, 0 or false turns it off, above everything", () => {
    for (const value of ["1", "true", "yes", "anything"]) {
      expect(decide({ DO_NOT_TRACK: value, [envPrefix]: "1" })).toMatchObject({ enabled: false, source: "do-not-track" })
    }
    for (const value of ["", "0", "false"]) expect(decide({ DO_NOT_TRACK: value }).enabled).toBe(true)
  })

  it("<PREFIX>=0/false/off turns it off; 1/true/on forces it on over the config and CI", () => {
    for (const value of ["0", "false", "off", "OFF", " False "]) {
      expect(decide({ [envPrefix]: value })).toMatchObject({ enabled: false, source: "env" })
    }
    for (const value of ["1", "true", "on"]) {
      expect(decide({ [envPrefix]: value, CI: "true" }, { enabled: false })).toMatchObject({ enabled: true, source: "env" })
    }
    expect(decide({ [envPrefix]: "maybe" })).toMatchObject({ enabled: true, source: "default" })
  })

  it("honours a config file's enabled: false even when it holds nothing else", () => {
    expect(decide({}, { enabled: false })).toMatchObject({ enabled: false, source: "config" })
    expect(decide({ CI: "1" }, { enabled: true })).toMatchObject({ enabled: false, source: "ci" })
  })

  it("turns off in CI environments", () => {
    for (const name of ConsentRules.CI_ENV_VARS) expect(decide({ [name]: "1" })).toMatchObject({ enabled: false, source: "ci" })
    expect(ConsentRules.detectCi({ CI: "false" })).toBeUndefined()
    expect(ConsentRules.detectCi({ CI: "" })).toBeUndefined()
  })

  it("fails closed: an enabled that is present and not the boolean true is off, and the reason quotes it", () => {
    for (const [value, quoted] of [["false", '"false"'], [0, "0"], ["no", '"no"'], [null, "null"], ["true", '"true"'], [1, "1"], [[], "[]"], [{}, "{}"]] as const) {
      const decision = decide({}, { enabled: value })
      expect([quoted, decision.enabled, decision.source]).toEqual([quoted, false, "config"])
      expect(decision.reason).toContain(`"enabled": ${quoted}`)
    }
    // Only the boolean true, or no enabled at all, leaves the default on.
    expect(decide({}, { enabled: true })).toMatchObject({ enabled: true, source: "default" })
    expect(decide({}, { installId: "x" })).toMatchObject({ enabled: true, source: "default" })
    fc.assert(
      fc.property(fc.jsonValue().filter((value) => value !== true), (value) => {
        expect(decide({}, { enabled: value }).enabled).toBe(false)
      })
    )
  })

  it("is a dry run only for <PREFIX>_DEBUG exactly 1", () => {
    expect(decide({ [`${envPrefix}_DEBUG`]: "1" }).debug).toBe(true)
    for (const value of ["true", "01", " 1", "yes"]) expect(decide({ [`${envPrefix}_DEBUG`]: value }).debug).toBe(false)
  })

  it("follows the precedence DO_NOT_TRACK > <PREFIX> > config > CI > default", () => {
    const maybe = (value: string) => fc.option(fc.constant(value), { nil: undefined })
    fc.assert(
      fc.property(maybe("1"), fc.option(fc.constantFrom("0", "1"), { nil: undefined }), fc.boolean(), maybe("true"), (dnt, flag, configOff, ci) => {
        const env: Record<string, string> = {}
        if (dnt !== undefined) env["DO_NOT_TRACK"] = dnt
        if (flag !== undefined) env[envPrefix] = flag
        if (ci !== undefined) env["GITHUB_ACTIONS"] = ci
        const decision = decide(env, configOff ? { enabled: false } : {})
        const expected =
          dnt !== undefined ? ["do-not-track", false] :
          flag !== undefined ? ["env", flag === "1"] :
          configOff ? ["config", false] :
          ci !== undefined ? ["ci", false] : ["default", true]
        expect([decision.source, decision.enabled]).toEqual(expected)
      })
    )
  })
})
