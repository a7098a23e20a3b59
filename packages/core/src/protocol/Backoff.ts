/**
 * Backoff after a failed delivery: the attempt record kept in the data dir
 * (`backfill.attempts.json`) and when the next attempt may start. Capped
 * exponential with jitter: 1 h after the first failure, doubling to 7 days;
 * an answer that retrying cannot change (a 400, 401, 403 or 404: a bad key, a
 * rejected batch, a wrong host) waits the cap at once. The jitter is derived
 * from the install id and the attempt number, so the record is reproducible
 * and a fleet that failed together does not retry together.
 *
 * @since 0.1.0
 */
import { uuidPoint } from "../events/EventId.js"
import { asRecord, isCount, jsonRecordOf } from "./internal/jsonRecord.js"

/**
 * Whether a failure can pass by itself (a network error, a timeout, a 5xx, a
 * 429) or not (the server refused the request as it is).
 *
 * @since 0.1.0
 * @category models
 */
export type FailureClass = "Retriable" | "NonRetriable"

/**
 * A failed delivery, as the record keeps it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  /** When the attempt ran (ISO-8601). */
  readonly at: string
  readonly class: FailureClass
  /** One line: why it failed. */
  readonly error: string
}

/**
 * What the data dir remembers between attempts: when the next one may start,
 * and why. With `attempts` 0 the send is only scheduled (the rollout's
 * spread); after a failed delivery it counts the failures and keeps the last.
 *
 * @since 0.1.0
 * @category models
 */
export interface AttemptRecord {
  /** Failed deliveries so far (since the last success); 0 while only scheduled. */
  readonly attempts: number
  /** No attempt starts before this instant (ISO-8601). */
  readonly nextEligibleAt: string
  /** The last failure; absent while only scheduled. */
  readonly lastFailure?: Failure | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BackoffPolicy {
  /** The wait after the first failure. */
  readonly baseMs: number
  /** The longest wait, and the wait after a non-retriable answer. */
  readonly capMs: number
}

/**
 * 1 h doubling to 7 days.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 3_600_000, capMs: 7 * 86_400_000 }

/**
 * Statuses retrying cannot change (a 413 is not one: the client halves the batch).
 *
 * @since 0.1.0
 * @category constants
 */
export const NON_RETRIABLE_STATUSES: ReadonlyArray<number> = [400, 401, 403, 404]

/**
 * The class of a failure from the statuses the server answered (none: the
 * network failed or timed out).
 *
 * @since 0.1.0
 * @category backoff
 */
export const classifyFailure = (statuses: ReadonlyArray<number>): FailureClass =>
  statuses.some((status) => NON_RETRIABLE_STATUSES.includes(status)) ? "NonRetriable" : "Retriable"


/**
 * The wait before attempt `attempts + 1`, after `attempts` failures:
 * `min(cap, base * 2^(attempts - 1))`, scaled by a jitter in [0.5, 1) that
 * the install id and the attempt number decide; the cap for a non-retriable
 * failure.
 *
 * @since 0.1.0
 * @category backoff
 */
export const backoffDelayMs = (options: {
  readonly policy: BackoffPolicy
  readonly attempts: number
  readonly failure: FailureClass
  readonly namespace: string
  readonly installId: string
}): number => {
  if (options.failure === "NonRetriable") return options.policy.capMs
  const exponential = Math.min(options.policy.capMs, options.policy.baseMs * 2 ** Math.max(0, options.attempts - 1))
  const jitter = 0.5 + 0.5 * uuidPoint(options.namespace, `backoff|${options.installId}|${options.attempts}`)
  return Math.round(exponential * jitter)
}

/**
 * The record after one more failure at `nowMs`.
 *
 * @since 0.1.0
 * @category backoff
 */
export const recordFailure = (options: {
  readonly previous: AttemptRecord | undefined
  readonly nowMs: number
  readonly failure: FailureClass
  readonly error: string
  readonly policy: BackoffPolicy
  readonly namespace: string
  readonly installId: string
}): AttemptRecord => {
  const attempts = (options.previous?.attempts ?? 0) + 1
  const delay = backoffDelayMs({ ...options, attempts })
  return {
    attempts,
    nextEligibleAt: new Date(options.nowMs + delay).toISOString(),
    lastFailure: { at: new Date(options.nowMs).toISOString(), class: options.failure, error: options.error }
  }
}

/**
 * The record of a send scheduled `offsetMs` from `nowMs` (the rollout's spread).
 *
 * @since 0.1.0
 * @category backoff
 */
export const scheduled = (nowMs: number, offsetMs: number): AttemptRecord => ({
  attempts: 0,
  nextEligibleAt: new Date(nowMs + offsetMs).toISOString()
})

/**
 * Whether an attempt may start at `nowMs`, given the record.
 *
 * @since 0.1.0
 * @category models
 */
export type Eligibility =
  | { readonly _tag: "Eligible" }
  | { readonly _tag: "Scheduled"; readonly untilMs: number }
  | { readonly _tag: "BackingOff"; readonly untilMs: number }

/**
 * Whether an attempt may start at `nowMs`. A schedule holds while the
 * rollout spreads (`spreadMs` above 0), a backoff unless `force`. A wait
 * longer than any the record could have been given (the cap, the spread)
 * was written under a wrong clock and is ignored, so a clock that was once
 * a year ahead cannot block the backfill for a year.
 *
 * @since 0.1.0
 * @category backoff
 */
export const eligibility = (
  record: AttemptRecord | undefined,
  options: { readonly nowMs: number; readonly force: boolean; readonly spreadMs: number; readonly policy: BackoffPolicy }
): Eligibility => {
  const untilMs = backingOffUntil(record, options.nowMs)
  if (record === undefined || untilMs === undefined) return { _tag: "Eligible" }
  if (record.attempts === 0) {
    return options.spreadMs > 0 && untilMs - options.nowMs <= options.spreadMs ? { _tag: "Scheduled", untilMs } : { _tag: "Eligible" }
  }
  return !options.force && untilMs - options.nowMs <= options.policy.capMs ? { _tag: "BackingOff", untilMs } : { _tag: "Eligible" }
}

/**
 * The instant before which no attempt starts, or `undefined` when one may
 * start at `nowMs`.
 *
 * @since 0.1.0
 * @category backoff
 */
export const backingOffUntil = (record: AttemptRecord | undefined, nowMs: number): number | undefined => {
  if (record === undefined) return undefined
  const until = Date.parse(record.nextEligibleAt)
  return Number.isFinite(until) && nowMs < until ? until : undefined
}

/**
 * The attempt file's text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeAttempts = (record: AttemptRecord): string => `${JSON.stringify(record, null, 2)}\n`

/**
 * Parses an attempt file; `undefined` when it is not one (a record that
 * cannot be read never blocks an attempt).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseAttempts = (text: string): AttemptRecord | undefined => {
  const record = jsonRecordOf(text)
  if (record === undefined) return undefined
  const { attempts, lastFailure, nextEligibleAt } = record
  if (!isCount(attempts) || typeof nextEligibleAt !== "string" || !Number.isFinite(Date.parse(nextEligibleAt))) return undefined
  if (attempts === 0) return { attempts, nextEligibleAt }
  const failure = asRecord(lastFailure)
  if (
    failure === undefined || typeof failure.at !== "string" || typeof failure.error !== "string" ||
    (failure.class !== "Retriable" && failure.class !== "NonRetriable")
  ) return undefined
  return { attempts, nextEligibleAt, lastFailure: { at: failure.at, class: failure.class, error: failure.error } }
}
