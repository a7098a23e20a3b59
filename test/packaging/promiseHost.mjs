// A host app that installed the packed @posthog-backfill/promise (the packaging test copies
// it into a fresh app). It prints nothing itself, so anything on its stdout or stderr came from
// the library. What it saw goes to <resultFile> as JSON.
//   node promiseHost.mjs <dataDir> <database> <host> <resultFile>
import { Presets, runHistoricalBackfill } from "@posthog-backfill/promise"
import { createLiveTelemetry, defineCatalog, defineEvent, field } from "@posthog-backfill/promise/live"
import { writeFileSync } from "node:fs"

const [dataDir, database, host, resultFile] = process.argv.slice(2)
const options = { app: Presets.claudeMem, dataDir, database, apiKey: "phc_packaged", host, env: {}, rollout: { spreadMs: 0 } }

const first = await runHistoricalBackfill(options)
const second = await runHistoricalBackfill(options)

const Started = defineEvent("packaged_host_started", { plugins: field.count() })
const telemetry = createLiveTelemetry({
  app: Presets.claudeMem,
  catalog: defineCatalog([Started]),
  dataDir,
  apiKey: "phc_packaged",
  host,
  env: {},
  version: "1.0.0",
  client: { flushInterval: 0 }
})
const captured = await telemetry.capture(Started, { plugins: 2 })
const report = await telemetry.shutdown()

writeFileSync(resultFile, JSON.stringify({
  runtime: typeof Bun === "undefined" ? "node" : "bun",
  first: first._tag,
  eventCount: first._tag === "Sent" ? first.eventCount : null,
  second: second._tag,
  live: captured._tag,
  delivered: report.delivered
}))
