/**
 * The backend emission of the second seed, done right: `handleCompletion`
 * first checks the request id (as mux does: a completion seen again for a
 * request already compacted returns before doing any work), then runs the
 * compaction and captures `compaction_completed` only when it succeeded
 * (`Telemetry.track`), keyed by the request id, so a completion seen twice
 * compacts and emits once, and a failed compaction emits nothing and records
 * nothing (a retry of the same request still compacts and emits). Validation, consent and
 * debug printing happen inside `capture`; nothing here can throw into the
 * agent.
 */
import { Telemetry } from "@posthog-backfill/effect"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { type CompactionMetadata, CompactionCompleted, compactionCompletedPayload, type CompactionSource } from "./catalog.js"

export interface CompactionRequest {
  readonly id: string
  /** `/compact` from the user. */
  readonly manual: boolean
  /** Started by the idle compactor (the seed's `isIdleCompaction`). */
  readonly idle: boolean
}

/** What a compaction returns: the new history and the stream's metadata. */
export interface CompactionResult {
  readonly summary: string
  readonly metadata: CompactionMetadata
}

export const compactionSource = (request: CompactionRequest): CompactionSource =>
  request.manual ? "manual" : request.idle ? "idle" : "auto"

export const makeCompactionHandler = <E>(
  performCompaction: (request: CompactionRequest) => Effect.Effect<CompactionResult, E>
) =>
  Effect.gen(function*() {
    const telemetry = yield* Telemetry.Telemetry
    const timed = (request: CompactionRequest) =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const result = yield* performCompaction(request)
        const durationMs = (yield* Clock.currentTimeMillis) - start
        return { result, durationMs }
      })
    return {
      /** The compaction's result, or `AlreadyCompacted` for a request whose compaction already completed. */
      handleCompletion: (request: CompactionRequest): Effect.Effect<CompactionResult | "AlreadyCompacted", E> =>
        Effect.gen(function*() {
          // The dedupe check comes before the work: a repeated completion must not compact again.
          if (yield* telemetry.isCaptured(request.id)) return "AlreadyCompacted" as const
          const { result } = yield* telemetry.track(
            timed(request),
            CompactionCompleted,
            ({ durationMs, result }) =>
              compactionCompletedPayload({ metadata: result.metadata, source: compactionSource(request), durationMs }),
            { dedupeKey: request.id }
          )
          return result
        })
    }
  })
