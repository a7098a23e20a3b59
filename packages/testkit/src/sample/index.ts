/**
 * A production-like claude-mem sample database: the schema (the current one and
 * an older install's), a pure, seeded, lazy row generator that plants the edge
 * cases the rollups must survive, and a writer over a minimal structural SQLite
 * interface (better-sqlite3's `Database` satisfies it; `bun:sqlite`'s has the
 * same three methods).
 *
 * The CLI demo, the tests and the benchmarks use it. Nothing here reads a
 * clock or `Math.random`: the same options always yield the same rows, and the
 * row iterables can be walked any number of times (each walk regenerates the
 * rows from the seed, so a million observations never sit in memory at once).
 *
 * Edge cases (each one a toggle, all on by default):
 * - legacy second-unit epochs (`created_at_epoch` / `started_at_epoch` < 1e12)
 *   mixed with milliseconds;
 * - backdated artifact observations, dated months before the first session but
 *   belonging to a session late in the history (they must not move the install
 *   day: first activity is sessions-first);
 * - corrupt epochs below the project floor (0, 1970, 2001, 2020, late 2023);
 * - NULL `type` / `project` / `agent_type`, `type` in mixed case padded with
 *   spaces, unknown types (`feature`, `change`), free-form `platform_source`
 *   (`" Codex"`, `"gemini-cli"`, `"GEMINI"`, `"cursor"`, NULL);
 * - `discovery_tokens`: one value per compression turn, written identically to
 *   every observation of the turn and to the turn's summary row (summing
 *   observations multi-counts);
 * - free text carrying sentinels (`SECRET-<n>`, `/home/user/private-project`)
 *   that privacy tests grep for.
 *
 * @since 0.1.0
 */

export * from "./schema.js"
export * from "./rows.js"
export * from "./options.js"
export * from "./generate.js"
export * from "./write.js"
