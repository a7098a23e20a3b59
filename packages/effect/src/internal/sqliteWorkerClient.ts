/**
 * The host side of the off-thread activity source: starts the worker of
 * `sqliteWorker.ts` from its source text (nothing to find on disk, so a
 * bundled host starts it too) and turns its messages into Promises.
 *
 * @internal
 */
import { type Query } from "@posthog-backfill/core"
import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"
import { BEGIN, END, FIRST_READ } from "./readTransaction.js"
import { WORKER_SOURCE, type WorkerData } from "./sqliteWorker.js"

/**
 * better-sqlite3's entry as this thread would load it, for the worker to
 * load the same one; `undefined` when it is not installed.
 *
 * @internal
 */
export const resolveDriver = (): string | undefined => {
  try {
    return createRequire(import.meta.url).resolve("better-sqlite3")
  } catch {
    return undefined
  }
}

/**
 * An error the worker reported (or the worker's own failure), carrying the
 * driver's code so it maps to the same reasons as an inline connection.
 *
 * @internal
 */
export class SqliteWorkerError extends Error {
  override readonly name = "SqliteWorkerError"
  constructor(readonly code: string, message: string) {
    super(message)
  }
}

/** @internal */
export interface SqliteWorkerOptions {
  readonly path: string
  readonly busyTimeoutMs: number
  /** Applied to the worker's connection after it opens (`PRAGMA <each>`). */
  readonly pragmas: ReadonlyArray<string>
  /** How much to lower the worker thread's CPU priority (Linux only; 0 leaves it). */
  readonly niceness: number
  /** `false`: the thread does not hold the host's process open. */
  readonly keepAlive: boolean
}

/** @internal */
export interface SqliteWorker {
  readonly all: (sql: string, params: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Query.Row>>
  /** Runs statements that return nothing (`BEGIN`, `ROLLBACK`); a pool runs them on any one worker. */
  readonly exec: (sql: string) => Promise<void>
  /**
   * Pins one read snapshot on every connection until `release` (see
   * {@link beginSharedSnapshot}); `aligned` says whether all of them read the
   * same one.
   */
  readonly snapshot: () => Promise<SnapshotLease>
  /** Closes the connection and ends the thread (idempotent). */
  readonly close: () => Promise<void>
  /** The worker's thread id (tests check the queries ran off the calling thread). */
  readonly threadId: number
}

/** @internal */
export interface SnapshotLease {
  /** Every connection reads the same snapshot of the file. */
  readonly aligned: boolean
  /** Ends the read transactions (never rejects). */
  readonly release: () => Promise<void>
}

type Incoming =
  | { readonly type: "ready" }
  | { readonly type: "closed" }
  | { readonly type: "fatal"; readonly error: { readonly code: string; readonly message: string } }
  | { readonly type: "rows"; readonly id: number; readonly rows: ReadonlyArray<Query.Row>; readonly last: boolean }
  | { readonly type: "error"; readonly id: number; readonly error: { readonly code: string; readonly message: string } }

interface Pending {
  readonly rows: Array<Query.Row>
  readonly resolve: (rows: ReadonlyArray<Query.Row>) => void
  readonly reject: (error: SqliteWorkerError) => void
}

/**
 * Starts a worker on the file and waits until it has opened and probed it.
 * Rejects with the worker's error (file missing, not SQLite, locked, driver
 * missing) and leaves no thread behind.
 *
 * @internal
 */
export const startSqliteWorker = (options: SqliteWorkerOptions): Promise<SqliteWorker> =>
  new Promise((resolveStart, rejectStart) => {
    const driverPath = resolveDriver()
    if (driverPath === undefined) {
      rejectStart(new SqliteWorkerError("DRIVER_MISSING", "Cannot find package 'better-sqlite3'"))
      return
    }
    let worker: Worker
    try {
      const workerData: WorkerData = {
        path: options.path,
        busyTimeoutMs: options.busyTimeoutMs,
        pragmas: [...options.pragmas],
        niceness: options.niceness,
        driverPath
      }
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData })
    } catch (cause) {
      rejectStart(
        new SqliteWorkerError(
          "WORKER_START",
          `could not start the SQLite worker thread (${cause instanceof Error ? cause.message : String(cause)})`
        )
      )
      return
    }
    const pending = new Map<number, Pending>()
    let nextId = 1
    let started = false
    let closed: Promise<void> | undefined
    let onClosed: (() => void) | undefined
    let gone: SqliteWorkerError | undefined

