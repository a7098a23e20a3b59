/**
 * The SQLite side of the off-thread activity source: a `node:worker_threads`
 * worker that opens one database file read-only through better-sqlite3 and
 * answers queries, so a scan of a large table never runs on the host's event
 * loop.
 *
 * The worker is started from source text (`new Worker(WORKER_SOURCE, { eval:
 * true })`), not from a file beside this module: a host bundled with esbuild,
 * Vite or webpack, or packed into an Electron app, has no such file, but it
 * always has this module's code. So `workerMain` is self-contained: it reads
 * nothing of this module's scope, only its arguments (`require`, the thread's
 * `workerData` and port) and globals, and the driver is loaded from the path
 * the host thread resolved (`workerData.driverPath`).
 *
 * Protocol (see `NodeActivitySource.layerWorker`):
 * - startup: `workerData = { path, busyTimeoutMs, pragmas, niceness, driverPath }`;
 *   the worker posts `{ type: "ready" }` or `{ type: "fatal", error }` (then exits);
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

/** What the worker is started with. @internal */
export interface WorkerData {
  readonly path: string
  readonly busyTimeoutMs: number
  readonly pragmas: ReadonlyArray<string>
  readonly niceness: number
  /** better-sqlite3's entry, resolved on the host's thread (`require.resolve`). */
  readonly driverPath: string
}

interface Port {
  postMessage(message: unknown): void
  on(event: "message", listener: (message: { type: string; id?: number; sql?: string; params?: ReadonlyArray<unknown> }) => void): void
  close(): void
}

interface Statement {
  all(...params: ReadonlyArray<unknown>): ReadonlyArray<unknown>
}

interface Database {
  prepare(sql: string): Statement
  pragma(pragma: string): unknown
  exec(sql: string): unknown
  close(): unknown
}

/**
 * The worker's whole program. Runs inside the worker thread from its source
 * text: it must not refer to anything outside itself.
 *
 * @internal
 */
export const workerMain = (require: (id: string) => unknown, workerData: WorkerData, parentPort: Port): void => {
  /** Rows per message: a few milliseconds of deserialization on the host's side. */
  const SLICE = 1000
  const pending = new Map<number, { readonly rows: ReadonlyArray<unknown>; offset: number }>()
  const post = (message: unknown) => parentPort.postMessage(message)
  const serialize = (error: unknown) => ({
    code: String((error as { code?: unknown } | null)?.code ?? ""),
    message: error instanceof Error ? error.message : String(error)
  })
  /** Posts the next slice of a result; the last one says so and forgets the result. */
  const sendSlice = (id: number) => {
    const result = pending.get(id)
    if (result === undefined) return
    const rows = result.rows.slice(result.offset, result.offset + SLICE)
    result.offset += SLICE
    const last = result.offset >= result.rows.length
    if (last) pending.delete(id)
    post({ type: "rows", id, rows, last })
  }
  // On Linux a nice value belongs to a thread: when the host and the scan compete for a core,
  // the host's own threads go first (and SQLite's sorter threads, started from this one,
  // inherit it). Elsewhere it would lower the whole process, the host included: left alone.
  const os = require("node:os") as { setPriority(pid: number, priority: number): void; getPriority(pid: number): number }
  if (process.platform === "linux" && workerData.niceness > 0) {
    try {
      os.setPriority(0, Math.min(19, os.getPriority(0) + workerData.niceness))
    } catch {
      // Not allowed here: run at the host's priority.
    }
  }
  let Driver: new (path: string, options: object) => Database
  try {
    // require, not import(): better-sqlite3 is CommonJS, and going through the ESM loader
    // (which parses its source for named exports) costs a worker ~10 ms more to start.
    Driver = require(workerData.driverPath) as typeof Driver
  } catch (error) {
    post({ type: "fatal", error: { code: "DRIVER_MISSING", message: serialize(error).message } })
    return
  }
  let db: Database
  try {
    db = new Driver(workerData.path, { readonly: true, fileMustExist: true, timeout: workerData.busyTimeoutMs })
    try {
      // Probe: a missing or non-SQLite file fails here, not at the first query.
      db.prepare("SELECT count(*) FROM sqlite_master").all()
      for (const pragma of workerData.pragmas) db.pragma(pragma)
    } catch (error) {
      db.close()
      throw error
    }
  } catch (error) {
    post({ type: "fatal", error: serialize(error) })
    return
  }
  // Statements by SQL: the chunks of a table are one statement with other bounds, prepared once.
  const statements = new Map<string, Statement>()
  const prepared = (sql: string) => {
    let statement = statements.get(sql)
    if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)))
    return statement
  }
  parentPort.on("message", (message) => {
    if (message.type === "close") {
      db.close()
      // The host may go on as soon as the file is closed; the thread ends by itself.
      post({ type: "closed" })
      parentPort.close()
      return
    }
    const id = message.id as number
    if (message.type === "next") return sendSlice(id)
    if (message.type === "exec") {
      try {
        db.exec(message.sql as string)
      } catch (error) {
        post({ type: "error", id, error: serialize(error) })
        return
      }
      post({ type: "rows", id, rows: [], last: true })
      return
    }
    if (message.type !== "run") return
    try {
      pending.set(id, { rows: prepared(message.sql as string).all(...(message.params ?? [])), offset: 0 })
    } catch (error) {
      post({ type: "error", id, error: serialize(error) })
      return
    }
    sendSlice(id)
  })
  post({ type: "ready" })
}

/**
 * The worker's source text, for `new Worker(WORKER_SOURCE, { eval: true })`.
 *
 * @internal
 */
export const WORKER_SOURCE =
  `"use strict";const __wt = require("node:worker_threads");(${workerMain.toString()})(require, __wt.workerData, __wt.parentPort)`
