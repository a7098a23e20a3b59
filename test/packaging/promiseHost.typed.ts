// Type-checked (never run) in the packaging test's Node app, without skipLibCheck: the packed
// declarations of @posthog-backfill/promise must check in a strict host with nothing but
// @types/node beside them.
import { Base2, Presets, runHistoricalBackfill, startHistoricalBackfill, type HistoricalBackfillResult } from "@posthog-backfill/promise"
import { createLiveTelemetry, defineCatalog, defineEvent, field } from "@posthog-backfill/promise/live"

const Compacted = defineEvent("compaction_completed", {
  duration_b2: field.base2(),
  source: field.oneOf("manual", "auto"),
  ratio: field.optional(field.amount())
}, { dedupeKey: "the compaction request id" })

export const host = async (dataDir: string, database: string): Promise<string> => {
  const controller = new AbortController()
  const result: HistoricalBackfillResult = await runHistoricalBackfill({
    app: Presets.claudeMem,
    dataDir,
    database,
    apiKey: "phc_x",
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    deadlineMs: 30_000,
    signal: controller.signal
  })
  startHistoricalBackfill({ app: Presets.claudeMem, dataDir, database, logger: (level, message) => void [level, message] })
  const telemetry = createLiveTelemetry({ app: Presets.claudeMem, dataDir, apiKey: "phc_x", version: "1.0.0", catalog: defineCatalog([Compacted]) })
  const captured = await telemetry.capture(Compacted, { duration_b2: Base2.bucketBase2(3.2), source: "auto" }, { dedupeKey: "r1" })
  await telemetry.shutdown()
  return `${result._tag} ${captured._tag}`
}
