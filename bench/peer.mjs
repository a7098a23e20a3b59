// @ts-check
/**
 * The peer baseline: the query-per-counter approach of the app this library
 * generalizes (the first seed, section 1.2 "collectDailyRollups" and 1.3),
 * reimplemented honestly for comparison. It lives in bench/ only.
 *
 * As the seed's app does it: one aggregate query per counter block, each a
 * scan of its table, with the epoch normalization
 * `CASE WHEN col < 1000000000000 THEN col * 1000 ELSE col END` inside WHERE
 * and GROUP BY (`date(asMs(col) / 1000, 'unixepoch') AS day`), the floor and the
 * whole-day window as predicates, run synchronously on one better-sqlite3
 * connection with default settings, merged per day in a `Map` with the
 * free-text buckets mapped in JS, then the events built from the days (with
 * the library's event builder, as the seed's app builds them after its
 * queries: the peer and ours pay the same for that step). Same semantics as
 * the library, so the benchmark also checks that both produce the same days
 * and counters.
 */
import { ClaudeMem, ClosedEnum, DayWindow, HistoricalEvents, Presets } from "@posthog-backfill/core"

const asMs = (/** @type {string} */ col) => `CASE WHEN ${col} < 1000000000000 THEN ${col} * 1000 ELSE ${col} END`
const day = (/** @type {string} */ col) => `date((${asMs(col)}) / 1000, 'unixepoch')`
const inWindow = (/** @type {string} */ col) => `(${asMs(col)}) >= ? AND ${day(col)} BETWEEN ? AND ?`

/**
 * Runs the peer's plan on an open better-sqlite3 connection.
 *
 * @param {import("better-sqlite3").Database} db
 * @param {number} nowMs
 * @param {string} installId
 * @returns {{ window: { installDay: string | null, lastFullDay: string }, days: Array<{ day: string, counters: Record<string, number> }>, events: number, queries: number }}
 */