    const failAll = (error: SqliteWorkerError) => {
      gone ??= error
      for (const request of pending.values()) request.reject(error)
      pending.clear()
      if (!started) rejectStart(error)
    }

    worker.on("message", (message: Incoming) => {
      switch (message.type) {
        case "ready": {
          started = true
          resolveStart(client)
          return
        }
        case "closed": {
          onClosed?.()
          return
        }
        case "fatal": {
          failAll(new SqliteWorkerError(message.error.code, message.error.message))
          return
        }
        case "rows": {
          const request = pending.get(message.id)
          if (request === undefined) return
          for (const row of message.rows) request.rows.push(row)
          if (message.last) {
            pending.delete(message.id)
            request.resolve(request.rows)
          } else {
            // Pull the next slice only now: the event loop gets a turn between slices.
            worker.postMessage({ type: "next", id: message.id })
          }
          return
        }
        case "error": {
          const request = pending.get(message.id)
          pending.delete(message.id)
          request?.reject(new SqliteWorkerError(message.error.code, message.error.message))
          return
        }
      }
    })
    worker.on("error", (error) =>
      failAll(new SqliteWorkerError("WORKER_ERROR", `the SQLite worker thread failed: ${error.message}`)))
    worker.on("exit", (code) => {
      if (closed === undefined || pending.size > 0 || !started) {
        failAll(new SqliteWorkerError("WORKER_EXIT", `the SQLite worker thread exited unexpectedly (code ${code})`))
      }
    })
    // After the listeners: adding a "message" listener refs the thread's port again.
    if (!options.keepAlive) worker.unref()

    const request = (message: { readonly type: "run" | "exec"; readonly sql: string; readonly params?: ReadonlyArray<unknown> }) =>
      new Promise<ReadonlyArray<Query.Row>>((resolve, reject) => {
        if (gone !== undefined || closed !== undefined) {
          reject(gone ?? new SqliteWorkerError("WORKER_CLOSED", "the SQLite worker thread is closed"))
          return
        }
        const id = nextId++
        pending.set(id, { rows: [], resolve, reject })
        worker.postMessage({ ...message, id })
      })

    const client: SqliteWorker = {
      threadId: worker.threadId,
      all: (sql, params) => request({ type: "run", sql, params: [...params] }),
      exec: (sql) => request({ type: "exec", sql }).then(() => undefined),
      snapshot: () => pinSharedSnapshot([client]),
      close: () =>
        (closed ??= new Promise<void>((resolve) => {
          if (gone !== undefined) {
            void worker.terminate().then(() => resolve(), () => resolve())
            return
          }
          // Let the worker close its connection and end by itself; terminate if it does not.
          // Done once the file is closed: the thread's own teardown need not hold the host.
          const timer = setTimeout(() => void worker.terminate(), 2000)
          if (!options.keepAlive) timer.unref()
          const done = () => {
            clearTimeout(timer)
            resolve()
          }
          onClosed = done
          worker.once("exit", done)
          worker.postMessage({ type: "close" })
        }))
    }
  })

/** Begins a read transaction and takes its snapshot (see `readTransaction.ts`). */
const BEGIN_READ = `${BEGIN}; ${FIRST_READ}`

/** Attempts at pinning one snapshot on every connection before giving up. */
const SNAPSHOT_ATTEMPTS = 3

const dataVersion = async (worker: SqliteWorker): Promise<unknown> =>
  (await worker.all("PRAGMA data_version", []))[0]?.["data_version"]

const endRead = (workers: ReadonlyArray<SqliteWorker>): Promise<void> =>
  Promise.all(workers.map((worker) => worker.exec(END).catch(() => undefined))).then(() => undefined)

