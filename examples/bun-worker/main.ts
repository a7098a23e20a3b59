/**
 * A Bun worker that already holds its own `bun:sqlite` connection: the
 * backfill reads through it (the structural SqliteDatabase interface) and
 * never closes it. Run: npx bun examples/bun-worker/main.ts
 */
import { Database } from "bun:sqlite"
import { Presets } from "@posthog-backfill/core"
import { runHistoricalBackfill } from "@posthog-backfill/effect"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "posthog-backfill-bun-"))
// The worker's own connection (read-write, as the app uses it).
const db = new Database(path.join(dataDir, "claude-mem.db"))
writeClaudeMemSample(
  { exec: (sql) => db.exec(sql), prepare: (sql) => db.prepare(sql), transaction: (fn) => db.transaction(fn) },
  { endMs: Date.now(), days: 30, sessions: 60 }
)

const server = await startLocalCaptureServer()
try {
  const result = await runHistoricalBackfill({
    app: Presets.claudeMem,
    dataDir,
    database: db,
    apiKey: "phc_example",
    host: server.url,
    env: {},
    // The example sends at once; a real app keeps the default spread (48 h), so its fleet does not send at one instant.
    rollout: { spreadMs: 0 }
  })
  const stillOpen = db.prepare("SELECT count(*) AS n FROM sdk_sessions").get() as { n: number }
  console.log(JSON.stringify({ runtime: `bun ${Bun.version}`, outcome: result._tag, received: server.events.length, connectionStillOpen: stillOpen.n > 0 }))
} finally {
  await server.close()
  db.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
}
