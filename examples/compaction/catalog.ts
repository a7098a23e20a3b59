/**
 * `compaction_completed`, the second seed's event, as a typed catalog entry.
 *
 * Properties (all privacy-preserving):
 *
 * - `model`: a closed enum of known model families (`other` for the rest).
 *   Why not a validated identifier pattern: model ids are not all published
 *   by vendors. Users type custom ids (a local Ollama model named after a
 *   project, a fine-tune such as `ft:gpt-4o:acme-corp::abc123` that carries
 *   an organization name), and any pattern loose enough to admit real model
 *   ids admits those too. A closed enum ships only strings written here; the
 *   cost is upkeep (a new model counts as `other` until it is added, and a
 *   growing `other` share on the dashboard says when).
 * - `duration_b2`: the compaction's duration in seconds, base-2 bucketed.
 * - `input_tokens_b2` / `output_tokens_b2`: the history size before and after
 *   (provider-reported, context usage preferred over raw usage), bucketed.
 * - `compaction_source`: `manual` (the user's /compact), `idle` (the idle
 *   compactor) or `auto` (the context-limit threshold).
 *
 * The dedupe key is the compaction request id: one event per request, however
 * many times its completion is seen, and none when the compaction failed.
 */
import { Base2, ClosedEnum } from "@posthog-backfill/core"
import { EventCatalog } from "@posthog-backfill/effect"
import * as Schema from "effect/Schema"

/** The model families the event reports: a closed enum, so only these strings (and `other`) are ever sent. */
const FAMILIES = [
  "claude-opus-3",
  "claude-opus-4",
  "claude-sonnet-3",
  "claude-sonnet-4",
  "claude-haiku-3",
  "claude-haiku-4",
  "gpt-4o",
  "gpt-4.1",
  "gpt-5",
  "gpt-5-mini",
  "gpt-5-codex",
  "o-series",
  "gemini-pro",
  "gemini-flash"
] as const
type Family = (typeof FAMILIES)[number]

export const compactionModels = ClosedEnum.closedEnum({
  buckets: FAMILIES.map((key) => ({ key, values: [key] })),
  other: "other"
})

const known = (family: string): Family | "other" => (FAMILIES as ReadonlyArray<string>).includes(family) ? (family as Family) : "other"

/**
 * The family of a model id as providers and gateways spell it: a provider
 * prefix (`anthropic:`, `openrouter/anthropic/`, Bedrock's `anthropic.` and
 * `-v1:0`, Vertex's `@20240620`), dated snapshots and `-latest`/`-preview`
 * are read past; the version inside a family is dropped. A fine-tune
 * (`ft:...`, which names an organization), a local model or anything not
 * recognized is `other`; a new major version is `other` until it is added
 * here (a growing `other` share on the dashboard says when).
 */
export const modelFamily = (raw: string): Family | "other" => {
  let id = raw.trim().toLowerCase()
  if (id.startsWith("ft:")) return "other"
  id = id.replace(/-v\d+(?::\d+)?$/, "") // Bedrock's version suffix, before the provider prefix (it holds a colon)
  id = id.slice(Math.max(id.lastIndexOf(":"), id.lastIndexOf("/")) + 1) // provider:, gateway/provider/
  id = id.replace(/^(?:[a-z]{2}\.)?(?:anthropic|openai|google)\./, "") // Bedrock's (regional) vendor prefix
  id = id.replace(/@.*$/, "").replace(/-(?:latest|preview(?:-[\w-]*)?|\d{8}|\d{4}-\d{2}-\d{2})$/, "")
  const claude = /^claude-(opus|sonnet|haiku)-([34])(?:[-.]\d{1,2})?$/.exec(id) ?? /^claude-([34])(?:[-.]\d)?-(opus|sonnet|haiku)$/.exec(id)
  if (claude !== null) {
    const [tier, major] = /^\d$/.test(claude[1]!) ? [claude[2], claude[1]] : [claude[1], claude[2]]
    return known(`claude-${tier}-${major}`)
  }
  const gpt = /^gpt-(\d)(?:\.(\d))?(o)?(?:-(mini|nano))?(-codex(?:-(?:mini|max))?)?$/.exec(id)
  if (gpt !== null) {
    const [, major, minor, omni, small, codex] = gpt
    if (major === "4") return omni !== undefined ? "gpt-4o" : minor === "1" ? "gpt-4.1" : "other"
    if (major === "5") return codex !== undefined ? "gpt-5-codex" : small !== undefined ? "gpt-5-mini" : "gpt-5"
    return "other"
  }
  if (/^o[1-9](?:-(?:mini|pro))?$/.test(id)) return "o-series"
  const gemini = /^gemini-\d(?:\.\d)?-(pro|flash)(?:-lite)?$/.exec(id)
  if (gemini !== null) return gemini[1] === "pro" ? "gemini-pro" : "gemini-flash"
  return "other"
}


export const COMPACTION_SOURCES = ["manual", "idle", "auto"] as const
export type CompactionSource = (typeof COMPACTION_SOURCES)[number]

export const CompactionCompleted = EventCatalog.defineEvent({
  name: "compaction_completed",
  description: "A history compaction completed (once per compaction request).",
  payload: Schema.Struct({
    model: EventCatalog.closedEnumOf(compactionModels),
    duration_b2: EventCatalog.Base2,
    input_tokens_b2: EventCatalog.Base2,
    output_tokens_b2: EventCatalog.Base2,
    compaction_source: EventCatalog.literals(...COMPACTION_SOURCES)
  }),
  dedupeKey: "the compaction request id"
})

export const catalog = EventCatalog.defineCatalog([CompactionCompleted])

/** Token usage as a provider reports it (any field may be missing). */
export interface Usage {
  readonly inputTokens?: number | undefined
  readonly outputTokens?: number | undefined
}

/** The compaction stream's metadata: the model and both usage reports. */
export interface CompactionMetadata {
  readonly model: string
  readonly usage?: Usage | undefined
  /** Same tokenizer and model as the compaction: preferred when present. */
  readonly contextUsage?: Usage | undefined
}

/** The first finite, non-negative count, else 0 (a NaN from a provider never reaches bucketBase2). */
const firstCount = (...values: ReadonlyArray<number | undefined>): number =>
  values.find((value): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0) ?? 0

/**
 * The payload of one completed compaction: token counts prefer context usage
 * over raw usage, sizes and the duration (in seconds) are base-2 bucketed,
 * the model is mapped to its family.
 */
export const compactionCompletedPayload = (input: {
  readonly metadata: CompactionMetadata
  readonly source: CompactionSource
  readonly durationMs: number
}): EventCatalog.PayloadOf<typeof CompactionCompleted> => ({
  model: modelFamily(input.metadata.model),
  duration_b2: Base2.bucketBase2(firstCount(input.durationMs) / 1000),
  input_tokens_b2: Base2.bucketBase2(firstCount(input.metadata.contextUsage?.inputTokens, input.metadata.usage?.inputTokens)),
  output_tokens_b2: Base2.bucketBase2(firstCount(input.metadata.contextUsage?.outputTokens, input.metadata.usage?.outputTokens)),
  compaction_source: input.source
})
