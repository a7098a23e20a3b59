// A child of OneSender.test.ts, against the built packages (as a host runs them):
// `<dataDir> <database> <host>` runs the backfill once, at `go`, and prints its outcome.
import { Presets } from "@posthog-backfill/core"
import { runHistoricalBackfill } from "@posthog-backfill/effect"

const [dataDir, database, host] = process.argv.slice(2)

process.stdout.write("ready\n")
await new Promise((resolve) => process.stdin.once("data", resolve))

const result = await runHistoricalBackfill({
  app: Presets.claudeMem,
  dataDir,
  database,
  apiKey: "phc_one",
  host,
  env: {},
  logLevel: "None",
  // This child sends at once; the requests may be slow on purpose.
  rollout: { spreadMs: 0 },
  sink: { fetchRetryCount: 0, requestTimeout: 120_000 }
})
process.stdout.write(`${JSON.stringify({ tag: result._tag, eventCount: result.eventCount, message: result.message, holder: result.holder })}\n`)
