// @ts-check
/**
 * The SQLite side of the off-thread activity source: a `node:worker_threads`
 * worker that opens one database file read-only through better-sqlite3 and
 * answers queries, so a scan of a large table never runs on the host's event
 * loop. Plain JavaScript on purpose: the same file runs from `src/` (tests run
 * the TypeScript sources) and from `dist/` (hosts run the built package), and
 * it imports nothing but better-sqlite3 and Node.
 *
 * Protocol (see `NodeActivitySource.layerWorker`):
 * - startup: `workerData = { path, busyTimeoutMs, pragmas, niceness }`; the worker posts
 *   `{ type: "ready" }` or `{ type: "fatal", error }` (then exits);
 * - `{ type: "run", id, sql, params }` -> `{ type: "rows", id, rows, last }` with
 *   the first slice of the result, or `{ type: "error", id, error }`; the host
 *   asks for each further slice with `{ type: "next", id }`. Pulling slices one
 *   at a time keeps every message small and lets the host's event loop run
 *   between them (messages already queued would be delivered in one go);
 * - `{ type: "exec", id, sql }` -> `{ type: "rows", id, rows: [], last: true }`
 *   or `{ type: "error", id, error }`: statements that return nothing (the
 *   `BEGIN` and `COMMIT` of a shared read snapshot);
 * - `{ type: "close" }` -> the connection closes, the worker posts
 *   `{ type: "closed" }` and exits.
 *
 * Errors cross as `{ code, message }` (better-sqlite3's `SqliteError.code`,
 * or `DRIVER_MISSING`), so the host maps them to the same `ActivitySourceError`
 * reasons as an inline connection.
 *
 * @internal
 */
import { createRequire } from "node:module"
import * as os from "node:os"
import { parentPort, workerData } from "node:worker_threads"

/** Rows per message: a few milliseconds of deserialization on the host's side. */
const SLICE = 1000

/** @type {Map<number, { rows: ReadonlyArray<unknown>, offset: number }>} */
const pending = new Map()

/** Posts the next slice of a result; the last one says so and forgets the result. */
const sendSlice = (/** @type {number} */ id) => {
  const result = pending.get(id)
  if (result === undefined) return
  const rows = result.rows.slice(result.offset, result.offset + SLICE)
  result.offset += SLICE
  const last = result.offset >= result.rows.length
  if (last) pending.delete(id)
  post({ type: "rows", id, rows, last })
}

/** @param {unknown} error */
const serialize = (error) => ({
  code: String(/** @type {{ code?: unknown } | null} */ (error)?.code ?? ""),
  message: error instanceof Error ? error.message : String(error)
})

/** @param {unknown} message */
const post = (message) => parentPort?.postMessage(message)

/**
 * Lowers this thread's CPU priority (and that of the sorter threads SQLite
 * starts from it, which inherit it) on Linux, where a nice value belongs to a
 * thread: when the host and the scan compete for a core, the host's own
 * threads go first, and when nothing competes the scan runs at full speed.
 * Elsewhere `setpriority` would lower the whole process, the host included, so
 * nothing is changed.
 */
const lowerPriority = (/** @type {number} */ niceness) => {
  if (process.platform !== "linux" || niceness <= 0) return
  try {
    os.setPriority(0, Math.min(19, os.getPriority(0) + niceness))
  } catch {
    // Not allowed here: run at the host's priority.
  }
}

const main = async () => {
  const { busyTimeoutMs, niceness, path, pragmas } = /** @type {{ path: string, busyTimeoutMs: number, niceness: number, pragmas: ReadonlyArray<string> }} */ (workerData)
  lowerPriority(niceness ?? 0)
  /** @type {new (path: string, options: object) => import("better-sqlite3").Database} */
  let Driver
  try {
    // require, not import(): better-sqlite3 is CommonJS, and going through the ESM loader
    // (which parses its source for named exports) costs a worker ~10 ms more to start.
    Driver = createRequire(import.meta.url)("better-sqlite3")
  } catch (error) {
    post({ type: "fatal", error: { code: "DRIVER_MISSING", message: serialize(error).message } })
    return
  }
  /** @type {import("better-sqlite3").Database} */
  let db
  try {
    db = new Driver(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs })
    try {
      // Probe: a missing or non-SQLite file fails here, not at the first query.
      db.prepare("SELECT count(*) FROM sqlite_master").all()
      for (const pragma of pragmas) db.pragma(pragma)
    } catch (error) {
      db.close()
      throw error
    }
  } catch (error) {
    post({ type: "fatal", error: serialize(error) })
    return
  }
  /**
   * Statements by SQL: the chunks of a table are one statement with other
   * bounds, prepared once.
   *
   * @type {Map<string, import("better-sqlite3").Statement>}
   */
  const statements = new Map()
  const prepared = (/** @type {string} */ sql) => {
    let statement = statements.get(sql)
    if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)))
    return statement
  }
  parentPort?.on("message", (/** @type {{ type: string, id?: number, sql?: string, params?: ReadonlyArray<unknown> }} */ message) => {
    if (message.type === "close") {
      db.close()
      // The host may go on as soon as the file is closed; the thread ends by itself.
      post({ type: "closed" })
      parentPort?.close()
      return
    }
    const id = /** @type {number} */ (message.id)
    if (message.type === "next") return sendSlice(id)
    if (message.type === "exec") {
      try {
        db.exec(/** @type {string} */ (message.sql))
      } catch (error) {
        post({ type: "error", id, error: serialize(error) })
        return
      }
      post({ type: "rows", id, rows: [], last: true })
      return
    }
    if (message.type !== "run") return
    try {
      pending.set(id, { rows: prepared(/** @type {string} */ (message.sql)).all(...(message.params ?? [])), offset: 0 })
    } catch (error) {
      post({ type: "error", id, error: serialize(error) })
      return
    }
    sendSlice(id)
  })
  post({ type: "ready" })
}

void main()