/**
 * Starts a read transaction on every worker and tells whether they all read
 * the same snapshot. SQLite cannot hand one snapshot to several connections,
 * so this checks instead: the last worker reads `PRAGMA data_version` (it
 * changes when another connection commits) before the others begin and again
 * after its own transaction began, which is after all of theirs. Equal values
 * mean nothing was committed between the first transaction and the last: all
 * of them read the same state. Unequal values end every transaction and
 * return `false` (the caller may try again).
 *
 * @internal
 */
export const beginSharedSnapshot = async (workers: ReadonlyArray<SqliteWorker>): Promise<boolean> => {
  const observer = workers.at(-1)
  if (observer === undefined) return true
  try {
    const before = await dataVersion(observer)
    await Promise.all(workers.slice(0, -1).map((worker) => worker.exec(BEGIN_READ)))
    await observer.exec(BEGIN_READ)
    if ((await dataVersion(observer)) === before) return true
  } catch (error) {
    await endRead(workers)
    throw error
  }
  await endRead(workers)
  return false
}

/**
 * Pins one snapshot on every worker, trying a few times while the host app
 * commits; a lease that is not aligned holds no transaction.
 *
 * @internal
 */
export const pinSharedSnapshot = async (workers: ReadonlyArray<SqliteWorker>): Promise<SnapshotLease> => {
  for (let attempt = 1; attempt <= SNAPSHOT_ATTEMPTS; attempt++) {
    if (await beginSharedSnapshot(workers)) return { aligned: true, release: () => endRead(workers) }
  }
  return { aligned: false, release: () => Promise.resolve() }
}

/**
 * Queries each worker holds at once: the one it runs and the next, already in
 * its message queue, so it starts the next scan the moment it posts a result
 * instead of waiting a round trip for the host to send it.
 */
const QUERIES_PER_WORKER = 2

/**
 * Starts `size` workers on the same file and spreads queries over them: a
 * query waits in one queue and goes to the first worker with a free slot (two
 * per worker; every worker's first slot is handed out before any second one),
 * so a long scan of one table never delays the others. Rejects (and leaves no thread behind) when any worker cannot
 * open the file.
 *
 * @internal
 */
export const startSqliteWorkerPool = async (options: SqliteWorkerOptions, size: number): Promise<SqliteWorker> => {
  const started = await Promise.allSettled(Array.from({ length: Math.max(1, size) }, () => startSqliteWorker(options)))
  const workers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []))
  const failed = started.find((result): result is PromiseRejectedResult => result.status === "rejected")
  if (failed !== undefined) {
    await Promise.all(workers.map((worker) => worker.close()))
    throw failed.reason
  }
  if (workers.length === 1) return workers[0]!
  // A worker appears once per free slot; every worker's first slot comes before any second one.
  const slots = Array.from({ length: QUERIES_PER_WORKER }, () => workers).flat()
  const idle = [...slots]
  const queue: Array<() => void> = []
  const release = (worker: SqliteWorker) => {
    idle.push(worker)
    queue.shift()?.()
  }
  const acquire = (): Promise<SqliteWorker> =>
    new Promise((resolve) => {
      const take = () => resolve(idle.shift()!)
      if (idle.length > 0) take()
      else queue.push(take)
    })
  /** Every slot of every worker: a snapshot begins and ends with no query running. */
  const exclusively = async <A>(f: () => Promise<A>): Promise<A> => {
    const held = await Promise.all(slots.map(acquire))
    try {
      return await f()
    } finally {
      held.forEach(release)
    }
  }
  const on = async <A>(f: (worker: SqliteWorker) => Promise<A>): Promise<A> => {
    const worker = await acquire()
    try {
      return await f(worker)
    } finally {
      release(worker)
    }
  }
  return {
    threadId: workers[0]!.threadId,
    all: (sql, params) => on((worker) => worker.all(sql, params)),
    exec: (sql) => on((worker) => worker.exec(sql)),
    snapshot: () =>
      exclusively(async () => {
        const lease = await pinSharedSnapshot(workers)
        return { aligned: lease.aligned, release: () => exclusively(lease.release) }
      }),
    close: async () => {
      await Promise.all(workers.map((worker) => worker.close()))
    }
  }
}
