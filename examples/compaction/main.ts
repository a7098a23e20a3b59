/**
 * The worked example of typed live events and dashboards as code: a Mux-like
 * agent emits `compaction_completed` once per compaction request through the
 * live `Telemetry` (consent, validation, dedupe, positively confirmed
 * shutdown), shows its first-run notice once, and applies the compaction
 * dashboard. Everything talks to local fakes (the capture server and the
 * dashboards REST API on 127.0.0.1): nothing leaves the machine.
 *
 * Run: npx bun examples/compaction/main.ts
 */
import { BundledDashboards } from "@posthog-backfill/core"
import { FirstRunNotice, NodeTelemetry, PostHogDashboards, Telemetry } from "@posthog-backfill/effect"
import { LocalCaptureServer, LocalPostHogApi } from "@posthog-backfill/effect/testing"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { mux } from "./app.js"
import { catalog } from "./catalog.js"
import { type CompactionRequest, type CompactionResult, makeCompactionHandler } from "./handler.js"

export const NOTICE: FirstRunNotice.Notice = {
  version: 1,
  text: "Mux sends anonymous usage counts (never your code, prompts or paths). " +
    "Turn it off with MUX_TELEMETRY=0 or `bunx posthog-backfill consent disable --app ./app.ts --data-dir ~/.mux`."
}

/** A temp data dir, removed with the scope. */
const dataDirScoped = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "posthog-backfill-compaction-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** A stand-in for the model call: request `r2` fails on its first attempt. */
const fakeCompaction = (attempts: Map<string, number>) => {
  return (request: CompactionRequest): Effect.Effect<CompactionResult, Error> =>
    Effect.suspend(() => {
      const attempt = (attempts.get(request.id) ?? 0) + 1
      attempts.set(request.id, attempt)
      if (request.id === "r2" && attempt === 1) return Effect.fail(new Error("the provider timed out"))
      return Effect.succeed({
        summary: `summary of ${request.id}`,
        metadata: request.id === "r3"
          ? { model: "openai:gpt-5.2", usage: { inputTokens: 90_000, outputTokens: 5_000 } }
          : {
            model: "anthropic:claude-sonnet-4-5",
            usage: { inputTokens: 1, outputTokens: 1 },
            contextUsage: { inputTokens: 150_000, outputTokens: 12_000 }
          }
      })
    })
}

export const program = Effect.gen(function*() {
  const dataDir = yield* dataDirScoped
  const server = yield* LocalCaptureServer.scoped()
  const api = yield* LocalPostHogApi.scoped()

  // The app's files (consent, install id, the notice) and the telemetry over them.
  const live = NodeTelemetry.layer({
    app: mux,
    catalog,
    dataDir,
    apiKey: "phc_example",
    host: server.url,
    baseProperties: NodeTelemetry.detectBaseProperties("0.9.0"),
    client: { flushInterval: 0 }
  })

  // How many times each request was compacted (the model calls).
  const compactions = new Map<string, number>()
  const report = yield* Effect.gen(function*() {
    const notice = yield* FirstRunNotice.FirstRunNotice
    const shownFirst = yield* notice.showOnce(NOTICE, (text) => Console.log(`notice: ${text}`))
    const shownAgain = yield* notice.showOnce(NOTICE, (text) => Console.log(`notice: ${text}`))
    yield* Console.log(`first-run notice shown: ${shownFirst}, then ${shownAgain}`)

    const handler = yield* makeCompactionHandler(fakeCompaction(compactions))
    const requests: ReadonlyArray<CompactionRequest> = [
      { id: "r1", manual: true, idle: false },
      { id: "r1", manual: true, idle: false }, // the same completion seen twice
      { id: "r2", manual: false, idle: true }, // fails once...
      { id: "r2", manual: false, idle: true }, // ...and succeeds on retry
      { id: "r3", manual: false, idle: false }
    ]
    for (const request of requests) {
      const outcome = yield* Effect.either(handler.handleCompletion(request))
      yield* Console.log(
        `compaction ${request.id}: ${
          outcome._tag === "Left" ? `failed (${outcome.left.message})` : outcome.right === "AlreadyCompacted" ? "already compacted, skipped" : "done"
        }`
      )
    }
    const telemetry = yield* Telemetry.Telemetry
    return yield* telemetry.shutdown
  }).pipe(Effect.provide(live))
  yield* Console.log(
    `telemetry: ${report.acknowledged}/${report.captured} event(s) acknowledged by the server, ${report.unacknowledged} not`
  )
  for (const event of server.events) yield* Console.log(`  ${event.event} ${JSON.stringify(event.properties?.["compaction_source"])} ${JSON.stringify(event.properties?.["model"])}`)

  const dashboard = BundledDashboards.compactionDashboard({ appName: "Mux" })
  const target = { host: api.url, projectId: String(api.projectId), apiKey: api.apiKey }
  const applyOnce = Effect.flatMap(PostHogDashboards.PostHogDashboards, (client) => client.apply(dashboard, target)).pipe(
    Effect.provide(PostHogDashboards.layerFetch)
  )
  const first = yield* applyOnce
  const second = yield* applyOnce
  yield* Console.log(`dashboards apply: ${first.requests.length} write(s), then ${second.requests.length}`)
  return {
    report,
    received: server.events,
    compactions: Object.fromEntries(compactions),
    firstApply: first.requests.length,
    secondApply: second.requests.length,
    dataDir
  }
}).pipe(
  Effect.scoped,
  // Consent reads the environment through Effect's ConfigProvider; the example pins an empty one.
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
)

if ((import.meta as { main?: boolean }).main) await Effect.runPromise(program)
