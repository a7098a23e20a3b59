// A child of EngineLoading.test.ts: a host that imports the built facade, runs the backfill once
// over <dataDir>, and prints the outcome and every module its process resolved, as JSON.
import { register } from "node:module"
import { MessageChannel } from "node:worker_threads"

const { port1, port2 } = new MessageChannel()
const resolved = []
port1.on("message", (url) => resolved.push(url))
port1.unref()
register("./recordLoads.hooks.mjs", { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] })

const [dataDir, database] = process.argv.slice(2)
const { Presets, runHistoricalBackfill } = await import("@posthog-backfill/promise")
const result = await runHistoricalBackfill({ app: Presets.claudeMem, dataDir, database, env: {}, inline: true })
await new Promise((resolve) => setImmediate(resolve))
process.stdout.write(`${JSON.stringify({ outcome: result._tag, resolved })}\n`)
