/**
 * `posthog-backfill demo`: the whole job on a bundled sample, with no
 * arguments and no network. It generates a claude-mem database in a temp dir
 * (a few months of activity, legacy second epochs, backdated artifact rows),
 * prints the plan, starts the local capture server on loopback, runs the real
 * program through the real posthog-node client against it, shows what the
 * server received, runs again to show the marker makes it a no-op, and
 * cleans up (temp dir removed, server closed).
 *
 * The demo runs with an isolated, empty environment (`ConfigProvider`), so
 * the user's CI / DO_NOT_TRACK / telemetry settings do not stop it: nothing
 * leaves 127.0.0.1.
 *
 * @since 0.1.0
 */
import { DayWindow, HistoricalEvents, Presets } from "@posthog-backfill/core"
import { Backfill, NodeBackfill, RuntimeActivitySource } from "@posthog-backfill/effect"
import { LocalCaptureServer } from "@posthog-backfill/effect/testing"
import { type ClaudeMemSampleSummary, writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as Clock from "effect/Clock"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Values } from "../args/parse.js"
import { expected, failure } from "../errors.js"
import { runCommand } from "../run.js"
import { describeOutcome } from "../render/outcome.js"
import { colorful, stdout } from "../render/output.js"
import { withProgress } from "../render/progress.js"
import { formatCount, planSummary, styles } from "../render/summary.js"
import { planInstallId } from "./plan.js"

/** The API key the demo sends with; the local server accepts only this one. */
const DEMO_API_KEY = "phc_posthog_backfill_demo"

const app = Presets.claudeMem

