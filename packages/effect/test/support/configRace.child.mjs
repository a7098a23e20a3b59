// A child of ConfigFile.test.ts, against the built packages (as a host runs them):
// `send <dataDir> <host> <n>` captures one live event (creating the install id if
// there is none), `flip <dataDir> - <n>` toggles consent n times.
import { Presets } from "@posthog-backfill/core"
import { AppDataDir, Consent, createLiveTelemetry, EventCatalog } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const [role, dataDir, host, count] = process.argv.slice(2)
const n = Number(count)

process.stdout.write("ready\n")
await new Promise((resolve) => process.stdin.once("data", resolve))

if (role === "send") {
  const Ping = EventCatalog.defineEvent({ name: "config_race_ping", payload: Schema.Struct({ n: EventCatalog.Count }) })
  const telemetry = createLiveTelemetry({
    app: Presets.claudeMem,
    catalog: EventCatalog.defineCatalog([Ping]),
    dataDir,
    apiKey: "phc_race",
    host,
    client: { flushInterval: 0 },
    // Forced on: the flippers' `enabled: false` must not stop the senders.
    env: { CLAUDE_MEM_TELEMETRY: "1" },
    logLevel: "None"
  })
  const result = await telemetry.capture(Ping, { n })
  const report = await telemetry.shutdown()
  process.stdout.write(`${JSON.stringify({ result: result._tag, delivered: report.delivered, errors: report.errors })}\n`)
} else {
  const files = AppDataDir.layer({ app: Presets.claudeMem, dataDir })
  for (let i = 0; i < n; i++) {
    await Effect.runPromise(Effect.flatMap(Consent.Consent, (consent) => consent.setEnabled(i % 2 === 1)).pipe(Effect.provide(files)))
  }
  process.stdout.write("flipped\n")
}
