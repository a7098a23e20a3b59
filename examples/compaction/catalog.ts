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

/**
 * Model families. Values are matched exactly after trim + lowercase, with and
 * without the `provider:` prefix.
 */
export const compactionModels = ClosedEnum.closedEnum({
  buckets: [
    {
      key: "claude-opus-4",
      values: ["claude-opus-4-0", "claude-opus-4-1", "claude-opus-4-5", "claude-opus-4-20250514", "claude-opus-4-1-20250805"]
    },
    {
      key: "claude-sonnet-4",
      values: ["claude-sonnet-4-0", "claude-sonnet-4-5", "claude-sonnet-4-20250514", "claude-sonnet-4-5-20250929"]
    },
    { key: "claude-haiku-4", values: ["claude-haiku-4-5", "claude-haiku-4-5-20251001"] },
    { key: "gpt-5", values: ["gpt-5", "gpt-5.1", "gpt-5.2", "gpt-5-codex", "gpt-5.1-codex"] },
    { key: "gpt-5-mini", values: ["gpt-5-mini", "gpt-5-nano"] },
    { key: "gpt-4.1", values: ["gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini"] },
    { key: "o-series", values: ["o3", "o3-mini", "o4-mini"] },
    { key: "gemini-pro", values: ["gemini-2.5-pro", "gemini-3-pro-preview"] },
    { key: "gemini-flash", values: ["gemini-2.5-flash", "gemini-2.5-flash-lite"] }
  ],
  other: "other"
})

/** The model family of a raw model string (`anthropic:claude-sonnet-4-5` -> `claude-sonnet-4`). */
export const modelFamily = (raw: string): (typeof MODEL_KEYS)[number] => {
  const trimmed = raw.trim().toLowerCase()
  const withoutProvider = trimmed.includes(":") ? trimmed.slice(trimmed.indexOf(":") + 1) : trimmed
  return ClosedEnum.classify(compactionModels, withoutProvider) ?? "other"
}

const MODEL_KEYS = ClosedEnum.enumKeys(compactionModels)

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
