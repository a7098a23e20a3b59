/**
 * Lease files across processes: `tryAcquire` creates the file exclusively
 * with this process's id, host, start time and a random token (the core's
 * `Lease` record), or reports who holds it. A stale lease (its process gone on
 * this host, or older than a bound) is taken over atomically: only the
 * process that also creates the takeover file beside it (exclusively) may
 * replace it, and only while it still holds the stale token it judged.
 * `release` removes the file only when it still holds the caller's token.
 *
 * Liveness is `process.kill(pid, 0)` (no signal is sent): the same on Linux,
 * macOS and Windows. Ages are measured on the real wall clock, not Effect's
 * `Clock`: a lease is about how long another process has really held it, the
 * same for every process whatever time a host pretends it is (a `TestClock`,
 * the CLI's `--now`).
 *
 * @internal
 */
import { Lease } from "@posthog-backfill/core"
import * as Effect from "effect/Effect"
import * as os from "node:os"
import { createExclusive, modifiedAtMs, readText, remove, type StateFileError, writeAtomic } from "./stateFile.js"

/** @internal */
export type Acquired = { readonly _tag: "Acquired"; readonly lease: Lease.LeaseRecord }

/** @internal */
export type Held = { readonly _tag: "Held"; readonly holder: Lease.LeaseRecord | undefined }

/**
 * Whether a process with this id runs on this machine: `kill(pid, 0)`
 * succeeds, or is refused for permission (it exists but belongs to another
 * user).
 *
 * @internal
 */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM"
  }
}

const ownRecord = Effect.sync((): Lease.LeaseRecord => ({
  pid: process.pid,
  host: os.hostname(),
  token: globalThis.crypto.randomUUID(),
  startedAt: new Date(Date.now()).toISOString()
}))

/** What the file at `path` holds now: its text (if any) and the lease in it (if any). */
const readHolder = (path: string) =>
  Effect.map(readText(path), (text) => ({ text, lease: text === undefined ? undefined : Lease.parseLease(text) }))

const isStale = (path: string, lease: Lease.LeaseRecord | undefined, staleAfterMs: number) =>
  Effect.gen(function*() {
    const nowMs = Date.now()
    return Lease.isLeaseStale({
      lease,
      modifiedAtMs: lease === undefined ? yield* modifiedAtMs(path) : undefined,
      nowMs,
      host: os.hostname(),
      holderAlive: lease !== undefined && isProcessAlive(lease.pid),
      staleAfterMs
    })
  })

/**
 * Takes the lease at `path`, or says who holds it. `staleAfterMs` bounds how
 * long a lease may be held by a process that cannot be seen (another host, a
 * reused pid).
 *
 * @internal
 */
export const tryAcquire = (path: string, staleAfterMs: number): Effect.Effect<Acquired | Held, StateFileError> =>
  Effect.gen(function*() {
    const own = yield* ownRecord
    if (yield* createExclusive(path, Lease.encodeLease(own))) return { _tag: "Acquired", lease: own } as const
    const seen = yield* readHolder(path)
    if (seen.text === undefined) {
      // Released between our attempt and the read: try once more.
      if (yield* createExclusive(path, Lease.encodeLease(own))) return { _tag: "Acquired", lease: own } as const
      return { _tag: "Held", holder: (yield* readHolder(path)).lease } as const
    }
    if (!(yield* isStale(path, seen.lease, staleAfterMs))) return { _tag: "Held", holder: seen.lease } as const
    return yield* takeOver(path, seen.text, own, staleAfterMs)
  })

/**
 * Replaces a stale lease, holding the takeover file so that of several
 * processes that judged the same lease stale only one replaces it.
 */
const takeOver = (path: string, staleText: string, own: Lease.LeaseRecord, staleAfterMs: number) =>
  Effect.gen(function*() {
    const takeoverPath = `${path}.takeover`
    if (!(yield* createExclusive(takeoverPath, Lease.encodeLease(own)))) {
      // Another process is taking over. Its takeover file is stale only if it died doing so.
      const other = yield* readHolder(takeoverPath)
      if (other.text !== undefined && (yield* isStale(takeoverPath, other.lease, staleAfterMs))) {
        yield* remove(takeoverPath)
      }
      return { _tag: "Held", holder: (yield* readHolder(path)).lease } as const
    }
    return yield* Effect.gen(function*() {
      const now = yield* readHolder(path)
      if (now.text !== staleText) return { _tag: "Held", holder: now.lease } as const
      yield* writeAtomic(path, Lease.encodeLease(own))
      return { _tag: "Acquired", lease: own } as const
    }).pipe(Effect.ensuring(Effect.ignore(remove(takeoverPath))))
  })

/**
 * Removes the lease at `path` when it still holds `lease`'s token (a lease
 * taken over meanwhile is left to its new holder).
 *
 * @internal
 */
export const release = (path: string, lease: Lease.LeaseRecord): Effect.Effect<void, StateFileError> =>
  Effect.flatMap(readHolder(path), (now) => (now.lease?.token === lease.token ? remove(path) : Effect.void))

/**
 * Who holds the lease at `path` now and whether it is stale, or `undefined`
 * when there is no lease file. Takes nothing.
 *
 * @internal
 */
export const peek = (
  path: string,
  staleAfterMs: number
): Effect.Effect<{ readonly holder: Lease.LeaseRecord | undefined; readonly stale: boolean } | undefined, StateFileError> =>
  Effect.flatMap(readHolder(path), (seen) =>
    seen.text === undefined
      ? Effect.succeed(undefined)
      : Effect.map(isStale(path, seen.lease, staleAfterMs), (stale) => ({ holder: seen.lease, stale })))
