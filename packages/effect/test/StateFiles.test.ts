/**
 * A careless or hostile file system under the app's data dir: links, special
 * files, huge files, a data dir that cannot exist. Every state file is read
 * only if it is a regular file, with a size cap, never through a symbolic link,
 * and written only by a rename over the path itself, never through a link.
 */
import { describe, expect, it } from "@effect/vitest"
import { Marker, Presets } from "@posthog-backfill/core"
import { AppDataDir, ConfigFile, Consent, InstallId, MarkerStore, runHistoricalBackfill } from "@posthog-backfill/effect"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "state-files-"))
const noEnv = ConfigProvider.fromMap(new Map())

const marker: Marker.BackfillMarker = { completedAt: "2026-06-12T08:00:00.000Z", throughDay: "2026-06-09", eventCount: 3, installId: "i" }
const pending: Marker.PendingSend = { startedAt: "2026-06-12T08:00:00.000Z", throughDay: "2026-06-09", installId: "i", eventCount: 3 }

const mkfifo = (file: string) => execFileSync("mkfifo", [file])

describe("state files are never written through a symbolic link", () => {
  it.effect("the pending send, the marker and the config refuse a link and leave its target untouched", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const outside = path.join(tempDir(), "precious.txt")
      fs.writeFileSync(outside, "keep me")
      const store = yield* MarkerStore.make({ path: path.join(dir, "backfill.json") })
      fs.symlinkSync(outside, path.join(dir, "backfill.pending.json"))
      fs.symlinkSync(outside, path.join(dir, "backfill.json"))
      fs.symlinkSync(outside, path.join(dir, "telemetry.json"))

      const journal = yield* Effect.flip(store.writePending(pending))
      expect(journal.message).toContain(path.join(dir, "backfill.pending.json"))
      expect(journal.message).toMatch(/symbolic link/)
      expect((yield* Effect.flip(store.write(marker))).message).toMatch(/symbolic link/)
      const config = yield* ConfigFile.make({ path: path.join(dir, "telemetry.json") })
      const update = yield* Effect.flip(config.update(() => Effect.succeed({ value: 1, next: { enabled: false } })))
      expect(update.description).toMatch(/symbolic link/)

      expect(fs.readFileSync(outside, "utf8")).toBe("keep me")
      for (const name of ["backfill.pending.json", "backfill.json", "telemetry.json"]) {
        expect(fs.lstatSync(path.join(dir, name)).isSymbolicLink()).toBe(true)
      }
    }))

  it.effect("a dangling config link ends (no loop): consent off with a reason naming the file, the id refused, the link kept", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const file = path.join(dir, "telemetry.json")
      fs.symlinkSync("/nonexistent/t.json", file)
      const layer = Layer.mergeAll(Consent.layer({ envPrefix: "APP_TELEMETRY" }), InstallId.layer({ key: "installId" })).pipe(
        Layer.provideMerge(ConfigFile.layer({ path: file }))
      )
      const { consent, ids } = yield* Effect.all({ consent: Consent.Consent, ids: InstallId.InstallId }).pipe(Effect.provide(layer))
      const decision = yield* consent.resolve.pipe(Effect.withConfigProvider(noEnv))
      expect(decision).toMatchObject({ enabled: false, source: "config" })
      expect(decision.reason).toContain(file)
      expect(decision.reason).toMatch(/symbolic link/)
      const error = yield* Effect.flip(ids.getOrCreate)
      expect(error.reason).toBe("InvalidFile")
      expect(error.message).toContain(file)
      expect(fs.readlinkSync(file)).toBe("/nonexistent/t.json")
    }))
})

describe("state files are read only when they are small regular files", () => {
  it.effect("a FIFO at the marker is done (reported), not a hang; a FIFO at the config is off", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      mkfifo(path.join(dir, "backfill.json"))
      mkfifo(path.join(dir, "telemetry.json"))
      const store = yield* MarkerStore.make({ path: path.join(dir, "backfill.json") })
      const state = yield* store.read
      expect(state).toMatchObject({ _tag: "Unreadable", reason: expect.stringMatching(/not a regular file/) })
      const consent = yield* Consent.make({ envPrefix: "APP_TELEMETRY" }).pipe(
        Effect.provide(ConfigFile.layer({ path: path.join(dir, "telemetry.json") })),
        Effect.withConfigProvider(noEnv)
      )
      expect(yield* consent.resolve).toMatchObject({ enabled: false, source: "config" })
    }))

  it.effect("a link to /dev/zero and a 50 MB file are refused without reading them whole", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      fs.symlinkSync("/dev/zero", path.join(dir, "backfill.json"))
      const huge = path.join(dir, "backfill.pending.json")
      fs.writeFileSync(huge, Buffer.alloc(50 * 1024 * 1024, 0x20))
      const store = yield* MarkerStore.make({ path: path.join(dir, "backfill.json") })
      const before = process.memoryUsage().rss
      expect(yield* store.read).toMatchObject({ _tag: "Unreadable", reason: expect.stringMatching(/symbolic link/) })
      expect(yield* store.readPending).toBeUndefined()
      // Nothing like the 50 MB was read into memory (a generous ratio, not a timing).
      expect(process.memoryUsage().rss - before).toBeLessThan(25 * 1024 * 1024)
    }))
})

