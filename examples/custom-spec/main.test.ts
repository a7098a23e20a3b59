import { it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { expect } from "vitest"
import { makeNotesDb, program } from "./main.js"

it.effect("examples/custom-spec: a custom app's spec rolls up its own tables into per-day counters", () =>
  Effect.gen(function*() {
    yield* TestClock.setTime(Date.parse("2025-04-01T00:00:00Z"))
    const db = makeNotesDb()
    const plan = yield* program(db)
    db.close()
    expect(plan.window).toEqual({ installDay: "2025-03-01", lastFullDay: "2025-03-29" })
    expect(plan.rollups).toEqual([
      {
        day: "2025-03-01",
        counters: {
          notes_created_count: 2,
          notes_pinned_count: 1,
          notes_markdown_count: 1,
          notes_plain_count: 0,
          notes_other_format_count: 1,
          edit_count: 1,
          chars_changed: 120,
          notebook_count: 2
        }
      },
      { day: "2025-03-03", counters: { edit_count: 1, chars_changed: 40, notebook_count: 1 } }
    ])
    expect(JSON.stringify(plan.events)).not.toMatch(/Salary|Diary|private|work|home|travel|org-mode/)
  }))