/** Rows whose epoch is stored in seconds (and is not a corrupt pre-floor value). */
const countLegacySeconds = (db: Database.Database): number => {
  const tables = [
    ["sdk_sessions", "started_at_epoch"],
    ["observations", "created_at_epoch"],
    ["session_summaries", "created_at_epoch"],
    ["user_prompts", "created_at_epoch"]
  ] as const
  let total = 0
  for (const [table, column] of tables) {
    const row = db
      .prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} < 1e12 AND ${column} * 1000 >= ?`)
      .get(app.floorMs) as { n: number }
    total += row.n
  }
  return total
}

const writeSample = (file: string, endMs: number) =>
  Effect.try({
    try: () => {
      const db = new Database(file)
      try {
        const summary = writeClaudeMemSample(db, { endMs })
        return { summary, legacySeconds: countLegacySeconds(db) }
      } finally {
        db.close()
      }
    },
    catch: (cause) =>
      failure(`could not write the sample database ${file}: ${cause instanceof Error ? cause.message : String(cause)}`)
  })

const sampleLines = (file: string, sample: ClaudeMemSampleSummary, legacySeconds: number): ReadonlyArray<string> => {
  const { rows } = sample
  const corrupt = Object.values(sample.corruptCounts).reduce((a, b) => a + b, 0)
  const artifacts = sample.backdatedArtifactEpochsMs.map((ms) => DayWindow.utcDay(ms))
  return [
    `  wrote ${file}`,
    `  ${formatCount(rows.sdk_sessions)} sessions, ${formatCount(rows.observations)} observations, ` +
    `${formatCount(rows.session_summaries)} summaries, ${formatCount(rows.user_prompts)} prompts over ` +
    `${sample.span.firstDay} .. ${sample.span.lastDay}`,
    `  edge cases: ${formatCount(legacySeconds)} rows with legacy second epochs (normalized), ` +
    `${artifacts.length} backdated artifact observation(s) dated ${[...new Set(artifacts)].join(", ")} ` +
    `(ignored for the install day: sessions decide it), ${corrupt} corrupt pre-2024 epochs (ignored)`
  ]
}

const indent = (lines: ReadonlyArray<string>, by = "  ") => lines.map((line) => (line === "" ? line : `${by}${line}`))

/** A temp dir that lives as long as the scope. */
const tempDirScoped = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "posthog-backfill-demo-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const demo = Effect.gen(function*() {
  const color = colorful()
  const s = styles(color)
  const nowMs = yield* Clock.currentTimeMillis
  const isolated = ConfigProvider.fromMap(new Map())

  yield* stdout(
    s.bold("posthog-backfill demo: the one-time PostHog backfill of a local claude-mem database, end to end, offline"),
    s.dim(
      "The demo runs with an isolated, empty environment (your CI, DO_NOT_TRACK, CLAUDE_MEM_TELEMETRY and POSTHOG_* " +
        "settings are not read) because nothing leaves 127.0.0.1."
    ),
    ""
  )

  const scratch = yield* tempDirScoped
  const dataDir = path.join(scratch, ".claude-mem")
  fs.mkdirSync(dataDir)
  const database = path.join(dataDir, "claude-mem.db")

  // 1. The sample database.
  const { summary: sample, legacySeconds } = yield* writeSample(database, nowMs).pipe(
    withProgress("generating a sample claude-mem database")
  )
  yield* stdout(s.bold("1. a generated claude-mem database"), ...sampleLines(database, sample, legacySeconds), "")

  // 2. The plan, exactly as `posthog-backfill plan --db <file> --data-dir <dir>` shows it.
  const { id, source } = yield* planInstallId(app, dataDir, Option.none())
  const plan = yield* Backfill.plan({ app, installId: id }).pipe(
    Effect.provide(RuntimeActivitySource.layer(database)),
    withProgress(`reading ${database}`)
  )
  yield* stdout(
    s.bold("2. the plan (posthog-backfill plan --db <file> --data-dir <dir>)"),
    ...indent(planSummary({ app, database, installId: id, installIdSource: source, plan, color })),
    ""
  )

  // 3. Send to the local capture server through the real program and client.
  const server = yield* LocalCaptureServer.scoped({ apiKey: DEMO_API_KEY })
  const context = { app, dataDir, host: server.url }
  // Like `send`, the demo neither schedules nor waits (a fleet's spread is for apps at startup).
  const run = Backfill.run({ app, apiKey: DEMO_API_KEY, host: server.url, rollout: { spreadMs: 0, maxStartDelayMs: 0 } }).pipe(
    Effect.provide(NodeBackfill.layer({ app, dataDir, database })),
    Effect.withConfigProvider(isolated)
  )
  const first = yield* run.pipe(withProgress(`sending to the local capture server ${server.url}`))
  const firstLine = describeOutcome(first, context)
  if (firstLine._tag === "Failure") return yield* Effect.fail(firstLine.error)
  if (first._tag !== "Sent") {
    return yield* Effect.fail(failure(`the demo expected a send, but the run stopped: ${firstLine.line}`))
  }
  const requests = server.requests
  const received = server.events
  const activity = received.filter((event) => event.event === HistoricalEvents.HISTORICAL_ACTIVITY)
  const install = received.find((event) => event.event === HistoricalEvents.INSTALL_INFERRED)
  const flags = [...new Set(requests.map((request) => String(request.historicalMigration)))].join(", ")
  const exampleActivity = activity.at(-1)
  yield* stdout(
    s.bold(`3. send to a local capture server at ${server.url} (real program, real posthog-node client)`),
    `  ${firstLine.line}`,
    `  the server received ${requests.length} request${requests.length === 1 ? "" : "s"}: ` +
    requests.map((request) => `${request.method} ${request.path} -> ${request.status} (${request.eventCount} events${request.gzipped ? ", gzip" : ""})`).join("; "),
    `  historical_migration: ${flags}`,
    `  events: ${received.length} (${install === undefined ? 0 : 1} ${HistoricalEvents.INSTALL_INFERRED} at ${install?.timestamp ?? "-"}, ` +
    `${activity.length} ${HistoricalEvents.HISTORICAL_ACTIVITY} from ${activity[0]?.timestamp?.slice(0, 10) ?? "-"} to ` +
    `${activity.at(-1)?.timestamp?.slice(0, 10) ?? "-"})`,
    ...(install === undefined ? [] : ["  the install event as received:", ...indent(JSON.stringify(install, null, 2).split("\n"), "    ")]),
    ...(exampleActivity === undefined
      ? []
      : ["  the last day's event as received:", ...indent(JSON.stringify(exampleActivity, null, 2).split("\n"), "    ")]),
    ""
  )

  // 4. Again: the marker makes it a no-op.
  const before = server.requests.length
  const second = yield* run
  const secondLine = describeOutcome(second, context)
  if (secondLine._tag === "Failure") return yield* Effect.fail(secondLine.error)
  const after = server.requests.length
  yield* stdout(
    s.bold("4. run again"),
    `  ${secondLine.line}`,
    `  the server received ${after - before === 0 ? "no new request" : `${after - before} new request(s)`}`,
    ""
  )
  if (second._tag !== "AlreadyDone" || after !== before) {
    return yield* Effect.fail(failure("the demo's second run was expected to be a no-op (already done), but it was not"))
  }
  return { scratch }
})

const program = Effect.gen(function*() {
  const { scratch } = yield* expected(Effect.scoped(demo))
  const left = fs.existsSync(scratch)
  yield* stdout(
    `5. cleaned up: ${left ? `could not remove ${scratch}` : `removed ${scratch}`}, local capture server closed`,
    "",
    "Next: `npx posthog-backfill plan` on your own ~/.claude-mem (or --db <file>), `--json` for machines, " +
      "and `npx posthog-backfill send --help`."
  )
})

/**
 * `posthog-backfill demo`.
 *
 * @since 0.1.0
 * @category commands
 */
export const main = (values: Values): Promise<number> => runCommand(program, values)
