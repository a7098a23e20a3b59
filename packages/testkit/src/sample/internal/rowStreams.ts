/**
 * Part of the claude-mem sample generator (see `../index.ts`).
 *
 * @internal
 */
import { clamp, get, type Plan, promptText, sessionCore, stored, turnOf, turnPlan } from "./plan.js"
import { hash, pickWeighted, Prng, TAG_OBS, TAG_OBS_TEXT, TAG_PROMPT, TAG_SESSION_TEXT, TAG_SUMMARY, TAG_SUMMARY_TEXT, TAG_UNIT_OBS, TAG_UNIT_PROMPT, TAG_UNIT_SESSION, TAG_UNIT_SUMMARY } from "./random.js"
import { SECOND_MS, SECONDS_THRESHOLD } from "./units.js"
import { AGENT_TYPES, CONCEPTS, FILES, iso, jsonList, PRIVATE_ROOT, SENTENCES, SUBJECTS, TYPES, VERBS } from "./vocabulary.js"
import { type ClaudeMemObservationRow, type ClaudeMemPromptRow, type ClaudeMemSessionRow, type ClaudeMemSummaryRow } from "../rows.js"

// ---------------------------------------------------------------------------
// Row iterables
// ---------------------------------------------------------------------------

export function* sessionRows(plan: Plan): Generator<ClaudeMemSessionRow> {
  const o = plan.o
  for (let i = 0; i < o.sessions; i++) {
    const core = sessionCore(plan, i)
    const tp = turnPlan(plan, i)
    const start = clamp(plan, get(plan.starts, i))
    const epoch = stored(plan, TAG_UNIT_SESSION, i, start, plan.corruptSessions.get(i))
    const legacy = epoch < SECONDS_THRESHOLD && !plan.corruptSessions.has(i)
    const textRng = new Prng(hash(o.seed, TAG_SESSION_TEXT, i))
    const lastEnd = get(tp.ends, tp.ends.length - 1)
    const completedMs = core.status === "active" ? null : clamp(plan, lastEnd + textRng.int(5, 90) * SECOND_MS)
    const base = {
      id: i + 1,
      content_session_id: core.contentSessionId,
      memory_session_id: core.memorySessionId,
      project: core.project,
      user_prompt: textRng.chance(0.95) ? promptText(plan, i, 0, i + 1) : null,
      started_at: iso(start),
      started_at_epoch: epoch,
      completed_at: completedMs === null ? null : iso(completedMs),
      completed_at_epoch: completedMs === null ? null : legacy ? Math.floor(completedMs / 1000) : completedMs,
      status: core.status
    }
    yield plan.current ? { ...base, platform_source: core.platform } : base
  }
}

export function* observationRows(plan: Plan): Generator<ClaudeMemObservationRow> {
  const o = plan.o
  const compact = o.freeText === "compact"
  for (let i = 0; i < o.sessions; i++) {
    const count = get(plan.obsCount, i)
    if (count === 0) continue
    const core = sessionCore(plan, i)
    const tp = turnPlan(plan, i)
    const turns = tp.starts.length
    const rng = new Prng(hash(o.seed, TAG_OBS, i))
    const textRng = new Prng(hash(o.seed, TAG_OBS_TEXT, i))
    const first = get(plan.obsOffset, i)
    let lastTurn = -1
    let t = 0
    for (let m = 0; m < count; m++) {
      const g = first + m
      const id = g + 1
      const turn = turnOf(m, count, turns)
      if (turn !== lastTurn) {
        lastTurn = turn
        t = get(tp.starts, turn)
      }
      // Everything that feeds a rollup comes from `rng`, all free text from `textRng`:
      // the same seed gives the same days and counts whatever the schema or freeText mode.
      t += rng.int(4, 70) * SECOND_MS
      const artifact = plan.artifactObs.get(g)
      const ms = artifact ?? clamp(plan, t)
      const epoch = stored(plan, TAG_UNIT_OBS, g, ms, artifact ?? plan.corruptObs.get(g))
      const type = rng.chance(o.nullTypeFraction) ? null : pickWeighted(rng, TYPES)
      const agentType = rng.chance(o.subagentFraction) ? rng.pick(AGENT_TYPES) : null
      const project = core.project !== null && rng.chance(0.004) ? null : core.project
      const verb = textRng.pick(VERBS)
      const subject = textRng.pick(SUBJECTS)
      const file = textRng.pick(FILES)
      const title = `${verb} ${subject} (SECRET-${id})`
      let text: string | null
      let subtitle: string | null
      let facts: string | null
      let narrative: string | null
      let concepts: string | null
      let filesRead: string | null
      let filesModified: string | null
      if (compact) {
        text = null
        subtitle = null
        facts = null
        narrative = `${title} in ${PRIVATE_ROOT}/${file}`
        concepts = null
        filesRead = jsonList([`${PRIVATE_ROOT}/${file}`])
        filesModified = null
      } else {
        const file2 = textRng.pick(FILES)
        subtitle = `${subject} in ${file}`
        const sentences = textRng.int(3, 5)
        const parts: Array<string> = []
        for (let s = 0; s < sentences; s++) parts.push(textRng.pick(SENTENCES)(subject, s === 0 ? file : file2, id))
        narrative = parts.join(" ")
        facts = jsonList([
          `${file} handles ${subject}`,
          `the failing case needs SECRET-${id} in the environment`,
          `${file2} is only touched by the worker`
        ])
        concepts = jsonList([textRng.pick(CONCEPTS), textRng.pick(CONCEPTS)])
        filesRead = jsonList([`${PRIVATE_ROOT}/${file}`, `${PRIVATE_ROOT}/${file2}`])
        filesModified = textRng.chance(0.6) ? jsonList([`${PRIVATE_ROOT}/${file}`]) : jsonList([])
        // `text` is deprecated in favour of the structured fields: mostly NULL on the current schema.
        const deprecatedNull = textRng.chance(0.85)
        text = plan.current && deprecatedNull ? null : `${title}\n${narrative}`
      }
      const createdAt = iso(ms)
      const promptNumber = turn + 1
      // Two literals rather than spreads: object spread is the hot spot at a million rows.
      yield plan.current
        ? {
          id,
          memory_session_id: core.memorySessionId,
          project,
          text,
          type,
          title,
          subtitle,
          facts,
          narrative,
          concepts,
          files_read: filesRead,
          files_modified: filesModified,
          prompt_number: promptNumber,
          discovery_tokens: tp.tokens[turn] ?? null,
          agent_type: agentType,
          created_at: createdAt,
          created_at_epoch: epoch
        }
        : {
          id,
          memory_session_id: core.memorySessionId,
          project,
          text,
          type,
          title,
          subtitle,
          facts,
          narrative,
          concepts,
          files_read: filesRead,
          files_modified: filesModified,
          prompt_number: promptNumber,
          created_at: createdAt,
          created_at_epoch: epoch
        }
    }
  }
}

