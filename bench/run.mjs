#!/usr/bin/env node
// @ts-check
/**
 * The planning benchmark: for each size, our plan vs the floor (one plain
 * pass over the columns the plan reads) vs the peer (the seed app's
 * query-per-counter approach), the CLI's wall time, startup and peak RSS, and
 * the longest event-loop stall of a host running the backfill. Prints a table
 * and writes BENCHMARKS.md, a chart and the raw results.
 *
 *   npm run bench                                  # 10k, 100k, 1M (~4 min with a warm cache)
 *   npm run bench -- --sizes 10k,100k,1m,5m        # the full run behind BENCHMARKS.md
 *   node bench/run.mjs --sizes 2k --runs 1 --out /tmp/x   # what the smoke test runs
 *
 * Options: --sizes <list> (10k, 1m, 2500, ...), --runs <n> rounds per size
 * (default 5; the peer runs at most 3 times above 2M observations), --out <dir>
 * (default the repository root: <dir>/BENCHMARKS.md, <dir>/bench/results/),
 * --quick (one CLI run and one host run per mode instead of three: the smoke test),
 * --render (only rewrite BENCHMARKS.md and the chart from <out>/bench/results/results.json).
 * Needs the packages built (npm run bench builds them first).
 */
import { Presets } from "@posthog-backfill/core"
import { Backfill, NodeActivitySource, RuntimeActivitySource } from "@posthog-backfill/effect"
import { CLAUDE_MEM_SCHEMA } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ablation } from "./ablation.mjs"
import { CACHE_DIR, DAYS, END_MS, ensureDatabase, NOW_ISO, parseSize, ROOT, sizeLabel } from "./dataset.mjs"
import { floorQueries, runFloor } from "./floor.mjs"
import { peerPlan } from "./peer.mjs"
import { measureNode, median, RSS_SOURCE } from "./process.mjs"
import { consoleTable, renderMarkdown, renderSvg } from "./report.mjs"

const INSTALL_ID = "5b0c7a0e-3f7e-4d8a-9a53-0c2f1f6f2e11"
const CLI = path.join(ROOT, "packages", "cli", "bin", "posthog-backfill.js")
const HOST = path.join(ROOT, "bench", "host.mjs")

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

