/**
 * A small catalog for the live-telemetry tests: one deduped event with every
 * field shape that may ship (base-2 buckets, a count, an amount, a closed
 * enum, a boolean), and one plain event.
 */
import { EventCatalog } from "@posthog-backfill/effect"
import * as fc from "fast-check"
import * as Schema from "effect/Schema"

export const SOURCES = ["manual", "idle", "auto"] as const

export const JobFinished = EventCatalog.defineEvent({
  name: "job_finished",
  payload: Schema.Struct({
    duration_b2: EventCatalog.Base2,
    input_b2: EventCatalog.Base2,
    retries: EventCatalog.Count,
    ratio: EventCatalog.Amount,
    source: EventCatalog.literals(...SOURCES),
    cached: Schema.Boolean
  }),
  dedupeKey: "the job request id"
})

export const AppStarted = EventCatalog.defineEvent({
  name: "app_started",
  payload: Schema.Struct({ plugins: EventCatalog.Count })
})

export const catalog = EventCatalog.defineCatalog([JobFinished, AppStarted])

export type JobPayload = EventCatalog.PayloadOf<typeof JobFinished>

export const bucket = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 }).map((exponent) => 2 ** exponent))

/** Every valid `job_finished` payload. */
export const validJob: fc.Arbitrary<JobPayload> = fc.record({
  duration_b2: bucket,
  input_b2: bucket,
  retries: fc.nat(),
  ratio: fc.double({ min: 0, max: 1e9, noNaN: true }),
  source: fc.constantFrom(...SOURCES),
  cached: fc.boolean()
})

export const aJob: JobPayload = { duration_b2: 8, input_b2: 4096, retries: 0, ratio: 0.25, source: "manual", cached: false }
