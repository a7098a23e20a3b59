/**
 * Writing a rollup spec for your own app: a note-taking CLI that keeps
 * `notes`, `edits` and `tags` tables. Everything here is declarative; the core
 * compiles it into SQLite aggregates, and only counts ever leave the machine
 * (never a note's title or body, never a tag's name).
 */
import { BackfillApp, ClosedEnum, RollupSpec } from "@posthog-backfill/core"

export const notesApp = BackfillApp.defineBackfillApp({
  name: "notes-cli",
  spec: {
    tables: [
      {
        table: "notes",
        timeColumn: "created_at", // seconds or milliseconds: both are normalized per row
        metrics: [
          RollupSpec.count("notes_created_count"),
          RollupSpec.countNotNull("notes_pinned_count", "pinned_at"),
          // `format` is free text written by plugins: bucket it into a closed enum in code.
          RollupSpec.buckets(
            "format",
            ClosedEnum.closedEnum({
              buckets: [
                { key: "notes_markdown_count", values: ["markdown", "md"] },
                { key: "notes_plain_count", values: ["plain", "txt"] }
              ],
              other: "notes_other_format_count"
            })
          )
        ]
      },
      {
        table: "edits",
        timeColumn: "edited_at",
        metrics: [RollupSpec.count("edit_count"), RollupSpec.sum("chars_changed", "chars_delta")]
      }
    ],
    // "How many distinct notebooks were touched that day", over notes and edits together.
    distinctCounts: [
      {
        key: "notebook_count",
        sources: [
          { table: "notes", timeColumn: "created_at", column: "notebook_id" },
          { table: "edits", timeColumn: "edited_at", column: "notebook_id" }
        ]
      }
    ],
    // The first note is the install; edits only if there is no note at all.
    firstActivity: [
      { table: "notes", timeColumn: "created_at" },
      { table: "edits", timeColumn: "edited_at" }
    ]
  },
  // Generate yours once (any v4/v5 UUID) and never change it: it keys every event uuid.
  namespace: "6e1f0c2a-9b4d-5c3e-8f7a-2d1b0e9c8a76",
  baseProperties: { version: "string", os: "string" },
  personPropertyKeys: ["version", "os", "first_active_date"],
  consentEnvPrefix: "NOTES_CLI_TELEMETRY",
  defaultPaths: { dataDir: ".notes-cli", database: ".notes-cli/notes.db" }
})