const args = process.argv.slice(2)
const option = (/** @type {string} */ name, /** @type {string} */ fallback) => {
  const i = args.indexOf(`--${name}`)
  if (i >= 0 && args[i + 1] !== undefined) return args[i + 1]
  const inline = args.find((a) => a.startsWith(`--${name}=`))
  return inline === undefined ? fallback : inline.slice(name.length + 3)
}
const sizes = option("sizes", "10k,100k,1m").split(",").map(parseSize).sort((a, b) => a - b)
const runs = Math.max(1, Number.parseInt(option("runs", "5"), 10))
const outDir = path.resolve(option("out", ROOT))
const quick = args.includes("--quick")
const processRuns = quick ? 1 : 3
const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`)

// ---------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------

/** A clock pinned at the data's end, the way the CLI's `--now` pins it. */
const fixedClock = (/** @type {number} */ ms) => {
  const real = Clock.make()
  return /** @type {Clock.Clock} */ ({
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => ms,
    currentTimeMillis: Effect.succeed(ms),
    unsafeCurrentTimeNanos: () => BigInt(ms) * 1_000_000n,
    currentTimeNanos: Effect.succeed(BigInt(ms) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  })
}

/** Our plan, in process, through the CLI's activity source (a worker thread, or inline). */
/**
 * Plans the file through the CLI's source: worker threads (`NodeActivitySource.DEFAULT_WORKERS`),
 * one worker thread, or inline on this thread.
 *
 * @param {string} file
 * @param {"workers" | "one worker" | "inline"} mode
 */
const ours = async (file, mode) => {
  const started = performance.now()
  const plan = await Effect.runPromise(
    Effect.withClock(
      Backfill.plan({ app: Presets.claudeMem, installId: INSTALL_ID }).pipe(
        Effect.provide(
          RuntimeActivitySource.layer(file, mode === "inline" ? { inline: true } : mode === "one worker" ? { workers: 1 } : {})
        )
      ),
      fixedClock(END_MS)
    )
  )
  return { ms: performance.now() - started, plan }
}

const timed = (/** @type {() => unknown} */ fn) => {
  const started = performance.now()
  const value = fn()
  return { ms: performance.now() - started, value }
}


/**
 * Runs the CLI's plan and returns its wall time and peak RSS (NaN when this
 * system offers no way to read it).
 *
 * @param {string} file
 * @param {Record<string, string>} env
 * @returns {Promise<{ wallMs: number, rssMb: number }>}
 */
const cliRun = (file, env) =>
  measureNode([CLI, "plan", "--db", file, "--now", NOW_ISO, "--install-id", INSTALL_ID, "--json"], env)

/** @returns {Promise<{ maxStallMs: number, p99StallMs: number, maxTimerGapMs: number, events: number, outcome: string }>} */
const hostRun = (/** @type {string} */ file, /** @type {"worker" | "inline"} */ mode) =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [HOST, file, NOW_ISO, mode], { env: cleanEnv(), maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`bench/host.mjs failed: ${error.message}\n${stderr}`))
      const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}")
      if (result.outcome !== "NoApiKey") return reject(new Error(`bench/host.mjs ended with ${result.outcome}, expected NoApiKey`))
      resolve(result)
    })
  })

/** The environment of spawned processes: no CI or consent switches, a temp HOME. */
const home = fs.mkdtempSync(path.join(os.tmpdir(), "phb-bench-home-"))
const cleanEnv = () => {
  /** @type {Record<string, string>} */
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key === "NODE_OPTIONS" || key.startsWith("VITEST")) continue
    if (/^(CI|DO_NOT_TRACK|CLAUDE_MEM_TELEMETRY.*|POSTHOG_.*)$/.test(key)) continue
    env[key] = value
  }
  return { ...env, HOME: home, NO_COLOR: "1" }
}

/** A claude-mem database with the schema and no rows: the CLI's startup cost. */
const emptyDatabase = () => {
  const file = path.join(CACHE_DIR, "claude-mem-empty.db")
  if (!fs.existsSync(file)) {
    fs.mkdirSync(CACHE_DIR, { recursive: true })
    const db = new Database(file)
    db.exec(CLAUDE_MEM_SCHEMA)
    db.close()
  }
  return file
}

const machine = () => {
  const db = new Database(":memory:")
  const sqlite = /** @type {{ v: string }} */ (db.prepare("SELECT sqlite_version() AS v").get()).v
  db.close()
  const cpus = os.cpus()
  return {
    cpu: `${cpus[0]?.model ?? "unknown"} x ${cpus.length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    sqlite: `${sqlite} (better-sqlite3 ${JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "better-sqlite3", "package.json"), "utf8")).version})`,
    "peak RSS from": RSS_SOURCE,
    // Other processes on the machine inflate the numbers, the plan's (two busy threads) more than the floor's (one).
    "load average (1 min) at start / end": `${loadAtStart[0]?.toFixed(2)} / ${os.loadavg()[0]?.toFixed(2)}`
  }
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

/** The rollout simulation's last report (bench/rollout.mjs), if any: BENCHMARKS.md keeps its section. */
function savedRollout(/** @type {string} */ resultsDir) {
  const file = path.join(resultsDir, "rollout.json")
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined
}

/** The import-cost benchmark's last report (bench/startup.mjs), if any. */
function savedStartup(/** @type {string} */ resultsDir) {
  const file = path.join(resultsDir, "startup.json")
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined
}

