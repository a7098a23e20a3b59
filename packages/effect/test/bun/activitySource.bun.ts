/**
 * Run by ActivitySource.test.ts under Bun: plans from a real file through
 * bun:sqlite (the runtime-selected layer) and prints one JSON line.
 */
import { Presets } from "@posthog-backfill/core"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { ActivitySource } from "../../src/ActivitySource.js"
import * as Backfill from "../../src/Backfill.js"
import * as BunActivitySource from "../../src/BunActivitySource.js"
import * as RuntimeActivitySource from "../../src/RuntimeActivitySource.js"

const file = process.argv[2]!

const program = Effect.gen(function*() {
  yield* TestClock.setTime(Date.parse("2026-06-12T08:00:00Z"))
  const plan = yield* Backfill.plan({ app: Presets.claudeMem, installId: "i" }).pipe(Effect.provide(RuntimeActivitySource.layer(file)))
  const source = yield* Effect.provide(ActivitySource, BunActivitySource.layer({ path: file }))
  const write = yield* Effect.either(source.run({ _tag: "FirstActivityQuery", id: "w", sql: "DELETE FROM observations RETURNING id", params: [], sources: [], floorMs: 0 }))
  const missing = yield* Effect.flip(Effect.scoped(BunActivitySource.open({ path: `${file}.missing` })))
  return {
    runtime: typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "node",
    firstActivityMs: plan.window.installDay === null ? null : Date.parse(`${plan.window.installDay}T09:00:00Z`),
    events: plan.events.length,
    writeRefused: write._tag === "Left",
    missing: missing.reason
  }
})

const result = await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(TestContext.TestContext)))
console.log(JSON.stringify(result))
