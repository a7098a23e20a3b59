/**
 * Staged rollout: which installs of a release send their backfill, and when.
 * An install is in when its point, a number in [0, 1) that a hash of its
 * install id under the app's namespace decides, is below the fraction: the
 * same install decides the same way on every run and runtime, and raising
 * the fraction (1% to 10%) keeps every install already in.
 *
 * A release's fleet must not send at one instant either. The spread does it
 * without holding any process: the first run that could send schedules the
 * install's send at its own point of `spreadMs` from then, records it in the
 * data dir and returns at once; the first run after that instant sends. A
 * long-lived host that runs the backfill once at startup may instead (or as
 * well) wait a start delay in-process, another point scaled to at most
 * `maxStartDelayMs`.
 *
 * @since 0.1.0
 */
import { uuidPoint } from "../events/EventId.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Rollout {
  /** The share of installs that send, 0..1. */
  readonly fraction: number
  /** The window a fleet's sends spread over: each install's send is scheduled at its own point of it. 0: no schedule. */
  readonly spreadMs: number
  /** The longest in-process wait before a run starts; each install waits its own share of it. */
  readonly maxStartDelayMs: number
}

/**
 * The default spread: 48 hours.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_SPREAD_MS = 2 * 86_400_000

/**
 * Every install sends, spread over 48 hours from its first run, with no
 * in-process wait: a 100k-install fleet stays under PostHog's 10k events per
 * minute even when every install starts at the same instant, with room to
 * spare (BENCHMARKS.md, the rollout simulation: 24 hours meets it only just).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ROLLOUT: Rollout = { fraction: 1, spreadMs: DEFAULT_SPREAD_MS, maxStartDelayMs: 0 }


/**
 * The install's rollout point in [0, 1).
 *
 * @since 0.1.0
 * @category rollout
 */
export const rolloutPoint = (namespace: string, installId: string): number => uuidPoint(namespace, `rollout|${installId}`)

/**
 * Whether the install is in a rollout of `fraction`.
 *
 * @since 0.1.0
 * @category rollout
 */
export const inRollout = (namespace: string, installId: string, fraction: number): boolean =>
  fraction >= 1 || rolloutPoint(namespace, installId) < fraction

/**
 * Where in the spread the install's send is scheduled: `[0, spreadMs)` after
 * its first run that could send.
 *
 * @since 0.1.0
 * @category rollout
 */
export const spreadOffsetMs = (namespace: string, installId: string, spreadMs: number): number =>
  Math.floor(uuidPoint(namespace, `spread|${installId}`) * Math.max(0, spreadMs))

/**
 * The install's start delay under `maxStartDelayMs`.
 *
 * @since 0.1.0
 * @category rollout
 */
export const startDelayMs = (namespace: string, installId: string, maxStartDelayMs: number): number =>
  Math.floor(uuidPoint(namespace, `start-delay|${installId}`) * Math.max(0, maxStartDelayMs))

/**
 * Problems with a rollout, as sentences (empty when valid).
 *
 * @since 0.1.0
 * @category validation
 */
export const validateRollout = (rollout: Partial<Rollout>): ReadonlyArray<string> => [
  ...(rollout.fraction !== undefined && !(rollout.fraction >= 0 && rollout.fraction <= 1)
    ? [`rollout.fraction ${rollout.fraction} must be a number from 0 to 1`]
    : []),
  ...(rollout.spreadMs !== undefined && !(Number.isSafeInteger(rollout.spreadMs) && rollout.spreadMs >= 0)
    ? [`rollout.spreadMs ${rollout.spreadMs} must be a whole number of milliseconds >= 0`]
    : []),
  ...(rollout.maxStartDelayMs !== undefined && !(Number.isSafeInteger(rollout.maxStartDelayMs) && rollout.maxStartDelayMs >= 0)
    ? [`rollout.maxStartDelayMs ${rollout.maxStartDelayMs} must be a whole number of milliseconds >= 0`]
    : [])
]