// --render: rewrite BENCHMARKS.md and the chart from the saved results (after a change to the report's text).
if (args.includes("--render")) {
  const resultsDir = path.join(outDir, "bench", "results")
  /** @type {import("./report.mjs").BenchResults} */
  const saved = JSON.parse(fs.readFileSync(path.join(resultsDir, "results.json"), "utf8"))
  saved.now = `${DAYS} days ending ${NOW_ISO}`
  fs.writeFileSync(path.join(resultsDir, "time-vs-rows.svg"), renderSvg(saved.sizes))
  fs.writeFileSync(path.join(outDir, "BENCHMARKS.md"), renderMarkdown(saved, "bench/results/time-vs-rows.svg", savedRollout(resultsDir), savedStartup(resultsDir)))
  process.stdout.write(`${consoleTable(saved.sizes)}\n`)
  process.exit(0)
}

const benchStarted = performance.now()
const startedAt = new Date().toISOString()
const loadAtStart = os.loadavg()
const command = `node bench/run.mjs ${args.join(" ")}`.trim()
log(`posthog-backfill benchmark: sizes ${sizes.map(sizeLabel).join(", ")}, ${runs} round(s) each`)
const emptyDb = emptyDatabase()

/** @type {Array<import("./report.mjs").SizeResult>} */
const results = []
for (const observations of sizes) {
  const label = sizeLabel(observations)
  const { bytes, path: file } = await ensureDatabase(observations, { log })
  const plain = new Database(file, { readonly: true })
  const tuned = new Database(file, { readonly: true })
  for (const pragma of NodeActivitySource.READ_PRAGMAS) tuned.pragma(pragma)
  /** @type {Record<string, Array<string>>} */
  const columns = {}
  for (const { name } of /** @type {Array<{ name: string }>} */ (plain.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all())) {
    columns[name] = /** @type {Array<{ name: string }>} */ (plain.prepare(`PRAGMA table_info("${name}")`).all()).map((c) => c.name)
  }
  const rows = /** @type {any} */ (Object.fromEntries(
    ["observations", "sdk_sessions", "session_summaries", "user_prompts"].map((t) => [
      t,
      /** @type {{ n: number }} */ (plain.prepare(`SELECT count(*) AS n FROM "${t}"`).get()).n
    ])
  ))
  const floor = floorQueries(columns)
  const peerRuns = observations > 2_000_000 ? Math.min(runs, 3) : runs

  log(`${label}: warming the page cache...`)
  runFloor(plain, floor)
  const warm = await ours(file, "workers")

  /** @type {Record<string, Array<number>>} */
  const ms = { ours: [], oursOneWorker: [], oursInline: [], floor: [], floorTuned: [], peer: [] }
  for (let round = 0; round < runs; round++) {
    ms.floor.push(timed(() => runFloor(plain, floor)).ms)
    ms.floorTuned.push(timed(() => runFloor(tuned, floor)).ms)
    ms.ours.push((await ours(file, "workers")).ms)
    ms.oursOneWorker.push((await ours(file, "one worker")).ms)
    ms.oursInline.push((await ours(file, "inline")).ms)
    if (round < peerRuns) {
      const peer = timed(() => peerPlan(plain, END_MS, INSTALL_ID))
      ms.peer.push(peer.ms)
      if (round === 0) {
        const { days, events } = /** @type {ReturnType<typeof peerPlan>} */ (peer.value)
        if (JSON.stringify(days) !== JSON.stringify(warm.plan.rollups) || events !== warm.plan.events.length) {
          throw new Error(`${label}: the peer and ours disagree on the rollups: the comparison would be meaningless`)
        }
      }
    }
    log(
      `${label}: round ${round + 1}/${runs}: ours ${ms.ours.at(-1)?.toFixed(0)} ms, one worker ${ms.oursOneWorker.at(-1)?.toFixed(0)} ms, ` +
        `inline ${ms.oursInline.at(-1)?.toFixed(0)} ms, ` +
        `floor ${ms.floor.at(-1)?.toFixed(0)} ms, floor (our pragmas) ${ms.floorTuned.at(-1)?.toFixed(0)} ms` +
        (round < peerRuns ? `, peer ${ms.peer.at(-1)?.toFixed(0)} ms` : "")
    )
  }
  plain.close()
  tuned.close()

  log(`${label}: CLI (${processRuns} runs) and its startup on an empty database (${processRuns} runs)...`)
  const cli = []
  const startup = []
  for (let i = 0; i < processRuns; i++) {
    startup.push(await cliRun(emptyDb, cleanEnv()))
    cli.push(await cliRun(file, cleanEnv()))
  }
  log(`${label}: host event loop (${processRuns} runs off-thread, 1 inline)...`)
  const hosts = []
  for (let i = 0; i < processRuns; i++) hosts.push(await hostRun(file, "worker"))
  const inlineHost = await hostRun(file, "inline")

  const result = {
    observations,
    label,
    rows,
    dbBytes: bytes,
    days: warm.plan.rollups.length,
    events: warm.plan.events.length,
    runs,
    peerRuns,
    ms: {
      ours: median(ms.ours),
      oursOneWorker: median(ms.oursOneWorker),
      oursInline: median(ms.oursInline),
      floor: median(ms.floor),
      floorTuned: median(ms.floorTuned),
      peer: median(ms.peer)
    },
    // The machine's noise, shown beside the medians: ours/floor within each round.
    floorRatioRange: (() => {
      const ratios = ms.ours.map((v, i) => v / /** @type {number} */ (ms.floor[i]))
      return { min: Math.min(...ratios), max: Math.max(...ratios) }
    })(),
    cli: {
      cliWallMs: median(cli.map((c) => c.wallMs)),
      cliStartupMs: median(startup.map((c) => c.wallMs)),
      cliPeakRssMb: Math.max(...cli.map((c) => c.rssMb)),
      cliStartupRssMb: Math.max(...startup.map((c) => c.rssMb)),
      runs: processRuns
    },
    host: {
      workerMaxStallMs: Math.max(...hosts.map((h) => Math.max(h.maxStallMs, h.maxTimerGapMs))),
      workerP99Ms: Math.max(...hosts.map((h) => h.p99StallMs)),
      inlineMaxStallMs: Math.max(inlineHost.maxStallMs, inlineHost.maxTimerGapMs),
      hostRuns: hosts.length
    }
  }
  results.push(result)
  log(consoleTable([result]).split("\n").at(-1) ?? "")
}
fs.rmSync(home, { recursive: true, force: true })

