/**
 * Part of the claude-mem sample generator (see `../index.ts`).
 *
 * @internal
 */
import { hash, pickWeighted, Prng, TAG_ALLOC, TAG_DAYS, TAG_OVERRIDES, TAG_PROMPT_TEXT, TAG_SESSION, TAG_START, TAG_TURNS, unit } from "./random.js"
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from "./units.js"
import { FILES, normalizeMs, PLATFORMS, PRIVATE_ROOT, PROJECTS, PROMPT_OPENERS, SENTENCES, startOfDay, STATUSES, SUBJECTS, uuidFrom } from "./vocabulary.js"
import { CLAUDE_MEM_CORRUPT_EPOCHS, type ClaudeMemResolvedOptions } from "../options.js"
import { type ClaudeMemSessionStatus } from "../rows.js"

// ---------------------------------------------------------------------------
// Plan: everything that is O(sessions), computed once
// ---------------------------------------------------------------------------

export interface Plan {
  readonly o: ClaudeMemResolvedOptions
  readonly current: boolean
  readonly clampMs: number
  readonly firstDayStart: number
  readonly starts: Float64Array
  readonly turns: Uint32Array
  readonly obsCount: Uint32Array
  readonly obsOffset: Float64Array
  readonly summaryCount: Uint32Array
  readonly summaryOffset: Float64Array
  readonly promptCount: Uint32Array
  readonly promptOffset: Float64Array
  readonly artifactObs: ReadonlyMap<number, number>
  readonly corruptObs: ReadonlyMap<number, number>
  readonly corruptSessions: ReadonlyMap<number, number>
  readonly corruptSummaries: ReadonlyMap<number, number>
  readonly corruptPrompts: ReadonlyMap<number, number>
}

export const get = (array: ArrayLike<number>, i: number): number => array[i] ?? 0

/** Spreads `total` items over `n` slots proportionally to `weight(i)`, exactly (cumulative rounding). */
export const allocate = (total: number, n: number, weight: (i: number) => number): Uint32Array => {
  const out = new Uint32Array(n)
  if (n === 0 || total === 0) return out
  const w = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    const x = Math.max(0, weight(i))
    w[i] = x
    sum += x
  }
  if (sum === 0) {
    w.fill(1)
    sum = n
  }
  let acc = 0
  let prev = 0
  for (let i = 0; i < n; i++) {
    acc += get(w, i)
    const upto = i === n - 1 ? total : Math.round((total * acc) / sum)
    out[i] = upto - prev
    prev = upto
  }
  return out
}

export const offsets = (counts: Uint32Array): Float64Array => {
  const out = new Float64Array(counts.length + 1)
  for (let i = 0; i < counts.length; i++) out[i + 1] = get(out, i) + get(counts, i)
  return out
}

