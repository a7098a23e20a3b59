// An Effect 3 host that installed the packed @posthog-backfill/effect with effect and
// @effect/platform, and no platform package (the packaging test runs it under Bun).
// Its messages go through its own Logger, here one that records them.
//   bun effectHost.mjs <dataDir> <database> <host> <resultFile>
import { Presets } from "@posthog-backfill/core"
import { Backfill, NodeBackfill } from "@posthog-backfill/effect"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import { writeFileSync } from "node:fs"

const [dataDir, database, host, resultFile] = process.argv.slice(2)
const messages = []
const recording = Logger.make(({ message }) => messages.push(String(message)))

const run = Backfill.run({ app: Presets.claudeMem, apiKey: "phc_packaged", host, rollout: { spreadMs: 0 } }).pipe(
  Effect.provide(NodeBackfill.layer({ app: Presets.claudeMem, dataDir, database })),
  Effect.provide(Logger.replace(Logger.defaultLogger, recording)),
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
)
const first = await Effect.runPromise(run)
const second = await Effect.runPromise(run)
writeFileSync(resultFile, JSON.stringify({
  first: first._tag,
  eventCount: first._tag === "Sent" ? first.eventCount : null,
  second: second._tag,
  loggedThroughHost: messages.length
}))
