import { it } from "@effect/vitest"
import { EventCatalog } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { describe, expect } from "vitest"
import { CompactionCompleted, compactionCompletedPayload, modelFamily } from "./catalog.js"
import { program } from "./main.js"

describe("examples/compaction", () => {
  it.live("emits compaction_completed once per successful request, and applies the dashboard idempotently", () =>
    Effect.gen(function*() {
      const result = yield* program.pipe(Logger.withMinimumLogLevel(LogLevel.Warning))
      expect(result.report).toMatchObject({ captured: 3, acknowledged: 3, unacknowledged: 0, delivered: true })
      const received = result.received.map((event) => event.properties ?? {})
      expect(received.map((properties) => properties["compaction_source"])).toEqual(["manual", "idle", "auto"])
      // Context usage wins over raw usage; sizes are base-2 buckets; the model is its family.
      expect(received[0]).toMatchObject({ model: "claude-sonnet-4", input_tokens_b2: 262_144, output_tokens_b2: 16_384 })
      expect(received[2]).toMatchObject({ model: "gpt-5", input_tokens_b2: 131_072, output_tokens_b2: 8_192 })
      expect(result.firstApply).toBe(4)
      expect(result.secondApply).toBe(0)
    }))

  it("builds valid payloads from whatever metadata a provider reports", () => {
    const payload = compactionCompletedPayload({
      metadata: { model: "ollama:acme-merger-notes", usage: { inputTokens: Number.NaN, outputTokens: 300 } },
      source: "auto",
      durationMs: 2_500
    })
    expect(payload).toEqual({ model: "other", duration_b2: 4, input_tokens_b2: 0, output_tokens_b2: 512, compaction_source: "auto" })
    expect(Either.isRight(EventCatalog.validate(CompactionCompleted, payload))).toBe(true)
    expect(modelFamily("ft:gpt-4o:acme-corp::abc123")).toBe("other")
    expect(modelFamily(" Anthropic:Claude-Opus-4-5 ")).toBe("claude-opus-4")
  })
})
