// @ts-check
/**
 * A host process for the event-loop measurement: it starts the backfill the
 * way a long-lived worker does at startup (the Promise facade,
 * `runHistoricalBackfill`) while its event loop keeps a timer running, and
 * reports the longest stall of that loop during the run.
 *
 *   node bench/host.mjs <db> <nowIso> [worker|inline]
 *
 * The run has consent (an empty environment) and no API key, so it goes
 * through every database step and builds every event, then stops at the
 * no-API-key gate: nothing is sent and nothing is written but a temp dir.
 * Prints one JSON line: { mode, outcome, events, durationMs, maxStallMs,
 * p99StallMs, maxTimerGapMs }.
 *
 * Stalls are measured two ways: `perf_hooks.monitorEventLoopDelay` (its `max`
 * is the longest delay of a 5 ms timer past its due time) and a 1 ms interval
 * that records the longest gap between its ticks.
 */
import { Presets } from "@posthog-backfill/core"
import { runHistoricalBackfill } from "@posthog-backfill/effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"

const [file, nowIso, mode = "worker"] = process.argv.slice(2)
if (file === undefined || nowIso === undefined) {
  process.stderr.write("usage: node bench/host.mjs <db> <nowIso> [worker|inline]\n")
  process.exit(2)
}
const nowMs = Date.parse(nowIso)
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "phb-bench-host-"))

// The facade reads the real clock; the benchmark's data ends at nowIso, so the
// host's clock is pinned to it (Date.now only: timers and performance.now are real).
Date.now = () => nowMs

// Let the module graph settle before measuring: loading code is startup, not the backfill.
await new Promise((resolve) => setTimeout(resolve, 50))

const histogram = monitorEventLoopDelay({ resolution: 5 })
let maxGap = 0
let last = performance.now()
const ticker = setInterval(() => {
  const now = performance.now()
  maxGap = Math.max(maxGap, now - last)
  last = now
}, 1)
histogram.enable()
const started = performance.now()
const result = await runHistoricalBackfill({
  app: Presets.claudeMem,
  dataDir,
  database: file,
  env: {},
  inline: mode === "inline",
  logLevel: "None"
})
const durationMs = performance.now() - started
histogram.disable()
clearInterval(ticker)
fs.rmSync(dataDir, { recursive: true, force: true })
process.stdout.write(
  JSON.stringify({
    mode,
    outcome: result._tag,
    events: "summary" in result ? result.summary.events : 0,
    durationMs: Math.round(durationMs),
    maxStallMs: Number((histogram.max / 1e6).toFixed(1)),
    p99StallMs: Number((histogram.percentile(99) / 1e6).toFixed(1)),
    maxTimerGapMs: Number(maxGap.toFixed(1))
  }) + "\n"
)
