/**
 * Part of the claude-mem sample generator (see `index.ts`).
 *
 * @since 0.1.0
 */
import { generateClaudeMemRows } from "./generate.js"
import { type ClaudeMemResolvedOptions, type ClaudeMemSampleOptions } from "./options.js"
import { type ClaudeMemRowCounts } from "./rows.js"
import { type ClaudeMemSchemaVersion, indexesDdl, tablesDdl } from "./schema.js"

// ---------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------

/**
 * A value bound to a SQLite parameter by the writer.
 *
 * @since 0.1.0
 * @category writer
 */
export type ClaudeMemSqlValue = string | number | null

/**
 * The prepared statement the writer needs: `run` with positional parameters
 * (the writer passes {@link ClaudeMemSqlValue}s). The parameters are typed
 * `never` so that any driver's statement is assignable, whatever its own
 * parameter typing (better-sqlite3's `prepare` returns a union of statement
 * types, one of which takes a single named-parameter object).
 *
 * @since 0.1.0
 * @category writer
 */
export interface ClaudeMemSampleStatement {
  run(...params: Array<never>): unknown
}

/**
 * The minimal structural SQLite connection the writer needs. better-sqlite3's
 * `Database` satisfies it as is (and so does `bun:sqlite`'s): this module
 * imports no driver, the caller opens the file.
 *
 * @since 0.1.0
 * @category writer
 */
export interface ClaudeMemSampleDatabase {
  exec(sql: string): unknown
  prepare(sql: string): ClaudeMemSampleStatement
  transaction(fn: () => void): () => unknown
}

/**
 * Options of {@link writeClaudeMemSample}: the sample's options plus how to write.
 *
 * @since 0.1.0
 * @category writer
 */
export interface WriteClaudeMemSampleOptions extends ClaudeMemSampleOptions {
  /** rows per transaction. Default `10_000`. */
  readonly batchSize?: number | undefined
  /**
   * Run with `PRAGMA synchronous = OFF` while writing (restored to `FULL`, the
   * SQLite default, at the end). Default `true`.
   */
  readonly fastPragmas?: boolean | undefined
}

/**
 * What {@link writeClaudeMemSample} wrote.
 *
 * @since 0.1.0
 * @category writer
 */
export interface ClaudeMemSampleSummary {
  readonly schema: ClaudeMemSchemaVersion
  /** rows inserted per table */
  readonly rows: ClaudeMemRowCounts
  readonly span: { readonly firstDay: string; readonly lastDay: string }
  readonly firstActivityMs: number | null
  readonly firstActivityDay: string | null
  readonly backdatedArtifactEpochsMs: ReadonlyArray<number>
  readonly corruptCounts: ClaudeMemRowCounts
  readonly options: ClaudeMemResolvedOptions
}

export const insertAll = <R>(
  db: ClaudeMemSampleDatabase,
  sql: string,
  rows: Iterable<R>,
  params: (row: R) => Array<ClaudeMemSqlValue>,
  batchSize: number
): number => {
  const statement = db.prepare(sql)
  let batch: Array<R> = []
  const flush = db.transaction(() => {
    for (const row of batch) statement.run(...(params(row) as Array<never>))
  })
  let written = 0
  for (const row of rows) {
    batch.push(row)
    if (batch.length >= batchSize) {
      flush()
      written += batch.length
      batch = []
    }
  }
  if (batch.length > 0) {
    flush()
    written += batch.length
  }
  return written
}

export const insertSql = (table: string, columns: ReadonlyArray<string>): string =>
  `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`

/**
 * Creates the schema of `options.schema` on `db` (expected empty) and inserts
 * the generated rows: prepared statements, one transaction per `batchSize`
 * rows, indexes created after the data. Memory stays flat whatever the size.
 *
 * @since 0.1.0
 * @category writer
 */
