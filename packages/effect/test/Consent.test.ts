import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it, layer } from "@effect/vitest"
import { type ConsentRules } from "@posthog-backfill/core"
import { ConfigFile, Consent } from "@posthog-backfill/effect"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const PREFIX = "APP_TELEMETRY"

/** The environment comes from a map, never from the real `process.env` (vitest runs with CI=true in CI). */
const envProvider = (env: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(env)))

/**
 * A temp dir, an optional config file with `content`, and a consent service
 * built under `env`.
 */
const setup = (env: Record<string, string>, content?: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "consent-" })
    const configPath = path.join(dir, "telemetry.json")
    if (content !== undefined) yield* fs.writeFileString(configPath, content)
    const consent = yield* Consent.make({ envPrefix: PREFIX }).pipe(Effect.provide(ConfigFile.layer({ path: configPath }))).pipe(
      Effect.withConfigProvider(envProvider(env))
    )
    return { fs, path, dir, configPath, consent }
  })

const decide = (env: Record<string, string>, content?: string) =>
  Effect.flatMap(setup(env, content), ({ consent }) => consent.resolve)

const expectDecision = (decision: ConsentRules.ConsentDecision, enabled: boolean, source: ConsentRules.ConsentDecision["source"]) => {
  expect({ enabled: decision.enabled, source: decision.source }).toEqual({ enabled, source })
}

layer(NodeContext.layer)("Consent (env map + real config file)", (it) => {
  it.scoped("on by default (no variables, no config file), and resolving creates nothing", () =>
    Effect.gen(function*() {
      const { consent, dir, fs } = yield* setup({})
      const decision = yield* consent.resolve
      expect(decision).toEqual({ enabled: true, source: "default", reason: "telemetry is on by default", debug: false })
      expect(yield* fs.readDirectory(dir)).toEqual([])
    }))

  it.scoped("DO_NOT_TRACK turns it off, over everything else", () =>
    Effect.gen(function*() {
      const decision = yield* decide({ DO_NOT_TRACK: "1", [PREFIX]: "1" }, `{"enabled": true}`)
      expectDecision(decision, false, "do-not-track")
      expect(decision.reason).toContain("DO_NOT_TRACK=1")
      expectDecision(yield* decide({ DO_NOT_TRACK: "yes" }), false, "do-not-track")
    }))

  it.scoped("DO_NOT_TRACK empty, 0 or false does not count", () =>
    Effect.gen(function*() {
      for (const value of ["", "0", "false"]) expectDecision(yield* decide({ DO_NOT_TRACK: value }), true, "default")
    }))

  it.scoped("<PREFIX>=0 turns it off; <PREFIX>=1 forces it on over the config file and CI", () =>
    Effect.gen(function*() {
      for (const value of ["0", "false", "off"]) expectDecision(yield* decide({ [PREFIX]: value }), false, "env")
      for (const value of ["1", "true", "on"]) {
        expectDecision(yield* decide({ [PREFIX]: value, CI: "true" }, `{"enabled": false}`), true, "env")
      }
    }))

  it.scoped("the config file's enabled: false alone turns it off, and resolving leaves the file untouched", () =>
    Effect.gen(function*() {
      const text = `{"enabled": false}`
      const { configPath, consent, fs, dir } = yield* setup({}, text)
      const decision = yield* consent.resolve
      expectDecision(decision, false, "config")
      expect(yield* fs.readFileString(configPath)).toBe(text)
      expect(yield* fs.readDirectory(dir)).toEqual(["telemetry.json"])
    }))

  it.scoped("a config file without enabled changes nothing; any enabled but true is off, and says which value decided", () =>
    Effect.gen(function*() {
      expectDecision(yield* decide({}, `{"installId": "x"}`), true, "default")
      expectDecision(yield* decide({}, `{"enabled": true}`), true, "default")
      for (const text of [`"false"`, `0`, `"no"`, `null`, `"true"`]) {
        const decision = yield* decide({}, `{"enabled": ${text}}`)
        expectDecision(decision, false, "config")
        expect(decision.reason).toContain(`"enabled": ${text}`)
      }
    }))

  it.scoped("a CI variable turns it off; CI=false does not", () =>
    Effect.gen(function*() {
      const decision = yield* decide({ GITHUB_ACTIONS: "true" })
      expectDecision(decision, false, "ci")
      expect(decision.reason).toContain("GITHUB_ACTIONS")
      expectDecision(yield* decide({ CI: "false" }), true, "default")
      expectDecision(yield* decide({ JENKINS_URL: "https://ci.example" }), false, "ci")
    }))

  it.scoped("<PREFIX>_DEBUG is a dry run only when exactly 1", () =>
    Effect.gen(function*() {
      expect((yield* decide({ [`${PREFIX}_DEBUG`]: "1" })).debug).toBe(true)
      for (const value of ["true", "yes", " 1", "0", ""]) {
        expect((yield* decide({ [`${PREFIX}_DEBUG`]: value })).debug).toBe(false)
      }
      // debug is independent of the on/off decision
      const off = yield* decide({ DO_NOT_TRACK: "1", [`${PREFIX}_DEBUG`]: "1" })
      expect({ enabled: off.enabled, debug: off.debug }).toEqual({ enabled: false, debug: true })
    }))

  for (
    const [name, content] of [
      ["garbage", "{\"enabled\": tru"],
      ["an empty file", ""],
      ["a JSON array", "[]"]
    ] as const
  ) {
    it.scoped(`a corrupt config file (${name}) turns it off with a helpful reason, and is left untouched`, () =>
      Effect.gen(function*() {
        const { configPath, consent, fs } = yield* setup({}, content)
        const decision = yield* consent.resolve
        expectDecision(decision, false, "config")
        expect(decision.reason).toContain(configPath)
        expect(decision.reason).toContain("fix it")
        expect(decision.reason).toContain("delete it")
        expect(yield* fs.readFileString(configPath)).toBe(content)
      }))
  }

  it.scoped("a corrupt config file still yields to DO_NOT_TRACK and to <PREFIX>=1", () =>
    Effect.gen(function*() {
      expectDecision(yield* decide({ DO_NOT_TRACK: "1" }, "nope"), false, "do-not-track")
      expectDecision(yield* decide({ [PREFIX]: "1" }, "nope"), true, "env")
    }))

  it.scoped("a directory in place of the config file turns it off", () =>
    Effect.gen(function*() {
      const { configPath, fs } = yield* setup({})
      yield* fs.makeDirectory(configPath)
      const consent = yield* Consent.make({ envPrefix: PREFIX }).pipe(Effect.provide(ConfigFile.layer({ path: configPath }))).pipe(
        Effect.withConfigProvider(envProvider({}))
      )
      const decision = yield* consent.resolve
      expectDecision(decision, false, "config")
      expect(decision.reason).toContain("cannot be used")
    }))

  it.scoped("setEnabled creates the file (and its directory) when missing", () =>
    Effect.gen(function*() {
      const { dir, fs, path } = yield* setup({})
      const configPath = path.join(dir, "data", "telemetry.json")
      const consent = yield* Consent.make({ envPrefix: PREFIX }).pipe(Effect.provide(ConfigFile.layer({ path: configPath }))).pipe(
        Effect.withConfigProvider(envProvider({}))
      )
      yield* consent.setEnabled(false)
      expect(JSON.parse(yield* fs.readFileString(configPath))).toEqual({ enabled: false })
      expectDecision(yield* consent.resolve, false, "config")
      expect(yield* fs.readDirectory(path.join(dir, "data"))).toEqual(["telemetry.json"])
    }))

  it.scoped("setEnabled preserves every other key and toggles back", () =>
    Effect.gen(function*() {
      const { configPath, consent, fs } = yield* setup({}, JSON.stringify({ installId: "abc", other: { n: 1 } }))
      yield* consent.setEnabled(false)
      expect(JSON.parse(yield* fs.readFileString(configPath))).toEqual({ installId: "abc", other: { n: 1 }, enabled: false })
      expectDecision(yield* consent.resolve, false, "config")
      yield* consent.setEnabled(true)
      expect(JSON.parse(yield* fs.readFileString(configPath))).toEqual({ installId: "abc", other: { n: 1 }, enabled: true })
      expectDecision(yield* consent.resolve, true, "default")
    }))

  it.scoped("setEnabled refuses to overwrite a file that is not a JSON object", () =>
    Effect.gen(function*() {
      const { configPath, consent, fs } = yield* setup({}, "enabled=false")
      const before = yield* fs.readFile(configPath)
      const error = yield* Effect.flip(consent.setEnabled(true))
      expect(error._tag).toBe("ConsentConfigError")
      expect(error.reason).toBe("InvalidFile")
      expect(error.message).toContain("left untouched")
      expect(yield* fs.readFile(configPath)).toEqual(before)
    }))

  it.scoped("the environment comes from the ConfigProvider in place when the layer is built", () =>
    Effect.gen(function*() {
      const { configPath } = yield* setup({})
      const layerUnderTest = Consent.layer({ envPrefix: PREFIX }).pipe(Layer.provide(ConfigFile.layer({ path: configPath }))).pipe(
        Layer.provide(Layer.setConfigProvider(envProvider({ [PREFIX]: "0" })))
      )
      const decision = yield* Effect.flatMap(Consent.Consent, (consent) => consent.resolve).pipe(
        Effect.provide(layerUnderTest),
        // a different provider around the call does not change what the service reads
        Effect.withConfigProvider(envProvider({}))
      )
      expectDecision(decision, false, "env")
    }))
})