export const buildPlan = (o: ClaudeMemResolvedOptions): Plan => {
  const n = o.sessions
  const lastDayStart = startOfDay(o.endMs - DAY_MS)
  const firstDayStart = lastDayStart - (o.days - 1) * DAY_MS

  // Per-day activity weights: growth over time, light weekends, days off, one vacation.
  const rd = new Prng(hash(o.seed, TAG_DAYS, 0))
  const vacationLength = o.days >= 60 ? rd.int(4, 10) : 0
  const vacationStart = o.days >= 60 ? Math.floor(o.days * (0.3 + 0.4 * rd.next())) : -1
  const cumulative = new Float64Array(o.days)
  let total = 0
  for (let d = 0; d < o.days; d++) {
    let w = 0.35 + 0.65 * ((d + 1) / o.days)
    const dow = new Date(firstDayStart + d * DAY_MS).getUTCDay()
    if (dow === 0 || dow === 6) w *= 0.35
    w *= 0.6 + 0.8 * rd.next()
    const off = rd.chance(0.1)
    if (off || (d >= vacationStart && d < vacationStart + vacationLength)) w = 0
    // The first day and the last three days are always active (first-day and excluded-tail tests rely on it).
    if (d === 0 || d >= o.days - 3) w = Math.max(w, 0.5)
    total += w
    cumulative[d] = total
  }

  // Session starts: monotone in the session index (the inverse CDF of the day weights).
  const starts = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const target = ((i + unit(hash(o.seed, TAG_START, i))) / n) * total
    let lo = 0
    let hi = o.days - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (get(cumulative, mid) > target) hi = mid
      else lo = mid + 1
    }
    const before = lo === 0 ? 0 : get(cumulative, lo - 1)
    const width = get(cumulative, lo) - before
    const within = width > 0 ? Math.min(0.999999, Math.max(0, (target - before) / width)) : 0
    starts[i] = Math.floor(firstDayStart + lo * DAY_MS + 6 * HOUR_MS + within * 17 * HOUR_MS)
  }

  // Prompts, summaries, turns, observations per session (exact totals).
  const promptCount = allocate(o.prompts, n, (i) => 0.2 + 3 * unit(hash(o.seed, TAG_ALLOC, i, 1)) ** 2)
  const summaryCount = allocate(
    o.summaries,
    n,
    (i) => (get(promptCount, i) + 0.6) * (0.5 + unit(hash(o.seed, TAG_ALLOC, i, 2)))
  )
  const turns = new Uint32Array(n)
  for (let i = 0; i < n; i++) turns[i] = Math.max(1, get(promptCount, i), get(summaryCount, i))
  const obsCount = allocate(
    o.observations,
    n,
    (i) => get(turns, i) * (0.3 + 1.4 * unit(hash(o.seed, TAG_ALLOC, i, 3)))
  )
  const obsOffset = offsets(obsCount)
  const summaryOffset = offsets(summaryCount)
  const promptOffset = offsets(promptCount)

  // Backdated artifacts: observations of a late session, dated months before the first session.
  const artifactObs = new Map<number, number>()
  let firstValid = 0
  while (firstValid < n && get(starts, firstValid) < o.floorMs) firstValid++
  if (o.backdatedArtifacts > 0 && firstValid < n && o.observations > 0) {
    // Relative to the first session at or above the floor (starts are monotone in the index).
    const first = get(starts, firstValid)
    let target = first - 240 * DAY_MS
    if (target < o.floorMs + DAY_MS) target = o.floorMs + (first - o.floorMs) / 2
    target = startOfDay(target) + 14 * HOUR_MS + 23 * MINUTE_MS + 11 * SECOND_MS
    if (target >= o.floorMs && target < startOfDay(first)) {
      const want = Math.min(o.backdatedArtifacts, o.observations)
      let host = -1
      const from = Math.min(n - 1, Math.floor(n * 0.85))
      for (let k = 0; k < n && host < 0; k++) {
        const i = (from + k) % n
        if (get(obsCount, i) >= want) host = i
      }
      if (host < 0) {
        // No single session has enough observations: take the largest one.
        host = 0
        for (let i = 1; i < n; i++) if (get(obsCount, i) > get(obsCount, host)) host = i
      }
      const take = Math.min(want, get(obsCount, host))
      for (let a = 0; a < take; a++) artifactObs.set(get(obsOffset, host) + a, target + a * 37 * SECOND_MS)
    }
  }

  // Corrupt epochs, round-robin over the tables.
  const corruptObs = new Map<number, number>()
  const corruptSessions = new Map<number, number>()
  const corruptSummaries = new Map<number, number>()
  const corruptPrompts = new Map<number, number>()
  const corruptValues = CLAUDE_MEM_CORRUPT_EPOCHS.filter((v) => normalizeMs(v) < o.floorMs)
  const current = o.schema === "current"
  if (o.corruptEpochs > 0 && corruptValues.length > 0) {
    const targets: ReadonlyArray<readonly [Map<number, number>, number, ReadonlyMap<number, number>]> = [
      [corruptObs, o.observations, artifactObs],
      [corruptSessions, o.sessions, new Map()],
      [corruptSummaries, o.summaries, new Map()],
      // Also on the old schema (whose prompts are never written), so both schemas corrupt the same
      // observations, sessions and summaries for a given seed.
      [corruptPrompts, o.prompts, new Map()]
    ]
    const rc = new Prng(hash(o.seed, TAG_OVERRIDES, 0))
    for (let k = 0; k < o.corruptEpochs; k++) {
      const value = corruptValues[k % corruptValues.length] ?? 0
      for (let tries = 0; tries < targets.length; tries++) {
        const entry = targets[(k + tries) % targets.length]
        if (entry === undefined) continue
        const [map, size, taken] = entry
        if (map.size + taken.size >= size) continue
        let idx = rc.int(0, size - 1)
        while (map.has(idx) || taken.has(idx)) idx = (idx + 1) % size
        map.set(idx, value)
        break
      }
    }
  }

  return {
    o,
    current,
    clampMs: o.endMs - SECOND_MS,
    firstDayStart,
    starts,
    turns,
    obsCount,
    obsOffset,
    summaryCount,
    summaryOffset,
    promptCount,
    promptOffset,
    artifactObs,
    corruptObs,
    corruptSessions,
    corruptSummaries,
    corruptPrompts
  }
}

