// A plain Node app (no Effect, no TypeScript) embedding the backfill through
// the Promise facade, @posthog-backfill/promise. Run it from the repository root after `npm ci`:
//
//   node examples/node-app/main.mjs
//
// It writes a sample claude-mem database into a temp dir and sends to a local
// capture server on 127.0.0.1, so nothing leaves the machine. In your app,
// pass your own database and data dir, your PostHog key and host, and call
// startHistoricalBackfill(...) once at startup.
import { Presets, runHistoricalBackfill, startHistoricalBackfill } from "@posthog-backfill/promise"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const dir = mkdtempSync(join(tmpdir(), "posthog-backfill-example-"))
const database = join(dir, "claude-mem.db")
const db = new Database(database)
writeClaudeMemSample(db, { endMs: Date.now(), days: 60, sessions: 150 })
db.close()

const server = await startLocalCaptureServer()
const options = {
  app: Presets.claudeMem,
  dataDir: dir,
  database,
  apiKey: "phc_example",
  host: server.url,
  // The example ignores the shell's consent variables (CI=true, DO_NOT_TRACK)
  // because it only talks to 127.0.0.1. Your app leaves `env` out: process.env.
  env: {},
  baseProperties: { version: "1.0.0", os: process.platform },
  // The example sends at once. Your app keeps the default spread: each install's
  // first run schedules its send within 48 h (outcome Scheduled) and a start from
  // then sends, so a release's fleet never sends at one instant.
  rollout: { spreadMs: 0 }
}

try {
  // Fire-and-forget, as a worker would at startup: it never throws and never
  // produces an unhandled rejection.
  const first = await new Promise((resolve) => startHistoricalBackfill({ ...options, onDone: resolve }))
  console.log(`first run: ${first._tag}${first._tag === "Sent" ? ` (${first.eventCount} events)` : ""}`)
  console.log(`server received ${server.events.length} events, historical_migration=${server.requests.every((r) => r.historicalMigration)}`)
  console.log(`marker: ${readFileSync(join(dir, "backfill.json"), "utf8").trim().replace(/\s+/g, " ")}`)

  // Every later start is a no-op: the marker says it is done.
  const second = await runHistoricalBackfill(options)
  console.log(`second run: ${second._tag}`)
} finally {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}