describe("a data dir that cannot exist", () => {
  it.effect("under a regular file, reading the marker fails and says why and what to do", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      fs.writeFileSync(path.join(dir, "some-file"), "x")
      const store = yield* MarkerStore.make({ path: path.join(dir, "some-file", "sub", "backfill.json") })
      const error = yield* Effect.flip(store.read)
      expect(error._tag).toBe("MarkerReadError")
      expect(error.message).toContain(path.join(dir, "some-file"))
      expect(error.message).toMatch(/is a file, so the data dir .* cannot exist/)
    }))
})

describe("leftovers of a killed writer", () => {
  it.effect("stale temp files of our own naming are swept; fresh ones and other files are kept", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const stale = path.join(dir, ".backfill.json.1a2b3c4d.tmp")
      const fresh = path.join(dir, ".telemetry.json.5e6f7a8b.tmp")
      const foreign = path.join(dir, ".notes.tmp")
      for (const file of [stale, fresh, foreign]) fs.writeFileSync(file, "{")
      const old = new Date(Date.now() - 10 * 60_000)
      fs.utimesSync(stale, old, old)
      fs.utimesSync(foreign, old, old)
      const store = yield* MarkerStore.make({ path: path.join(dir, "backfill.json") })
      yield* store.sweep
      expect(fs.readdirSync(dir).sort()).toEqual([".notes.tmp", ".telemetry.json.5e6f7a8b.tmp"])
    }))
})

/** Every odd kind of thing that can sit at a state file's path. */
const ODD_KINDS: ReadonlyArray<readonly [string, (file: string, outside: string) => void]> = [
  ["a dangling symlink", (file) => fs.symlinkSync("/nonexistent/state.json", file)],
  ["a looping symlink", (file) => fs.symlinkSync(path.basename(file), file)],
  ["a symlink to another file", (file, outside) => fs.symlinkSync(outside, file)],
  ["a FIFO", (file) => mkfifo(file)],
  ["a symlink to /dev/zero", (file) => fs.symlinkSync("/dev/zero", file)],
  ["a directory", (file) => fs.mkdirSync(file)],
  ["0 bytes", (file) => fs.writeFileSync(file, "")],
  ["50 MB", (file) => fs.writeFileSync(file, Buffer.alloc(50 * 1024 * 1024, 0x7b))],
  ["NUL bytes", (file) => fs.writeFileSync(file, Buffer.alloc(64, 0))]
]

/** Regular files that are simply not valid: read as invalid, then replaced by a real write. */
const REGULAR_KINDS = new Set(["0 bytes", "50 MB", "NUL bytes"])

describe("a corpus of odd files at every state-file path", () => {
  const app = Presets.claudeMem
  const sampleDir = tempDir()
  const database = path.join(sampleDir, "claude-mem.db")
  const db = new Database(database)
  writeClaudeMemSample(db, { seed: 3, endMs: Date.now(), days: 20, sessions: 30 })
  db.close()

  /** What each state file's rule makes of an odd file there (see the per-file rules). */
  const expected = (role: keyof AppDataDir.Files, kind: string): ReadonlyArray<string> => {
    switch (role) {
      case "configPath":
        return ["NoConsent"] // an unreadable config means off
      case "markerPath":
        return ["AlreadyDone"] // an unreadable marker means done (reported)
      case "pendingPath":
        // An unreadable journal is ignored; the send then records a fresh one by a rename over
        // a regular file, and refuses (naming it) anything else.
        return REGULAR_KINDS.has(kind) ? ["Sent"] : ["Error"]
      case "leasePath":
        // A lease that is not one, but a fresh regular file, counts as held until it is stale
        // by its age; anything else there is refused, naming it.
        return kind === "0 bytes" || kind === "NUL bytes" ? ["Busy"] : ["Error"]
      case "attemptsPath":
        // An unreadable attempt record never blocks an attempt.
        return ["Sent"]
    }
  }

  it.live("every run ends with the file's own outcome, and nothing outside the data dir is touched", () =>
    Effect.promise(async () => {
      const server = await startLocalCaptureServer({ apiKey: "phc_corpus" })
      try {
        for (const [role, name] of Object.entries(AppDataDir.files(app, "/")) as Array<[keyof AppDataDir.Files, string]>) {
          for (const [kind, plant] of ODD_KINDS) {
            const dataDir = tempDir()
            const outsideDir = tempDir()
            const outside = path.join(outsideDir, "other.json")
            fs.writeFileSync(outside, "{\"enabled\": true}")
            const before = { text: fs.readFileSync(outside, "utf8"), mtime: fs.statSync(outside).mtimeMs }
            const file = path.join(dataDir, path.basename(name))
            plant(file, outside)
            const result = await runHistoricalBackfill({
              app,
              dataDir,
              database,
              apiKey: "phc_corpus",
              host: server.url,
              env: {},
              inline: true,
              logLevel: "None",
              rollout: { spreadMs: 0 }
            })
            const where = `${kind} at ${path.basename(name)}`
            expect([where, result._tag]).toEqual([where, expect.toBeOneOf([...expected(role, kind)])])
            if (result._tag === "Error") expect([where, result.message]).toEqual([where, expect.stringContaining(file)])
            expect([where, fs.readFileSync(outside, "utf8"), fs.statSync(outside).mtimeMs]).toEqual([where, before.text, before.mtime])
            expect([where, fs.readdirSync(outsideDir)]).toEqual([where, ["other.json"]])
          }
        }
      } finally {
        await server.close()
      }
    }), 180_000)
})
