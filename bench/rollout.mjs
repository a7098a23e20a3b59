/**
 * The rollout simulation: what a release's fleet sends to PostHog, minute by
 * minute, under a rollout's fraction, spread and start delay. Pure and
 * deterministic: the core's own rollout decisions (`Rollout.inRollout`,
 * `Rollout.spreadOffsetMs`, `Rollout.startDelayMs`) over a generated fleet, no
 * network, no clock.
 *
 *   npm run bench:rollout                 # the table in BENCHMARKS.md
 *   node bench/rollout.mjs --installs 20000 --out /tmp/x
 *
 * The fleet (seeded):
 * - installs: their age (days since the first activity) leans recent, the
 *   way a growing app's installs do (730 * u^2 days), and each uses the app on
 *   a share of its days: a fifth daily users (60-95% of days), half regular
 *   (10-50%), the rest occasional (1-10%). A backfill sends one event per
 *   active day plus one install event, one request; an install younger than
 *   three days sends nothing.
 * - hosts: 60% start often (a CLI, an agent worker restarted by its
 *   supervisor: a start every 2 h on average), 40% once a day on average (a
 *   desktop app). A persisted schedule sends at the first start from its
 *   time; an in-process delay keeps a started host waiting.
 * - the release reaches them in one of two ways: over days (a third of the
 *   fleet on the release day, then the rest, with a daily rhythm: the first
 *   start is the moment an install runs the new version), or at one instant
 *   (an updater that restarts every host: the whole fleet within a minute).
 *
 * Output: the peak events per minute and requests per second arriving at
 * PostHog, and how long after its first start an install's send waits (the
 * cost of the spread), per scenario. PostHog asks importers to stay under
 * about 10k events per minute.
 */
import { Rollout } from "@posthog-backfill/core"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const args = new Map(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), [])
)
const INSTALLS = Number(args.get("installs") ?? 100_000)
const ROOT = fileURLToPath(new URL("..", import.meta.url))
const OUT = path.resolve(args.get("out") ?? ROOT)
const NAMESPACE = "6f3b1a2e-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const LIMIT_PER_MINUTE = 10_000

/** mulberry32 */
const seeded = (seed) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const exponential = (random, mean) => -Math.log(1 - random()) * mean
const hex = (random, n) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("")
const uuid = (random) => `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-8${hex(random, 3)}-${hex(random, 12)}`

/** A fleet: each install's id, events, host kind and the seed of its starts. */
const makeFleet = (seed) => {
  const random = seeded(seed)
  return Array.from({ length: INSTALLS }, (_, i) => {
    const id = uuid(random)
    const ageDays = Math.floor(730 * random() ** 2)
    const kind = random()
    const share = kind < 0.2 ? 0.6 + 0.35 * random() : kind < 0.7 ? 0.1 + 0.4 * random() : 0.01 + 0.09 * random()
    const activeDays = ageDays < 3 ? 0 : Math.max(1, Math.round((ageDays - 2) * share))
    return {
      id,
      events: activeDays === 0 ? 0 : activeDays + 1,
      startsEveryMs: random() < 0.6 ? 2 * HOUR : DAY,
      arrivalPoint: random(),
      seed: seed * 1_000_003 + i + 1
    }
  })
}
const SEED = 20261201
const fleet = makeFleet(SEED)

/** When an install first runs the new release. */
const arrivals = {
  /** A third on the release day, the rest over the next days (exponential, mean 3 days), with a daily rhythm. */
  "over days": (install) => {
    const random = seeded(install.seed * 7919)
    const dayIndex = random() < 1 / 3 ? 0 : 1 + Math.floor(exponential(random, 3))
    // Time of day: more starts in the working hours (a raised cosine peaking at 14:00).
    let hour
    do hour = random() * 24
    while (random() > 0.25 + 0.75 * (0.5 + 0.5 * Math.cos(((hour - 14) / 24) * 2 * Math.PI)))
    return dayIndex * DAY + hour * HOUR
  },
  /** An updater restarts every host: the whole fleet within the first minute. */
  "at one instant": (install) => install.arrivalPoint * MINUTE
}

/** The first start at or after `atMs`, given the install's first start and its rhythm. */
const firstStartFrom = (install, firstMs, atMs) => {
  const random = seeded(install.seed * 104729)
  let start = firstMs
  while (start < atMs) start += exponential(random, install.startsEveryMs)
  return start
}