export function* summaryRows(plan: Plan): Generator<ClaudeMemSummaryRow> {
  const o = plan.o
  const compact = o.freeText === "compact"
  for (let i = 0; i < o.sessions; i++) {
    const count = get(plan.summaryCount, i)
    if (count === 0) continue
    const core = sessionCore(plan, i)
    const tp = turnPlan(plan, i)
    const turns = tp.starts.length
    const rng = new Prng(hash(o.seed, TAG_SUMMARY, i))
    const textRng = new Prng(hash(o.seed, TAG_SUMMARY_TEXT, i))
    const first = get(plan.summaryOffset, i)
    for (let m = 0; m < count; m++) {
      const g = first + m
      const id = g + 1
      const turn = turnOf(m, count, turns)
      const ms = clamp(plan, get(tp.ends, turn) + rng.int(5, 60) * SECOND_MS)
      const epoch = stored(plan, TAG_UNIT_SUMMARY, g, ms, plan.corruptSummaries.get(g))
      const subject = textRng.pick(SUBJECTS)
      const file = textRng.pick(FILES)
      const base = {
        id,
        memory_session_id: core.memorySessionId,
        project: core.project,
        request: compact ? `Fix ${subject} (SECRET-${id})` : `Help me with ${subject} in ${PRIVATE_ROOT}/${file} (SECRET-${id})`,
        investigated: compact ? null : textRng.pick(SENTENCES)(subject, file, id),
        learned: compact ? null : textRng.pick(SENTENCES)(subject, file, id),
        completed: compact ? null : `${textRng.pick(VERBS)} ${subject}; tests pass locally.`,
        next_steps: compact ? null : textRng.chance(0.7) ? `Follow up on ${textRng.pick(SUBJECTS)} in ${file}.` : null,
        notes: compact ? null : textRng.chance(0.3) ? `Ping the owner of SECRET-${id} before merging.` : null,
        prompt_number: turn + 1
      }
      const stamp = { created_at: iso(ms), created_at_epoch: epoch }
      yield plan.current ? { ...base, discovery_tokens: tp.tokens[turn] ?? null, ...stamp } : { ...base, ...stamp }
    }
  }
}

export function* promptRows(plan: Plan): Generator<ClaudeMemPromptRow> {
  if (!plan.current) return
  const o = plan.o
  for (let i = 0; i < o.sessions; i++) {
    const count = get(plan.promptCount, i)
    if (count === 0) continue
    const core = sessionCore(plan, i)
    const tp = turnPlan(plan, i)
    const turns = tp.starts.length
    const rng = new Prng(hash(o.seed, TAG_PROMPT, i))
    const first = get(plan.promptOffset, i)
    for (let m = 0; m < count; m++) {
      const g = first + m
      const turn = turnOf(m, count, turns)
      const raw = turn === 0 ? get(plan.starts, i) : get(tp.starts, turn) - rng.int(1, 20) * SECOND_MS
      const ms = clamp(plan, raw)
      yield {
        id: g + 1,
        content_session_id: core.contentSessionId,
        prompt_number: turn + 1,
        prompt_text: turn === 0 ? promptText(plan, i, 0, i + 1) : promptText(plan, i, turn, g + 1),
        created_at: iso(ms),
        created_at_epoch: stored(plan, TAG_UNIT_PROMPT, g, ms, plan.corruptPrompts.get(g))
      }
    }
  }
}

export const reiterable = <A>(make: () => Iterator<A>): Iterable<A> => ({ [Symbol.iterator]: make })