// What each choice bought, at the largest size up to 1M.
const ablationSize = [...sizes].reverse().find((n) => n <= 1_000_000) ?? sizes[0]
/** @type {import("./report.mjs").BenchResults["ablation"]} */
let ablationResult
if (ablationSize !== undefined) {
  log(`ablation at ${sizeLabel(ablationSize)}...`)
  const { path: file } = await ensureDatabase(ablationSize, { log })
  ablationResult = { label: sizeLabel(ablationSize), variants: ablation(file, END_MS, runs, log) }
}

/** @type {import("./report.mjs").BenchResults} */
const all = {
  startedAt,
  command,
  totalSeconds: (performance.now() - benchStarted) / 1000,
  machine: machine(),
  now: `${DAYS} days ending ${NOW_ISO}`,
  sizes: results,
  ablation: ablationResult
}
const resultsDir = path.join(outDir, "bench", "results")
fs.mkdirSync(resultsDir, { recursive: true })
fs.writeFileSync(path.join(resultsDir, "results.json"), JSON.stringify(all, null, 2) + "\n")
fs.writeFileSync(path.join(resultsDir, "time-vs-rows.svg"), renderSvg(results))
fs.writeFileSync(path.join(outDir, "BENCHMARKS.md"), renderMarkdown(all, "bench/results/time-vs-rows.svg", savedRollout(resultsDir), savedStartup(resultsDir)))
process.stdout.write(`${consoleTable(results)}\n`)
log(`wrote ${path.join(outDir, "BENCHMARKS.md")} and ${resultsDir}/ in ${all.totalSeconds.toFixed(0)} s`)
