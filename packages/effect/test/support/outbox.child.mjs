// A child of LiveOutbox.test.ts: a host that captures two live events while the server is down,
// flushes (the outbox checkpoint), says so in <readyFile>, and then waits to be SIGKILLed: it never
// shuts telemetry down. Prints nothing itself.
//   node outbox.child.mjs <dataDir> <host> <readyFile>
import { Presets } from "@posthog-backfill/core"
import { createLiveTelemetry, EventCatalog } from "@posthog-backfill/effect"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"

const [dataDir, host, readyFile] = process.argv.slice(2)
const AppStarted = EventCatalog.defineEvent({ name: "app_started", payload: Schema.Struct({ plugins: EventCatalog.Count }) })
const telemetry = createLiveTelemetry({
  app: Presets.claudeMem,
  catalog: EventCatalog.defineCatalog([AppStarted]),
  dataDir,
  apiKey: "phc_test",
  host,
  env: {},
  client: { flushInterval: 0, fetchRetryCount: 0, requestTimeout: 1_000 }
})
const uuids = []
for (const plugins of [1, 2]) {
  const result = await telemetry.capture(AppStarted, { plugins })
  uuids.push(result.uuid)
}
await telemetry.flush()
fs.writeFileSync(readyFile, JSON.stringify({ uuids }))
setInterval(() => undefined, 60_000)
