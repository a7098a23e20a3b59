import { describe, expect, it } from "@effect/vitest"
import { Base2, ClosedEnum, Presets } from "@posthog-backfill/core"
import { EventCatalog, Telemetry } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { aJob, AppStarted, catalog, JobFinished, validJob } from "./support/liveCatalog.js"

const base = { version: "1.2.3", os: "linux", arch: "x64", runtime: "node", locale: "en-US" }

/** Runs `effect` synchronously with a fresh recording telemetry and logs muted. */
const withRecording = <A>(f: (recording: Telemetry.Recording) => Effect.Effect<A>) =>
  Effect.runSync(
    Effect.flatMap(Telemetry.makeRecording({ app: Presets.claudeMem, catalog, baseProperties: base }), f).pipe(
      Logger.withMinimumLogLevel(LogLevel.None)
    )
  )

describe("EventCatalog properties", () => {
  it("every schema-valid payload survives capture unchanged (plus the base properties, nothing else)", () => {
    fc.assert(
      fc.property(validJob, fc.uuid(), (payload, key) =>
        withRecording((recording) =>
          Effect.gen(function*() {
            const result = yield* recording.service.capture(JobFinished, payload, { dedupeKey: key })
            expect(result._tag).toBe("Queued")
            const [event] = recording.events
            expect(event!.properties).toStrictEqual({ ...base, ...payload })
            return true
          })
        )
      ),
      { numRuns: 200 }
    )
  })

  const invalid: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ["NaN", { ...aJob, ratio: Number.NaN }, /ratio: expected a finite number >= 0, got NaN/],
    ["Infinity", { ...aJob, ratio: Number.POSITIVE_INFINITY }, /ratio: expected a finite number >= 0, got Infinity/],
    ["a NaN bucket", { ...aJob, duration_b2: Number.NaN }, /duration_b2: expected a base-2 bucket/],
    ["an infinite count", { ...aJob, retries: Number.POSITIVE_INFINITY }, /retries: expected a count/],
    ["a negative count", { ...aJob, retries: -1 }, /retries: expected a count/],
    ["a fractional count", { ...aJob, retries: 1.5 }, /retries: expected a count/],
    ["a negative amount", { ...aJob, ratio: -0.5 }, /ratio: expected a finite number >= 0/],
    ["an unbucketed size", { ...aJob, input_b2: 1000 }, /input_b2: expected a base-2 bucket .* got 1000: pass bucketBase2/],
    ["an unknown enum value", { ...aJob, source: "cron" }, /source: expected one of "manual", "idle", "auto", got "cron"/],
    ["an extra key", { ...aJob, project_path: "/home/me/secret" }, /project_path: is unexpected/],
    ["a string where a number belongs", { ...aJob, retries: "3" }, /retries: Expected number, actual "3"/],
    ["a missing key", { ...aJob, cached: undefined }, /cached/],
    ["not an object", "compaction", /Expected/]
  ]

  for (const [what, payload, message] of invalid) {
    it(`rejects ${what}, reporting the schema's message through the Logger`, () => {
      const logs: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        logs.push(`${logLevel.label}: ${Array.isArray(message) ? message.join(" ") : String(message)}`)
      })
      const result = Effect.runSync(
        Effect.flatMap(Telemetry.makeRecording({ app: Presets.claudeMem, catalog }), (recording) =>
          Effect.map(recording.service.capture(JobFinished, payload as never, { dedupeKey: "k" }), (captured) => ({
            captured,
            sent: recording.events.length
          }))).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      )
      expect(result.captured._tag).toBe("Invalid")
      expect(result.sent).toBe(0)
      expect(result.captured._tag === "Invalid" && result.captured.message).toMatch(message)
      expect(logs.some((line) => line.startsWith("WARN: dropped an invalid live event: job_finished:") && message.test(line))).toBe(true)
    })
  }

  it("rejects every payload with a non-finite, negative or unbucketed number in a b2 field", () => {
    const bad = fc.oneof(
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
      fc.double({ min: 0, max: 1e12, noNaN: true }).filter((value) => Base2.bucketBase2(value) !== value)
    )
    fc.assert(fc.property(validJob, bad, (payload, value) =>
      Either.isLeft(EventCatalog.validate(JobFinished, { ...payload, input_b2: value }))))
  })

  it("rejects any extra key, whatever its value", () => {
    fc.assert(
      fc.property(
        validJob,
        fc.string({ minLength: 1 }).filter((key) => !Object.hasOwn(aJob, key) && key !== "__proto__"),
        fc.jsonValue(),
        (payload, key, value) => Either.isLeft(EventCatalog.validate(JobFinished, { ...payload, [key]: value }))
      )
    )
  })

  it("Base2 accepts exactly what core's bucketBase2 produces", () => {
    // bucketBase2's own properties (monotone, idempotent, power of two or 0, at or above) live in packages/core/test/Base2.test.ts.
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, max: Base2.MAX_BASE2_BUCKET }), (value) => {
      const bucket = Base2.bucketBase2(value)
      return EventCatalog.isBase2Bucket(bucket) && Either.isRight(Schema.decodeUnknownEither(EventCatalog.Base2)(bucket))
    }))
    expect(EventCatalog.isBase2Bucket(1000)).toBe(false)
    expect(EventCatalog.isBase2Bucket(0.5)).toBe(true)
    expect(EventCatalog.isBase2Bucket(0.3)).toBe(false)
    expect(EventCatalog.isBase2Bucket(-0)).toBe(false)
  })
})

describe("EventCatalog definitions", () => {
  it("refuses bad names, $ keys and the backfill's own keys", () => {
    expect(() =>
      EventCatalog.defineEvent({
        name: "Bad Name",
        payload: Schema.Struct({ $ip: Schema.String, backfilled: Schema.Boolean })
      })
    ).toThrow(/must be snake_case[\s\S]*"\$ip" is not a plain key[\s\S]*"backfilled" is reserved/)
    expect(() => EventCatalog.defineCatalog([AppStarted, AppStarted])).toThrow(/app_started is defined twice/)
  })

  it("closedEnumOf ships a core closed enum's keys only", () => {
    const models = ClosedEnum.closedEnum({ buckets: [{ key: "claude", values: ["claude-sonnet-4-5"] }], other: "other" })
    const schema = EventCatalog.closedEnumOf(models)
    expect(Either.isRight(Schema.decodeUnknownEither(schema)("other"))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(schema)("claude-sonnet-4-5"))).toBe(true)
  })

  it("the catalog lists every key it may send", () => {
    expect(EventCatalog.catalogKeys(catalog)).toEqual(["duration_b2", "input_b2", "retries", "ratio", "source", "cached", "plugins"])
  })
})
