/**
 * Embedding through Effect layers: the program is `Backfill.run`; each effect
 * it needs is a service you can replace. Here: the live Node layer for the
 * database, consent, install id and marker, and the real sink pointed at a
 * local capture server. Swap any one layer (e.g. `MarkerStore.layerMemory()`)
 * to test a gate.
 *
 * Run: npx bun examples/layers/main.ts
 */
import { Presets } from "@posthog-backfill/core"
import { Backfill, NodeBackfill } from "@posthog-backfill/effect"
import { LocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** A temp dir with a sample claude-mem database, removed with the scope. */
const sampleDataDir = Effect.acquireRelease(
  Effect.sync(() => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "posthog-backfill-layers-"))
    const database = path.join(dataDir, "claude-mem.db")
    const db = new Database(database)
    writeClaudeMemSample(db, { endMs: Date.now(), days: 30, sessions: 60 })
    db.close()
    return { dataDir, database }
  }),
  ({ dataDir }) => Effect.sync(() => fs.rmSync(dataDir, { recursive: true, force: true }))
)

export const program = Effect.gen(function*() {
  const { dataDir, database } = yield* sampleDataDir
  const server = yield* LocalCaptureServer.scoped()
  const live = NodeBackfill.layer({ app: Presets.claudeMem, dataDir, database })
  // The example sends at once; a real app keeps the default spread (48 h), so its fleet does not send at one instant.
  const rollout = { spreadMs: 0 }
  const run = Backfill.run({ app: Presets.claudeMem, apiKey: "phc_example", host: server.url, rollout }).pipe(Effect.provide(live))

  const first = yield* run
  yield* Console.log(`first: ${first._tag}, server got ${server.events.length} events`)
  const second = yield* run
  yield* Console.log(`second: ${second._tag}`)
  return { first: first._tag, second: second._tag, received: server.events.length }
}).pipe(
  Effect.scoped,
  // Consent reads the environment through Effect's ConfigProvider; the example pins an empty one.
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
)

if ((import.meta as { main?: boolean }).main) await Effect.runPromise(program)