export const writeClaudeMemSample = (
  db: ClaudeMemSampleDatabase,
  options: WriteClaudeMemSampleOptions = {}
): ClaudeMemSampleSummary => {
  const batchSize = options.batchSize ?? 10_000
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`ClaudeMemSample: option batchSize must be a positive integer, got ${String(batchSize)}`)
  }
  const sample = generateClaudeMemRows(options)
  const current = sample.schema === "current"
  const fast = options.fastPragmas ?? true
  if (fast) db.exec("PRAGMA synchronous = OFF")
  try {
    db.exec(tablesDdl(sample.schema))
    const sessions = insertAll(
      db,
      insertSql("sdk_sessions", [
        "id",
        "content_session_id",
        "memory_session_id",
        "project",
        "user_prompt",
        "started_at",
        "started_at_epoch",
        "completed_at",
        "completed_at_epoch",
        "status",
        ...(current ? ["platform_source"] : [])
      ]),
      sample.sdk_sessions,
      (r) => {
        const values: Array<ClaudeMemSqlValue> = [
          r.id,
          r.content_session_id,
          r.memory_session_id,
          r.project,
          r.user_prompt,
          r.started_at,
          r.started_at_epoch,
          r.completed_at,
          r.completed_at_epoch,
          r.status
        ]
        if (current) values.push(r.platform_source ?? null)
        return values
      },
      batchSize
    )
    const observations = insertAll(
      db,
      insertSql("observations", [
        "id",
        "memory_session_id",
        "project",
        "text",
        "type",
        "title",
        "subtitle",
        "facts",
        "narrative",
        "concepts",
        "files_read",
        "files_modified",
        "prompt_number",
        ...(current ? ["discovery_tokens", "agent_type"] : []),
        "created_at",
        "created_at_epoch"
      ]),
      sample.observations,
      (r) =>
        current
          ? [
            r.id,
            r.memory_session_id,
            r.project,
            r.text,
            r.type,
            r.title,
            r.subtitle,
            r.facts,
            r.narrative,
            r.concepts,
            r.files_read,
            r.files_modified,
            r.prompt_number,
            r.discovery_tokens ?? null,
            r.agent_type ?? null,
            r.created_at,
            r.created_at_epoch
          ]
          : [
            r.id,
            r.memory_session_id,
            r.project,
            r.text,
            r.type,
            r.title,
            r.subtitle,
            r.facts,
            r.narrative,
            r.concepts,
            r.files_read,
            r.files_modified,
            r.prompt_number,
            r.created_at,
            r.created_at_epoch
          ],
      batchSize
    )
    const summaries = insertAll(
      db,
      insertSql("session_summaries", [
        "id",
        "memory_session_id",
        "project",
        "request",
        "investigated",
        "learned",
        "completed",
        "next_steps",
        "notes",
        "prompt_number",
        ...(current ? ["discovery_tokens"] : []),
        "created_at",
        "created_at_epoch"
      ]),
      sample.session_summaries,
      (r) => {
        const values: Array<ClaudeMemSqlValue> = [
          r.id,
          r.memory_session_id,
          r.project,
          r.request,
          r.investigated,
          r.learned,
          r.completed,
          r.next_steps,
          r.notes,
          r.prompt_number
        ]
        if (current) values.push(r.discovery_tokens ?? null)
        values.push(r.created_at, r.created_at_epoch)
        return values
      },
      batchSize
    )
    const prompts = current
      ? insertAll(
        db,
        insertSql("user_prompts", [
          "id",
          "content_session_id",
          "prompt_number",
          "prompt_text",
          "created_at",
          "created_at_epoch"
        ]),
        sample.user_prompts,
        (r) => [r.id, r.content_session_id, r.prompt_number, r.prompt_text, r.created_at, r.created_at_epoch],
        batchSize
      )
      : 0
    db.exec(indexesDdl(sample.schema))
    return {
      schema: sample.schema,
      rows: { sdk_sessions: sessions, observations, session_summaries: summaries, user_prompts: prompts },
      span: sample.span,
      firstActivityMs: sample.firstActivityMs,
      firstActivityDay: sample.firstActivityDay,
      backdatedArtifactEpochsMs: sample.backdatedArtifactEpochsMs,
      corruptCounts: sample.corruptCounts,
      options: sample.options
    }
  } finally {
    if (fast) db.exec("PRAGMA synchronous = FULL")
  }
}
