// Type-checked (never run) in the packaging test's Effect app, without skipLibCheck: the packed
// declarations of @posthog-backfill/effect must check in a strict Effect 3 host.
import { Presets } from "@posthog-backfill/core"
import { Backfill, NodeBackfill, PostHogSink } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"

export const program = (dataDir: string, database: string) =>
  Backfill.run({ app: Presets.claudeMem, apiKey: "phc_x" }).pipe(
    Effect.provide(NodeBackfill.layer({ app: Presets.claudeMem, dataDir, database, sink: { keepAlive: false } satisfies PostHogSink.Options })),
    Effect.map((outcome) => outcome._tag)
  )