const simulate = (scenario, installs = fleet) => {
  const perMinute = new Map()
  const perSecond = new Map()
  const waits = []
  let sent = 0
  let events = 0
  for (const install of installs) {
    if (install.events === 0) continue
    if (!Rollout.inRollout(NAMESPACE, install.id, scenario.rollout.fraction)) continue
    const first = arrivals[scenario.arrival](install)
    const scheduled = first + Rollout.spreadOffsetMs(NAMESPACE, install.id, scenario.rollout.spreadMs)
    const start = firstStartFrom(install, first, scheduled)
    const at = start + Rollout.startDelayMs(NAMESPACE, install.id, scenario.rollout.maxStartDelayMs)
    const minute = Math.floor(at / MINUTE)
    const second = Math.floor(at / 1000)
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + install.events)
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1)
    waits.push(at - first)
    sent += 1
    events += install.events
  }
  waits.sort((a, b) => a - b)
  const quantile = (q) => (waits.length === 0 ? 0 : waits[Math.min(waits.length - 1, Math.floor(q * waits.length))])
  return {
    ...scenario,
    installsSending: sent,
    events,
    peakEventsPerMinute: Math.max(0, ...perMinute.values()),
    peakRequestsPerSecond: Math.max(0, ...perSecond.values()),
    medianWaitMs: quantile(0.5),
    p99WaitMs: quantile(0.99)
  }
}

const DEFAULTS = Rollout.DEFAULT_ROLLOUT
const scenarios = [
  { name: "defaults", rollout: DEFAULTS, arrival: "over days" },
  { name: "defaults", rollout: DEFAULTS, arrival: "at one instant" },
  { name: "no spread (every install at its first start)", rollout: { fraction: 1, spreadMs: 0, maxStartDelayMs: 0 }, arrival: "over days" },
  { name: "no spread (every install at its first start)", rollout: { fraction: 1, spreadMs: 0, maxStartDelayMs: 0 }, arrival: "at one instant" },
  { name: "start delay only, up to 10 min", rollout: { fraction: 1, spreadMs: 0, maxStartDelayMs: 10 * MINUTE }, arrival: "at one instant" },
  { name: "spread 6 h", rollout: { fraction: 1, spreadMs: 6 * HOUR, maxStartDelayMs: 0 }, arrival: "at one instant" },
  { name: "spread 12 h", rollout: { fraction: 1, spreadMs: 12 * HOUR, maxStartDelayMs: 0 }, arrival: "at one instant" },
  { name: "spread 24 h", rollout: { fraction: 1, spreadMs: 24 * HOUR, maxStartDelayMs: 0 }, arrival: "at one instant" },
  { name: "1% canary, default spread", rollout: { ...DEFAULTS, fraction: 0.01 }, arrival: "at one instant" },
  { name: "10%, default spread", rollout: { ...DEFAULTS, fraction: 0.1 }, arrival: "at one instant" }
]

const started = Date.now()
const results = scenarios.map((scenario) => simulate(scenario))
// The same worst case over other fleets of the same shape: how much room the defaults leave.
const OTHER_SEEDS = [1, 2, 3, 4]
const otherFleets = OTHER_SEEDS.map(makeFleet)
const robustness = [DEFAULTS, { fraction: 1, spreadMs: 24 * HOUR, maxStartDelayMs: 0 }].map((rollout) => ({
  rollout,
  peaks: otherFleets.map((installs) => simulate({ name: "", rollout, arrival: "at one instant" }, installs).peakEventsPerMinute)
}))
const fleetEvents = fleet.reduce((sum, install) => sum + install.events, 0)
const activeDayCounts = fleet.filter((install) => install.events > 0).map((install) => install.events - 1).sort((a, b) => a - b)
const pick = (q) => activeDayCounts[Math.floor(q * (activeDayCounts.length - 1))]
const report = {
  generatedAt: new Date().toISOString(),
  command: `node bench/rollout.mjs --installs ${INSTALLS}`,
  seed: SEED,
  otherSeeds: OTHER_SEEDS,
  robustness,
  installs: INSTALLS,
  installsWithHistory: activeDayCounts.length,
  fleetEvents,
  activeDays: { p10: pick(0.1), median: pick(0.5), p90: pick(0.9), max: activeDayCounts.at(-1) },
  limitPerMinute: LIMIT_PER_MINUTE,
  defaults: DEFAULTS,
  results,
  seconds: (Date.now() - started) / 1000
}

const resultsDir = path.join(OUT, "bench", "results")
fs.mkdirSync(resultsDir, { recursive: true })
fs.writeFileSync(path.join(resultsDir, "rollout.json"), JSON.stringify(report, null, 2) + "\n")
const { renderMarkdown, renderRolloutMarkdown } = await import("./report.mjs")
for (const line of renderRolloutMarkdown(report)) console.log(line)
// BENCHMARKS.md is rendered whole from the saved results: the planning benchmark's and this one's.
const planning = path.join(resultsDir, "results.json")
if (fs.existsSync(planning)) {
  fs.writeFileSync(path.join(OUT, "BENCHMARKS.md"), renderMarkdown(
    JSON.parse(fs.readFileSync(planning, "utf8")),
    "bench/results/time-vs-rows.svg",
    report,
    fs.existsSync(path.join(resultsDir, "startup.json")) ? JSON.parse(fs.readFileSync(path.join(resultsDir, "startup.json"), "utf8")) : undefined
  ))
  console.log(`\nwrote ${path.join(resultsDir, "rollout.json")} and ${path.join(OUT, "BENCHMARKS.md")}`)
} else {
  console.log(`\nwrote ${path.join(resultsDir, "rollout.json")} (no planning results yet: \`npm run bench\` writes BENCHMARKS.md with both)`)
}
