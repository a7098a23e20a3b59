#!/usr/bin/env node
// @ts-check
/**
 * What the library costs a host before it does anything: importing the
 * Promise facade (beside a bare `node -e 0`, the same rounds interleaved), a
 * start of an install whose backfill is done, the engine a backfill loads past
 * the gates, the Effect package's entry, and the CLI's `--help`, `--version`
 * and `plan` on an empty database. Wall time and peak RSS of whole processes,
 * medians over the rounds. Writes bench/results/startup.json and rewrites
 * BENCHMARKS.md with it.
 *
 *   npm run bench:startup                 # 15 rounds
 *   node bench/startup.mjs --runs 3 --out /tmp/x
 *
 * Needs the packages built (npm run bench:startup builds them first).
 */
import { CLAUDE_MEM_SCHEMA } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { ROOT } from "./dataset.mjs"
import { measureNode, median, RSS_SOURCE } from "./process.mjs"

const args = process.argv.slice(2)
const option = (/** @type {string} */ name, /** @type {string} */ fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? /** @type {string} */ (args[i + 1]) : fallback
}
const runs = Math.max(1, Number.parseInt(option("runs", "15"), 10))
const outDir = path.resolve(option("out", ROOT))
const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`)

const url = (/** @type {string} */ relative) => pathToFileURL(path.join(ROOT, relative)).href
const CLI = path.join(ROOT, "packages", "cli", "bin", "posthog-backfill.js")
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "phb-startup-"))

// An empty claude-mem database (the schema, no rows), and a data dir whose backfill is done.
const emptyDb = path.join(scratch, "empty.db")
const db = new Database(emptyDb)
db.exec(CLAUDE_MEM_SCHEMA)
db.close()
const doneDir = path.join(scratch, "done")
fs.mkdirSync(doneDir)
fs.writeFileSync(
  path.join(doneDir, "backfill.json"),
  JSON.stringify({ completedAt: "2026-01-02T00:00:00.000Z", throughDay: "2026-01-01", installId: "5b0c7a0e-3f7e-4d8a-9a53-0c2f1f6f2e11", eventCount: 1 })
)

/**
 * The children's environment: this one's, without the consent switches, and
 * without NODE_EXTRA_CA_CERTS (a machine setting that makes every Node start
 * load a certificate bundle; its cost is measured on its own below).
 */
const baseEnv = (() => {
  /** @type {Record<string, string>} */
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key === "NODE_OPTIONS" || key === "NODE_EXTRA_CA_CERTS" || key.startsWith("VITEST")) continue
    if (/^(CI|DO_NOT_TRACK|CLAUDE_MEM_TELEMETRY.*|POSTHOG_.*)$/.test(key)) continue
    env[key] = value
  }
  return { ...env, HOME: scratch, NO_COLOR: "1" }
})()
const esm = (/** @type {string} */ code) => ["--input-type=module", "-e", code]

/** @type {Array<{ key: string, label: string, args: ReadonlyArray<string>, env?: Record<string, string> }>} */
const cases = [
  { key: "bare", label: "`node -e 0`", args: ["-e", "0"] },
  { key: "promise", label: "`import(\"@posthog-backfill/promise\")`", args: esm(`await import(${JSON.stringify(url("packages/promise/dist/index.js"))})`) },
  {
    key: "promiseDone",
    label: "the facade's `runHistoricalBackfill` on an install that is done",
    args: esm(
      `const { Presets, runHistoricalBackfill } = await import(${JSON.stringify(url("packages/promise/dist/index.js"))});` +
        `const r = await runHistoricalBackfill({ app: Presets.claudeMem, dataDir: ${JSON.stringify(doneDir)}, database: ${JSON.stringify(emptyDb)}, env: {} });` +
        `if (r._tag !== "AlreadyDone") { console.error(r); process.exit(3) }`
    )
  },
  { key: "engine", label: "the engine a backfill loads past the gates (`dist/engine.js`)", args: esm(`await import(${JSON.stringify(url("packages/promise/dist/engine.js"))})`) },
  { key: "effect", label: "`import(\"@posthog-backfill/effect\")` (the Effect layers' entry)", args: esm(`await import(${JSON.stringify(url("packages/effect/dist/index.js"))})`) },
  { key: "cliHelp", label: "`posthog-backfill --help`", args: [CLI, "--help"] },
  { key: "cliVersion", label: "`posthog-backfill --version`", args: [CLI, "--version"] },
  { key: "cliPlanEmpty", label: "`posthog-backfill plan` on an empty database", args: [CLI, "plan", "--db", emptyDb, "--json"] },
  {
    key: "bareWithCa",
    label: "`node -e 0` with this machine's NODE_EXTRA_CA_CERTS",
    args: ["-e", "0"],
    env: process.env.NODE_EXTRA_CA_CERTS === undefined ? undefined : { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS }
  }
]

