import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it, layer } from "@effect/vitest"
import { ConfigFile, FirstRunNotice } from "@posthog-backfill/effect"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

const PREFIX = "APP_TELEMETRY"
const envProvider = (env: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(env)))

const setup = (env: Record<string, string> = {}, content?: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "notice-" })
    const configPath = path.join(dir, "telemetry.json")
    if (content !== undefined) yield* fs.writeFileString(configPath, content)
    const notice = yield* FirstRunNotice.make({ envPrefix: PREFIX }).pipe(
      Effect.provide(ConfigFile.layer({ path: configPath })),
      Effect.withConfigProvider(envProvider(env))
    )
    const read = Effect.map(fs.readFileString(configPath), (text) => JSON.parse(text) as unknown)
    return { fs, dir, configPath, notice, read }
  }).pipe(Logger.withMinimumLogLevel(LogLevel.None))

layer(NodeContext.layer)("FirstRunNotice (real config file)", (it) => {
  it.scoped("shows once per version, storing it beside every other key of the config file", () =>
    Effect.gen(function*() {
      const { notice, read } = yield* setup({}, `{"enabled": true, "installId": "abc", "theme": "dark"}`)
      expect(yield* notice.shouldShow(1)).toBe(true)
      const shown: Array<string> = []
      const show = (text: string) => Effect.sync(() => void shown.push(text))
      expect(yield* notice.showOnce({ version: 1, text: "We collect counts. Opt out: app consent disable" }, show)).toBe(true)
      expect(yield* notice.showOnce({ version: 1, text: "again" }, show)).toBe(false)
      expect(shown).toEqual(["We collect counts. Opt out: app consent disable"])
      expect(yield* read).toEqual({ enabled: true, installId: "abc", theme: "dark", telemetryNoticeVersion: 1 })
      // A new version of the text shows again; an old version never lowers the stored one.
      expect(yield* notice.shouldShow(2)).toBe(true)
      yield* notice.markShown(2)
      yield* notice.markShown(1)
      expect(yield* read).toMatchObject({ telemetryNoticeVersion: 2 })
      expect(yield* notice.shouldShow(2)).toBe(false)
    }))

  it.scoped("creates the config file when missing; a failing show records nothing", () =>
    Effect.gen(function*() {
      const { notice, read, fs, configPath } = yield* setup()
      const failed = yield* Effect.either(notice.showOnce({ version: 1, text: "x" }, () => Effect.fail("no terminal")))
      expect(failed).toMatchObject({ _tag: "Left", left: "no terminal" })
      expect(yield* fs.exists(configPath)).toBe(false)
      yield* notice.markShown(1)
      expect(yield* read).toEqual({ telemetryNoticeVersion: 1 })
    }))

  it.scoped("a dry run (<PREFIX>_DEBUG=1) shows the notice but writes nothing", () =>
    Effect.gen(function*() {
      const { notice, fs, dir } = yield* setup({ [`${PREFIX}_DEBUG`]: "1" })
      expect(yield* notice.showOnce({ version: 1, text: "x" }, () => Effect.void)).toBe(true)
      expect(yield* notice.shouldShow(1)).toBe(true)
      expect(yield* fs.readDirectory(dir)).toEqual([])
    }))

  it.scoped("a config file that is not a JSON object: shown, and left untouched", () =>
    Effect.gen(function*() {
      const { notice, fs, configPath } = yield* setup({}, "[1, 2]")
      expect(yield* notice.shouldShow(1)).toBe(true)
      const error = yield* Effect.flip(notice.markShown(1))
      expect(error).toMatchObject({ _tag: "FirstRunNoticeError", reason: "InvalidFile" })
      expect(error.message).toContain("left untouched")
      expect(yield* fs.readFileString(configPath)).toBe("[1, 2]")
    }))

  it.scoped("refuses versions that are not whole numbers >= 1", () =>
    Effect.gen(function*() {
      const { notice } = yield* setup()
      expect(yield* Effect.flip(notice.markShown(0))).toMatchObject({ reason: "InvalidVersion" })
      expect(yield* notice.shouldShow(1.5).pipe(Logger.withMinimumLogLevel(LogLevel.None))).toBe(false)
    }))
})

describe("FirstRunNotice.layerMemory", () => {
  it.effect("answers from memory", () =>
    Effect.gen(function*() {
      const notice = yield* FirstRunNotice.FirstRunNotice
      expect(yield* notice.shouldShow(1)).toBe(false)
      expect(yield* notice.shouldShow(2)).toBe(true)
      yield* notice.markShown(2)
      expect(yield* notice.shouldShow(2)).toBe(false)
    }).pipe(Effect.provide(FirstRunNotice.layerMemory(1))))
})