describe("Consent (pure helpers and test layer)", () => {
  it.effect("layerStatic answers the fixed decision", () =>
    Effect.gen(function*() {
      const decision: ConsentRules.ConsentDecision = { enabled: false, source: "ci", reason: "test", debug: true }
      const consent = yield* Consent.Consent
      expect(yield* consent.resolve).toEqual(decision)
      yield* consent.setEnabled(true)
      expect(yield* consent.resolve).toEqual(decision)
    }).pipe(Effect.provide(Consent.layerStatic({ enabled: false, source: "ci", reason: "test", debug: true }))))

  it("describe says on/off, the reason, the rule and the dry run", () => {
    expect(Consent.describe({ enabled: false, source: "do-not-track", reason: "DO_NOT_TRACK=1 turned telemetry off", debug: false }))
      .toBe("telemetry is off: DO_NOT_TRACK=1 turned telemetry off (rule: do-not-track)")
    expect(Consent.describe({ enabled: true, source: "default", reason: "telemetry is on by default", debug: true }))
      .toContain("dry run")
  })

  it("environmentVariables lists DO_NOT_TRACK, the prefix, its _DEBUG and the CI names", () => {
    const names = Consent.environmentVariables(PREFIX)
    expect(names.slice(0, 3)).toEqual(["DO_NOT_TRACK", PREFIX, `${PREFIX}_DEBUG`])
    expect(names).toContain("CI")
    expect(names).toContain("GITHUB_ACTIONS")
  })
})
