import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it, layer } from "@effect/vitest"
import { Marker } from "@posthog-backfill/core"
import { MarkerStore } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"

const marker = Marker.makeMarker({
  completedAtMs: Date.UTC(2025, 5, 1, 10, 0, 0),
  throughDay: "2025-05-29",
  eventCount: 42,
  installId: "0b9e6f8e-4f4e-4d84-9a3c-2b1f6a8f1f11"
})

/** Runs `self` with a logger that records every message, and returns them. */
const withLogs = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const logs: Array<{ readonly level: string; readonly message: string }> = []
    const logger = Logger.make(({ logLevel, message }) => {
      logs.push({ level: logLevel.label, message: (Array.isArray(message) ? message : [message]).map(String).join(" ") })
    })
    return self.pipe(
      Effect.provide(Logger.add(logger)),
      Effect.map((a) => [a, logs] as const)
    )
  })

/** A fresh temp dir and a marker store at `<dir>/<relative>`. */
const setup = (relative = "backfill.json") =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "marker-store-" })
    const file = path.join(dir, relative)
    const store = yield* MarkerStore.make({ path: file })
    return { fs, path, dir, file, store }
  })

layer(NodeContext.layer)("MarkerStore (files)", (it) => {
  it.scoped("a missing marker is Absent", () =>
    Effect.gen(function*() {
      const { store } = yield* setup()
      expect(yield* store.read).toEqual(Marker.markerAbsent)
    }))

  it.scoped("the pending send sits beside the marker, round-trips atomically and clears", () =>
    Effect.gen(function*() {
      const { dir, fs, path, store } = yield* setup()
      const pending = { startedAt: "2026-06-12T08:00:00.000Z", throughDay: "2026-06-09", installId: "i", eventCount: 3 }
      expect(yield* store.readPending).toBeUndefined()
      yield* store.writePending(pending)
      expect(yield* store.readPending).toEqual(pending)
      expect(yield* fs.readDirectory(dir)).toEqual(["backfill.pending.json"])
      yield* store.clearPending
      yield* store.clearPending
      expect(yield* store.readPending).toBeUndefined()
      expect(yield* fs.readDirectory(dir)).toEqual([])
      yield* fs.writeFileString(path.join(dir, "backfill.pending.json"), "{garbage")
      expect(yield* store.readPending).toBeUndefined()
      expect(MarkerStore.pendingPathFor("/d/backfill.json")).toBe("/d/backfill.pending.json")
    }))

  it.scoped("a missing data dir is Absent too", () =>
    Effect.gen(function*() {
      const { store } = yield* setup("no/such/dir/backfill.json")
      expect(yield* store.read).toEqual(Marker.markerAbsent)
    }))

  it.scoped("write then read round-trips, and the file is the core's encoding", () =>
    Effect.gen(function*() {
      const { file, fs, store } = yield* setup()
      yield* store.write(marker)
      expect(yield* store.read).toEqual({ _tag: "Present", marker })
      expect(yield* fs.readFileString(file)).toBe(Marker.encodeMarker(marker))
    }))

  it.scoped("write is atomic: no temp file remains, and a second write replaces the first", () =>
    Effect.gen(function*() {
      const { dir, fs, store } = yield* setup()
      yield* store.write(marker)
      yield* store.write({ ...marker, eventCount: 43 })
      expect(yield* fs.readDirectory(dir)).toEqual(["backfill.json"])
      const state = yield* store.read
      expect(state._tag === "Present" && state.marker.eventCount).toBe(43)
    }))

  it.scoped("write creates a missing data dir", () =>
    Effect.gen(function*() {
      const { fs, path, dir, store } = yield* setup("nested/data/backfill.json")
      yield* store.write(marker)
      expect(yield* store.read).toEqual({ _tag: "Present", marker })
      expect(yield* fs.readDirectory(path.join(dir, "nested/data"))).toEqual(["backfill.json"])
    }))

  it.scoped("a marker from the app's own earlier code (extra fields) is Present: done", () =>
    Effect.gen(function*() {
      const { file, fs, store } = yield* setup()
      yield* fs.writeFileString(file, JSON.stringify({ version: 1, ...marker, note: "legacy" }))
      expect(yield* store.read).toEqual({ _tag: "Present", marker })
    }))

  for (
    const [name, content] of [
      ["garbage", "{not json"],
      ["an empty file", ""],
      ["a JSON array", "[1, 2]"],
      ["an object that is not a marker", JSON.stringify({ completedAt: "x" })]
    ] as const
  ) {
    it.scoped(`${name} is Unreadable (done) and reported`, () =>
      Effect.gen(function*() {
        const { file, fs, store } = yield* setup()
        yield* fs.writeFileString(file, content)
        const [state, logs] = yield* withLogs(store.read)
        expect(state._tag).toBe("Unreadable")
        const warnings = logs.filter((log) => log.level === "WARN")
        expect(warnings).toHaveLength(1)
        expect(warnings[0]?.message).toContain(file)
        expect(warnings[0]?.message).toContain("counts as done")
        // reading never repairs or removes anything
        expect(yield* fs.readFileString(file)).toBe(content)
      }))
  }

  it.scoped("a directory at the marker path is Unreadable (done) with the reason, and reported", () =>
    Effect.gen(function*() {
      const { file, fs, store } = yield* setup()
      yield* fs.makeDirectory(file)
      const [state, logs] = yield* withLogs(store.read)
      expect(state).toEqual({ _tag: "Unreadable", reason: expect.stringContaining("cannot be read") })
      expect(logs.some((log) => log.level === "WARN" && log.message.includes(file))).toBe(true)
    }))

  it.scoped("a file in place of the data dir is a MarkerReadError that names it (not a marker state)", () =>
    Effect.gen(function*() {
      const { fs, path, dir } = yield* setup()
      yield* fs.writeFileString(path.join(dir, "data"), "I am a file")
      const store = yield* MarkerStore.make({ path: path.join(dir, "data", "backfill.json") })
      const error = yield* Effect.flip(store.read)
      expect(error._tag).toBe("MarkerReadError")
      expect(error.message).toContain(`${path.join(dir, "data")} is a file`)
    }))

  it.scoped("a directory at the target fails with MarkerWriteError that says so, and leaves no temp file", () =>
    Effect.gen(function*() {
      const { dir, file, fs, path, store } = yield* setup()
      yield* fs.makeDirectory(file)
      yield* fs.writeFileString(path.join(file, "keep.txt"), "untouched")
      const error = yield* Effect.flip(store.write(marker))
      expect(error._tag).toBe("MarkerWriteError")
      expect(error.path).toBe(file)
      expect(error.message).toContain("is not a regular file (a directory)")
      expect(yield* fs.readDirectory(dir)).toEqual(["backfill.json"])
      expect(yield* fs.readDirectory(file)).toEqual(["keep.txt"])
    }))

  it.scoped("an invalid path (NUL byte) is a MarkerReadError, not a state", () =>
    Effect.gen(function*() {
      const { dir, path } = yield* setup()
      const store = yield* MarkerStore.make({ path: path.join(dir, "bad\u0000name.json") })
      const error = yield* Effect.flip(store.read)
      expect(error._tag).toBe("MarkerReadError")
    }))

  it.scoped("write keeps an existing file's permission bits", () =>
    Effect.gen(function*() {
      const { dir, file, fs, store } = yield* setup()
      yield* fs.writeFileString(file, "{}")
      yield* fs.chmod(file, 0o600)
      yield* store.write(marker)
      expect((yield* fs.stat(file)).mode & 0o777).toBe(0o600)
      expect(yield* store.read).toEqual({ _tag: "Present", marker })
      expect(yield* fs.readDirectory(dir)).toEqual(["backfill.json"])
    }))
})

describe("MarkerStore (memory)", () => {
  it.effect("records writes and reads them back", () =>
    Effect.gen(function*() {
      const memory = yield* MarkerStore.makeMemory()
      expect(yield* memory.service.read).toEqual(Marker.markerAbsent)
      yield* memory.service.write(marker)
      expect(yield* memory.service.read).toEqual({ _tag: "Present", marker })
      expect(yield* memory.written).toEqual([marker])
    }))

  it.effect("layerMemory starts at the given state", () =>
    Effect.gen(function*() {
      const store = yield* MarkerStore.MarkerStore
      expect(yield* store.read).toEqual({ _tag: "Unreadable", reason: "test" })
    }).pipe(Effect.provide(MarkerStore.layerMemory({ _tag: "Unreadable", reason: "test" }))))

  it.effect("the file layer builds from FileSystem + Path", () =>
    Effect.gen(function*() {
      const store = yield* MarkerStore.MarkerStore
      expect(yield* store.read).toEqual(Marker.markerAbsent)
    }).pipe(
      Effect.provide(
        MarkerStore.layer({ path: "/definitely/not/here/backfill.json" })
      )
    ))
})
