/**
 * Plans a backfill for the custom notes app over a real SQLite database and
 * prints what would be sent. Run: npx bun examples/custom-spec/main.ts
 */
import { ActivitySource, Backfill } from "@posthog-backfill/effect"
import Database from "better-sqlite3"
import * as Effect from "effect/Effect"
import { notesApp } from "./notesApp.js"

/** A tiny notes database: seconds in `notes` (legacy), milliseconds in `edits`. */
export const makeNotesDb = (): Database.Database => {
  const db = new Database(":memory:")
  db.exec(`
    CREATE TABLE notes (id INTEGER PRIMARY KEY, notebook_id TEXT, title TEXT, body TEXT, format TEXT, pinned_at INTEGER, created_at INTEGER);
    CREATE TABLE edits (id INTEGER PRIMARY KEY, note_id INTEGER, notebook_id TEXT, chars_delta INTEGER, edited_at INTEGER);
  `)
  const note = db.prepare("INSERT INTO notes (notebook_id, title, body, format, pinned_at, created_at) VALUES (?, ?, ?, ?, ?, ?)")
  note.run("work", "Salary negotiation", "private", "Markdown", null, Date.parse("2025-03-01T09:00:00Z") / 1000)
  note.run("home", "Diary", "very private", "org-mode", Date.parse("2025-03-02T10:00:00Z"), Date.parse("2025-03-01T18:00:00Z") / 1000)
  const edit = db.prepare("INSERT INTO edits (note_id, notebook_id, chars_delta, edited_at) VALUES (?, ?, ?, ?)")
  edit.run(1, "work", 120, Date.parse("2025-03-01T09:30:00Z"))
  edit.run(2, "travel", 40, Date.parse("2025-03-03T08:00:00Z"))
  return db
}

export const program = (db: Database.Database) =>
  Backfill.plan({ app: notesApp, installId: "8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a", baseProperties: { version: "2.1.0", os: "linux" } }).pipe(
    Effect.provide(ActivitySource.layerDatabase(db))
  )

if ((import.meta as { main?: boolean }).main) {
  const db = makeNotesDb()
  const plan = await Effect.runPromise(program(db))
  db.close()
  for (const event of plan.events) console.log(event.event, event.timestamp.toISOString(), JSON.stringify(event.properties))
}
