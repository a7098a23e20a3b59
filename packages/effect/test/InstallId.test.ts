import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it, layer } from "@effect/vitest"
import { ConfigFile, InstallId } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** A fresh temp dir with an install id stored in `<dir>/<relative>` under `installId`. */
const setup = (relative = "telemetry.json") =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "install-id-" })
    const configPath = path.join(dir, relative)
    const ids = yield* InstallId.make({ key: "installId" }).pipe(Effect.provide(ConfigFile.layer({ path: configPath })))
    return { fs, path, dir, configPath, ids }
  })

layer(NodeContext.layer)("InstallId (files)", (it) => {
  it.scoped("current on a missing file is undefined and creates nothing", () =>
    Effect.gen(function*() {
      const { dir, fs, ids } = yield* setup("data/telemetry.json")
      expect(yield* ids.current).toBeUndefined()
      expect(yield* fs.readDirectory(dir)).toEqual([])
    }))

  it.scoped("getOrCreate creates a v4 uuid, persists it, and answers the same one afterwards", () =>
    Effect.gen(function*() {
      const { configPath, dir, fs, ids, path } = yield* setup("data/telemetry.json")
      const id = yield* ids.getOrCreate
      expect(id).toMatch(UUID_V4)
      expect(JSON.parse(yield* fs.readFileString(configPath))).toEqual({ installId: id })
      expect(yield* ids.getOrCreate).toBe(id)
      expect(yield* ids.current).toBe(id)
      // a fresh service over the same file sees the same id
      const again = yield* InstallId.make({ key: "installId" }).pipe(Effect.provide(ConfigFile.layer({ path: configPath })))
      expect(yield* again.getOrCreate).toBe(id)
      // no temp files left behind
      expect(yield* fs.readDirectory(path.join(dir, "data"))).toEqual(["telemetry.json"])
    }))

  it.scoped("concurrent getOrCreate calls agree on one id", () =>
    Effect.gen(function*() {
      const { configPath, fs } = yield* setup()
      const services = yield* Effect.all(
        Array.from({ length: 4 }, () => InstallId.make({ key: "installId" }).pipe(Effect.provide(ConfigFile.layer({ path: configPath }))))
      )
      const ids = yield* Effect.all(services.map((s) => s.getOrCreate), { concurrency: "unbounded" })
      expect(new Set(ids).size).toBe(1)
      expect(JSON.parse(yield* fs.readFileString(configPath))).toEqual({ installId: ids[0] })
    }))

  it.scoped("an existing id is returned as is, and nothing is rewritten", () =>
    Effect.gen(function*() {
      const { configPath, fs, ids } = yield* setup()
      const text = `{"installId":"legacy-id-123","enabled":true}`
      yield* fs.writeFileString(configPath, text)
      expect(yield* ids.current).toBe("legacy-id-123")
      expect(yield* ids.getOrCreate).toBe("legacy-id-123")
      expect(yield* fs.readFileString(configPath)).toBe(text)
    }))

  it.scoped("getOrCreate preserves every other key of the file", () =>
    Effect.gen(function*() {
      const { configPath, fs, ids } = yield* setup()
      yield* fs.writeFileString(configPath, JSON.stringify({ enabled: false, other: 1, nested: { a: [1, 2] } }))
      expect(yield* ids.current).toBeUndefined()
      const id = yield* ids.getOrCreate
      expect(id).toMatch(UUID_V4)
      expect(JSON.parse(yield* fs.readFileString(configPath))).toEqual({
        enabled: false,
        other: 1,
        nested: { a: [1, 2] },
        installId: id
      })
    }))

  it.scoped("a null or blank id counts as missing", () =>
    Effect.gen(function*() {
      const { configPath, fs, ids } = yield* setup()
      yield* fs.writeFileString(configPath, JSON.stringify({ installId: null, enabled: true }))
      expect(yield* ids.current).toBeUndefined()
      const id = yield* ids.getOrCreate
      expect(JSON.parse(yield* fs.readFileString(configPath))).toEqual({ installId: id, enabled: true })
    }))

  for (
    const [name, content] of [
      ["garbage", "{\"enabled\": fal"],
      ["an empty file", ""],
      ["a JSON array", "[\"installId\"]"],
      ["a JSON string", "\"hello\""]
    ] as const
  ) {
    it.scoped(`a corrupt config file (${name}) is never overwritten and gives a clear error`, () =>
      Effect.gen(function*() {
        const { configPath, fs, ids } = yield* setup()
        yield* fs.writeFileString(configPath, content)
        const before = yield* fs.readFile(configPath)
        const error = yield* Effect.flip(ids.getOrCreate)
        expect(error._tag).toBe("InstallIdError")
        expect(error.reason).toBe("InvalidFile")
        expect(error.path).toBe(configPath)
        expect(error.message).toContain("cannot be used (")
        expect(error.message).toContain("will not be overwritten")
        expect((yield* Effect.flip(ids.current)).reason).toBe("InvalidFile")
        expect(yield* fs.readFile(configPath)).toEqual(before)
      }))
  }

  it.scoped("an id that is not a string is never overwritten", () =>
    Effect.gen(function*() {
      const { configPath, fs, ids } = yield* setup()
      const text = JSON.stringify({ installId: 42 })
      yield* fs.writeFileString(configPath, text)
      const error = yield* Effect.flip(ids.getOrCreate)
      expect(error.reason).toBe("InvalidValue")
      expect(yield* fs.readFileString(configPath)).toBe(text)
    }))

  it.scoped("a directory in place of the config file is never used: InvalidFile, saying what it is", () =>
    Effect.gen(function*() {
      const { configPath, fs, ids } = yield* setup()
      yield* fs.makeDirectory(configPath)
      const error = yield* Effect.flip(ids.getOrCreate)
      expect(error.reason).toBe("InvalidFile")
      expect(error.message).toContain("is not a regular file (a directory)")
      expect((yield* Effect.flip(ids.current)).reason).toBe("InvalidFile")
    }))
})

describe("InstallId (test layers)", () => {
  it.effect("layerStatic answers the fixed id", () =>
    Effect.gen(function*() {
      const ids = yield* InstallId.InstallId
      expect(yield* ids.current).toBe("fixed")
      expect(yield* ids.getOrCreate).toBe("fixed")
    }).pipe(Effect.provide(InstallId.layerStatic("fixed"))))

  it.effect("layerMemory creates once", () =>
    Effect.gen(function*() {
      const ids = yield* InstallId.InstallId
      expect(yield* ids.current).toBeUndefined()
      const id = yield* ids.getOrCreate
      expect(id).toMatch(UUID_V4)
      expect(yield* ids.getOrCreate).toBe(id)
      expect(yield* ids.current).toBe(id)
    }).pipe(Effect.provide(InstallId.layerMemory())))
})
