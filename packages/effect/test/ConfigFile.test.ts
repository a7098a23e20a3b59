import { describe, expect, it } from "@effect/vitest"
import { ConfigFile } from "@posthog-backfill/effect"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { runTogether, startChild } from "./support/processes.js"

const CHILD = fileURLToPath(new URL("./support/configRace.child.mjs", import.meta.url))

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "config-file-"))

describe("ConfigFile.update", () => {
  it.effect("runs one update at a time on one file, across service instances, keeping every key", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "telemetry.json")
      fs.writeFileSync(file, JSON.stringify({ theme: "dark" }))
      const instances = yield* Effect.all(Array.from({ length: 4 }, () => ConfigFile.make({ path: file })))
      // Each update reads, yields, then writes: without one lock, increments would be lost.
      yield* Effect.all(
        instances.flatMap((config) =>
          Array.from({ length: 10 }, () =>
            config.update((current) =>
              Effect.as(Effect.yieldNow(), {
                value: undefined,
                next: { ...current, count: Number(current?.["count"] ?? 0) + 1 }
              })
            )
          )
        ),
        { concurrency: "unbounded" }
      )
      expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ theme: "dark", count: 40 })
      expect(fs.readdirSync(path.dirname(file))).toEqual(["telemetry.json"]) // the lock file is gone
    }))

  it.effect("never passes a file that is not a JSON object to f, and never overwrites it", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "telemetry.json")
      fs.writeFileSync(file, "enabled=false")
      const config = yield* ConfigFile.make({ path: file })
      let called = false
      const error = yield* Effect.flip(config.update(() => Effect.sync(() => (called = true)).pipe(Effect.as({ value: 1 }))))
      expect(error).toMatchObject({ _tag: "ConfigFileError", reason: "InvalidFile" })
      expect(called).toBe(false)
      expect(fs.readFileSync(file, "utf8")).toBe("enabled=false")
    }))

  it.live("several processes at once, creating the install id and flipping enabled: one id, on every event, every other key kept", () =>
    Effect.promise(async () => {
      const dataDir = tempDir()
      const configPath = path.join(dataDir, "telemetry.json")
      fs.writeFileSync(configPath, JSON.stringify({ theme: "dark", keep: { nested: [1, 2] } }))
      const server = await startLocalCaptureServer({ apiKey: "phc_race" })
      const utcDay = () => new Date().toISOString().slice(0, 10)
      const dayBefore = utcDay()
      try {
        const senders = Array.from({ length: 4 }, (_, i) => startChild(CHILD, ["send", dataDir, server.url, String(i)]))
        const flippers = Array.from({ length: 3 }, () => startChild(CHILD, ["flip", dataDir, "-", "15"]))
        const finished = await runTogether([...senders, ...flippers])
        for (const child of finished) expect(child, child.stderr).toMatchObject({ code: 0 })
        for (const sent of finished.slice(0, senders.length)) {
          expect(JSON.parse(sent.stdout.split("\n")[1]!)).toEqual({ result: "Queued", delivered: true, errors: [] })
        }

        const config = JSON.parse(fs.readFileSync(configPath, "utf8")) as Record<string, unknown>
        expect(config).toEqual({
          theme: "dark",
          keep: { nested: [1, 2] },
          installId: expect.any(String),
          enabled: expect.any(Boolean),
          // The first acknowledged live event records the live era's first day.
          liveSince: expect.toBeOneOf([dayBefore, utcDay()])
        })
        const ids = new Set(server.events.map((event) => event["distinct_id"]))
        expect(server.events).toHaveLength(senders.length)
        expect([...ids]).toEqual([config["installId"]])
        expect(fs.readdirSync(dataDir).sort()).toEqual(["telemetry.json"])
      } finally {
        await server.close()
      }
    }), 60_000)
})