// ---------------------------------------------------------------------------
// Per-session derivations (pure functions of (plan, session index))
// ---------------------------------------------------------------------------

export interface TurnPlan {
  readonly starts: Float64Array
  readonly ends: Float64Array
  readonly tokens: ReadonlyArray<number | null>
}

export const turnPlan = (plan: Plan, i: number): TurnPlan => {
  const count = get(plan.turns, i)
  const rng = new Prng(hash(plan.o.seed, TAG_TURNS, i))
  const starts = new Float64Array(count)
  const ends = new Float64Array(count)
  const tokens: Array<number | null> = []
  let t = get(plan.starts, i) + rng.int(2, 40) * SECOND_MS
  for (let k = 0; k < count; k++) {
    starts[k] = t
    const end = t + rng.int(1 * MINUTE_MS, 12 * MINUTE_MS)
    ends[k] = end
    const roll = rng.next()
    tokens.push(roll < 0.02 ? null : roll < 0.07 ? 0 : rng.int(600, 42_000))
    t = end + rng.int(30 * SECOND_MS, 25 * MINUTE_MS)
  }
  return { starts, ends, tokens }
}

export interface SessionCore {
  readonly contentSessionId: string
  readonly memorySessionId: string
  readonly project: string | null
  readonly platform: string | null
  readonly status: ClaudeMemSessionStatus
}

export const sessionCore = (plan: Plan, i: number): SessionCore => {
  const rng = new Prng(hash(plan.o.seed, TAG_SESSION, i))
  const contentSessionId = uuidFrom(rng)
  const memorySessionId = uuidFrom(rng)
  const position = plan.o.sessions <= 1 ? 0 : i / (plan.o.sessions - 1)
  let totalWeight = 0
  for (const p of PROJECTS) if (position >= p.from && position <= p.to) totalWeight += p.weight
  let x = rng.next() * totalWeight
  let project: string | null = PROJECTS[0]?.name ?? "private-project"
  for (const p of PROJECTS) {
    if (position < p.from || position > p.to) continue
    if (x < p.weight) {
      project = p.name
      break
    }
    x -= p.weight
  }
  if (rng.chance(plan.o.nullProjectFraction)) project = null
  const platform = pickWeighted(rng, PLATFORMS)
  let status = pickWeighted(rng, STATUSES)
  // Sessions that started in the last few hours before `endMs` are still running.
  if (get(plan.starts, i) > plan.o.endMs - 4 * HOUR_MS) status = "active"
  return { contentSessionId, memorySessionId, project, platform, status }
}

/** The stored epoch: the override, else seconds on legacy rows, else milliseconds. */
export const stored = (plan: Plan, tag: number, index: number, ms: number, override: number | undefined): number => {
  if (override !== undefined) return override
  const legacy = plan.o.legacySecondsFraction > 0 && unit(hash(plan.o.seed, tag, index)) < plan.o.legacySecondsFraction
  return legacy ? Math.floor(ms / 1000) : ms
}

export const clamp = (plan: Plan, ms: number): number => Math.min(ms, plan.clampMs)

export const promptText = (plan: Plan, i: number, turn: number, id: number): string => {
  const rng = new Prng(hash(plan.o.seed, TAG_PROMPT_TEXT, i, turn))
  const subject = rng.pick(SUBJECTS)
  const file = rng.pick(FILES)
  if (plan.o.freeText === "compact") return `${rng.pick(PROMPT_OPENERS)} ${subject} (SECRET-${id})`
  return `${rng.pick(PROMPT_OPENERS)} ${subject} in ${PRIVATE_ROOT}/${file}? The staging key is SECRET-${id}, ` +
    `do not paste it anywhere. ${rng.pick(SENTENCES)(subject, file, id)}`
}

/** The turn an item (observation, summary, prompt) m of `count` belongs to, spread over `turns` turns. */
export const turnOf = (m: number, count: number, turns: number): number =>
  Math.min(turns - 1, Math.floor((m * turns) / Math.max(1, count)))