export const peerPlan = (db, nowMs, installId) => {
  const floor = Presets.claudeMem.floorMs
  const lastFullDay = DayWindow.utcDay(nowMs - 60 * 3_600_000)
  let queries = 0
  /** @param {string} sql @param {ReadonlyArray<unknown>} params */
  const all = (sql, params = []) => {
    queries += 1
    return /** @type {Array<Record<string, any>>} */ (db.prepare(sql).all(...params))
  }
  // 1.3: sessions first, observations only when sessions yield nothing.
  const first =
    all(`SELECT MIN(${asMs("started_at_epoch")}) AS v FROM sdk_sessions WHERE ${asMs("started_at_epoch")} >= ?`, [floor])[0]?.v ??
    all(`SELECT MIN(${asMs("created_at_epoch")}) AS v FROM observations WHERE ${asMs("created_at_epoch")} >= ?`, [floor])[0]?.v ??
    null
  const installDay = first === null ? null : DayWindow.utcDay(first)
  if (installDay === null || installDay > lastFullDay) return { window: { installDay, lastFullDay }, days: [], events: 0, queries }
  const w = [floor, installDay, lastFullDay]

  /** @type {Map<string, Record<string, number>>} */
  const days = new Map()
  /** @param {string} d @param {ReadonlyArray<string>} keys */
  const rollup = (d, keys) => {
    let r = days.get(d)
    if (r === undefined) days.set(d, (r = {}))
    for (const key of keys) r[key] ??= 0
    return r
  }
  const obsKeys = ["observation_count", "obs_type_bugfix", "obs_type_discovery", "obs_type_decision", "obs_type_refactor", "obs_type_other", "subagent_obs_count"]
  const sessionKeys = ["session_count", "session_completed_count", "session_failed_count", "sessions_claude_count", "sessions_codex_count", "sessions_gemini_count", "sessions_other_platform_count"]

  // observations: count, type buckets, subagent count (three queries, three scans).
  for (const r of all(`SELECT ${day("created_at_epoch")} AS day, COUNT(*) AS n FROM observations WHERE ${inWindow("created_at_epoch")} GROUP BY day`, w)) {
    rollup(r.day, obsKeys).observation_count += r.n
  }
  const type = ClosedEnum.classifier(ClaudeMem.observationTypes)
  for (const r of all(`SELECT ${day("created_at_epoch")} AS day, type, COUNT(*) AS n FROM observations WHERE ${inWindow("created_at_epoch")} GROUP BY day, type`, w)) {
    const key = type(r.type)
    if (key !== undefined) rollup(r.day, obsKeys)[key] += r.n
  }
  for (const r of all(`SELECT ${day("created_at_epoch")} AS day, COUNT(*) AS n FROM observations WHERE agent_type IS NOT NULL AND ${inWindow("created_at_epoch")} GROUP BY day`, w)) {
    rollup(r.day, obsKeys).subagent_obs_count += r.n
  }
  // sdk_sessions: count, status, platform (three queries).
  for (const r of all(`SELECT ${day("started_at_epoch")} AS day, COUNT(*) AS n FROM sdk_sessions WHERE ${inWindow("started_at_epoch")} GROUP BY day`, w)) {
    rollup(r.day, sessionKeys).session_count += r.n
  }
  const status = ClosedEnum.classifier(ClaudeMem.sessionStatuses)
  for (const r of all(`SELECT ${day("started_at_epoch")} AS day, status, COUNT(*) AS n FROM sdk_sessions WHERE ${inWindow("started_at_epoch")} GROUP BY day, status`, w)) {
    const key = status(r.status)
    if (key !== undefined) rollup(r.day, sessionKeys)[key] += r.n
  }
  const platform = ClosedEnum.classifier(ClaudeMem.sessionPlatforms)
  for (const r of all(`SELECT ${day("started_at_epoch")} AS day, platform_source, COUNT(*) AS n FROM sdk_sessions WHERE ${inWindow("started_at_epoch")} GROUP BY day, platform_source`, w)) {
    const key = platform(r.platform_source)
    if (key !== undefined) rollup(r.day, sessionKeys)[key] += r.n
  }
  // session_summaries: count, discovery tokens (two queries).
  for (const r of all(`SELECT ${day("created_at_epoch")} AS day, COUNT(*) AS n FROM session_summaries WHERE ${inWindow("created_at_epoch")} GROUP BY day`, w)) {
    rollup(r.day, ["summary_count", "discovery_tokens"]).summary_count += r.n
  }
  for (const r of all(`SELECT ${day("created_at_epoch")} AS day, TOTAL(discovery_tokens) AS n FROM session_summaries WHERE ${inWindow("created_at_epoch")} GROUP BY day`, w)) {
    rollup(r.day, ["summary_count", "discovery_tokens"]).discovery_tokens += r.n
  }
  // user_prompts: count.
  for (const r of all(`SELECT ${day("created_at_epoch")} AS day, COUNT(*) AS n FROM user_prompts WHERE ${inWindow("created_at_epoch")} GROUP BY day`, w)) {
    rollup(r.day, ["prompt_count"]).prompt_count += r.n
  }
  // project_count: COUNT(DISTINCT project) over the union, in one query.
  for (const r of all(
    `SELECT day, COUNT(DISTINCT project) AS n FROM (` +
      `SELECT ${day("created_at_epoch")} AS day, project FROM observations WHERE ${inWindow("created_at_epoch")} ` +
      `UNION SELECT ${day("started_at_epoch")} AS day, project FROM sdk_sessions WHERE ${inWindow("started_at_epoch")}) GROUP BY day`,
    [...w, ...w]
  )) {
    rollup(r.day, ["project_count"]).project_count += r.n
  }
  const rollups = [...days.keys()].sort().map((d) => ({ day: d, counters: /** @type {Record<string, number>} */ (days.get(d)) }))
  const events = HistoricalEvents.buildHistoricalEvents({ app: Presets.claudeMem, installId, window: { installDay, lastFullDay }, rollups })
  return { window: { installDay, lastFullDay }, days: rollups, events: events.length, queries }
}
