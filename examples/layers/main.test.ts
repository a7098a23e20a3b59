import { it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { expect } from "vitest"
import { program } from "./main.js"

it.live("examples/layers: the live layers send once, then the marker makes it a no-op", () =>
  Effect.gen(function*() {
    const result = yield* program
    expect(result.first).toBe("Sent")
    expect(result.second).toBe("AlreadyDone")
    expect(result.received).toBeGreaterThan(1)
  }))
