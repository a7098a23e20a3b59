/**
 * The backend emission of the second seed, done right: `handleCompletion`
 * runs the compaction and captures `compaction_completed` only when it
 * succeeded (`Telemetry.track`), keyed by the request id, so a completion
 * seen twice emits once and a failed compaction emits nothing and records
 * nothing (a retry of the same request still emits). Validation, consent and
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
      handleCompletion: (request: CompactionRequest): Effect.Effect<CompactionResult, E> =>
        telemetry.track(
          timed(request),
          CompactionCompleted,
          ({ durationMs, result }) =>
            compactionCompletedPayload({ metadata: result.metadata, source: compactionSource(request), durationMs }),
          { dedupeKey: request.id }
        ).pipe(Effect.map(({ result }) => result))
    }
  })