/** @type {Record<string, { wallMs: Array<number>, rssMb: Array<number> }>} */
const samples = Object.fromEntries(cases.map((c) => [c.key, { wallMs: [], rssMb: [] }]))
// One warm-up round (file cache), then the rounds, every case once per round, so a busy moment
// of the machine falls on all of them alike.
for (let round = 0; round <= runs; round++) {
  if (round > 0) log(`round ${round}/${runs}`)
  for (const c of cases) {
    const { wallMs, rssMb } = await measureNode(c.args, { ...baseEnv, ...c.env }, { cwd: scratch })
    if (round === 0) continue
    samples[c.key]?.wallMs.push(wallMs)
    samples[c.key]?.rssMb.push(rssMb)
  }
}
fs.rmSync(scratch, { recursive: true, force: true })

const results = {
  startedAt: new Date().toISOString(),
  command: `node bench/startup.mjs --runs ${runs}`,
  runs,
  rssFrom: RSS_SOURCE,
  node: process.version,
  cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? "unknown"}`,
  cases: cases.map((c) => {
    const s = /** @type {{ wallMs: Array<number>, rssMb: Array<number> }} */ (samples[c.key])
    // The difference to the bare process within each round: the figure the targets are on.
    const bare = /** @type {{ wallMs: Array<number>, rssMb: Array<number> }} */ (samples.bare)
    return {
      key: c.key,
      label: c.label,
      wallMs: median(s.wallMs),
      rssMb: median(s.rssMb),
      aboveBareMs: median(s.wallMs.map((v, i) => v - /** @type {number} */ (bare.wallMs[i]))),
      aboveBareMb: median(s.rssMb.map((v, i) => v - /** @type {number} */ (bare.rssMb[i]))),
      wallRangeMs: [Math.min(...s.wallMs), Math.max(...s.wallMs)]
    }
  })
}

const resultsDir = path.join(outDir, "bench", "results")
fs.mkdirSync(resultsDir, { recursive: true })
fs.writeFileSync(path.join(resultsDir, "startup.json"), JSON.stringify(results, null, 2) + "\n")
const { renderMarkdown, renderStartupMarkdown } = await import("./report.mjs")
for (const line of renderStartupMarkdown(results)) console.log(line)
// BENCHMARKS.md is rendered whole from the saved results of every benchmark.
const planning = path.join(resultsDir, "results.json")
const rollout = path.join(resultsDir, "rollout.json")
if (fs.existsSync(planning)) {
  const saved = (/** @type {string} */ file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined)
  fs.writeFileSync(path.join(outDir, "BENCHMARKS.md"), renderMarkdown(saved(planning), "bench/results/time-vs-rows.svg", saved(rollout), results))
  log(`\nwrote ${path.join(resultsDir, "startup.json")} and ${path.join(outDir, "BENCHMARKS.md")}`)
} else {
  log(`\nwrote ${path.join(resultsDir, "startup.json")} (no planning results yet: \`npm run bench\` writes BENCHMARKS.md with every section)`)
}
