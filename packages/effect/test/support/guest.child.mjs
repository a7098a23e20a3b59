// A child of PoliteGuest.test.ts: a host process that uses the facades as an app would,
// against the built packages. It prints nothing itself: whatever reaches its stdout or
// stderr came from the library. What it found goes to <resultFile> as JSON.
//   quiet <dataDir> <database> <host> <resultFile>: a backfill, then live events, awaited
//   exit  <dataDir> <database> <host> <resultFile>: startHistoricalBackfill, then the host's own
//         work ends as soon as the send is under way (the pending send is written)
import { Presets } from "@posthog-backfill/core"
import { createLiveTelemetry, EventCatalog, runHistoricalBackfill, startHistoricalBackfill } from "@posthog-backfill/effect"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"

const [mode, dataDir, database, host, resultFile] = process.argv.slice(2)
const options = {
  app: Presets.claudeMem,
  dataDir,
  database,
  apiKey: "phc_guest",
  host,
  env: {},
  rollout: { spreadMs: 0 },
  sink: { fetchRetryCount: 1, fetchRetryDelay: 20, requestTimeout: 2_000 }
}

if (mode === "quiet") {
  const backfill = await runHistoricalBackfill(options)
  const Ping = EventCatalog.defineEvent({ name: "guest_ping", payload: Schema.Struct({ n: EventCatalog.Count }) })
  const telemetry = createLiveTelemetry({
    app: Presets.claudeMem,
    catalog: EventCatalog.defineCatalog([Ping]),
    dataDir,
    apiKey: "phc_guest",
    host,
    env: {},
    client: { flushInterval: 0, fetchRetryCount: 1, fetchRetryDelay: 20, requestTimeout: 2_000 }
  })
  const captured = await telemetry.capture(Ping, { n: 1 })
  const report = await telemetry.shutdown()
  fs.writeFileSync(resultFile, JSON.stringify({ backfill: backfill._tag, live: captured._tag, delivered: report.delivered }))
} else {
  startHistoricalBackfill({ ...options, sink: { fetchRetryCount: 3, fetchRetryDelay: 10_000, requestTimeout: 600_000 } })
  const pending = path.join(dataDir, "backfill.pending.json")
  while (!fs.existsSync(pending)) await new Promise((resolve) => setTimeout(resolve, 5))
  fs.writeFileSync(resultFile, JSON.stringify({ ownWorkDoneAt: Date.now() }))
  // The host's own work is over: nothing of the backfill may keep this process alive.
}
