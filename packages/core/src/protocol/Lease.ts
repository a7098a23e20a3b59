/**
 * Lock and lease files: who holds one, and when a holder is gone. A lease
 * records the holder's process id, host name, start time and a random token;
 * it is created exclusively, so of several processes that start together one
 * gets it. It is stale, and may be taken over, when its process is gone on
 * this host, or when it is older than a bound well above the longest time a
 * holder can need. The same rule serves the config file's short lock and the
 * backfill's one-sender lease, on every platform: liveness is a fact the
 * shell reads (`process.kill(pid, 0)`), never `/proc`.
 *
 * @since 0.1.0
 */
import { jsonRecordOf } from "./internal/jsonRecord.js"

/**
 * What a lease file says.
 *
 * @since 0.1.0
 * @category models
 */
export interface LeaseRecord {
  readonly pid: number
  readonly host: string
  readonly token: string
  /** When the holder took it, ISO-8601. */
  readonly startedAt: string
}

/**
 * The lease file's text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeLease = (lease: LeaseRecord): string => `${JSON.stringify(lease, null, 2)}\n`

/**
 * Parses a lease file; `undefined` when it is not one.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseLease = (text: string): LeaseRecord | undefined => {
  const record = jsonRecordOf(text)
  if (record === undefined) return undefined
  const { host, pid, startedAt, token } = record
  return typeof pid === "number" && Number.isSafeInteger(pid) && pid > 0 && typeof host === "string" &&
      typeof token === "string" && token !== "" && typeof startedAt === "string" && Number.isFinite(Date.parse(startedAt))
    ? { pid, host, token, startedAt }
    : undefined
}

/**
 * The facts about an existing lease file that decide whether it is stale.
 *
 * @since 0.1.0
 * @category models
 */
export interface LeaseFacts {
  /** The parsed lease, or `undefined` when the file holds no lease. */
  readonly lease: LeaseRecord | undefined
  /** The file's modification time (epoch ms), for a file that holds no lease. */
  readonly modifiedAtMs: number | undefined
  readonly nowMs: number
  /** This process's host name. */
  readonly host: string
  /** Whether the lease's process is alive (only asked on the lease's own host). */
  readonly holderAlive: boolean
  /** Past this age a lease is stale whoever holds it. */
  readonly staleAfterMs: number
}

/**
 * Whether a lease may be taken over:
 *
 * - its process is gone on this host;
 * - or it is older than `staleAfterMs` (a holder on another host, or a
 *   process id reused by an unrelated process, waits that long);
 * - a file that holds no lease (garbage, or a holder's file caught half
 *   written on a file system without hard links) counts by its modification
 *   time against the same bound.
 *
 * A lease dated in the future (the clock went back) is stale only when its
 * process is gone.
 *
 * @since 0.1.0
 * @category leases
 */
export const isLeaseStale = (facts: LeaseFacts): boolean => {
  if (facts.lease === undefined) {
    return facts.modifiedAtMs === undefined || facts.nowMs - facts.modifiedAtMs > facts.staleAfterMs
  }
  if (facts.lease.host === facts.host && !facts.holderAlive) return true
  return facts.nowMs - Date.parse(facts.lease.startedAt) > facts.staleAfterMs
}
