/**
 * The options the commands share and how they resolve: the database and data
 * dir (defaulting to a config file's, else the app's own paths under the home
 * directory), `--now` (a fixed clock) and `--install-id`. Which app: `appSource.ts`.
 *
 * @since 0.1.0
 */
import type { BackfillApp } from "@posthog-backfill/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type CliError, usageError } from "./errors.js"

/**
 * `--busy-timeout`, checked: a whole number of milliseconds from 0.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolveBusyTimeout = (value: Option.Option<number>): Effect.Effect<number | undefined, CliError> =>
  Option.match(value, {
    onNone: () => Effect.succeed(undefined),
    onSome: (ms) =>
      Number.isSafeInteger(ms) && ms >= 0
        ? Effect.succeed(ms)
        : Effect.fail(usageError(`--busy-timeout ${ms} is not a whole number of milliseconds >= 0: pass e.g. --busy-timeout 30000`))
  })

/**
 * Below this size the command line reads a database on its own thread:
 * starting worker threads costs more than they save on a small file, and a
 * person waiting at a prompt has nothing else on the event loop.
 *
 * @since 0.1.0
 * @category constants
 */
export const INLINE_BELOW_BYTES = 64 * 1024 * 1024

/**
 * Whether to read `database` inline (see {@link INLINE_BELOW_BYTES}).
 *
 * @since 0.1.0
 * @category resolving
 */
export const readsInline = (database: string): boolean => {
  try {
    return fs.statSync(database).size < INLINE_BELOW_BYTES
  } catch {
    return true
  }
}


/**
 * Where the app keeps its files.
 *
 * @since 0.1.0
 * @category models
 */
export interface AppPaths {
  readonly database: string
  /** `undefined` when neither `--data-dir` nor a preset default gives one (only `plan` allows that). */
  readonly dataDir: string | undefined
}

const absolute = (value: string): string => path.resolve(value)

const homePath = (relative: string): string => path.join(os.homedir(), relative)

/**
 * The database and data dir: the flags when given, else a config file's, else the app's
 * `defaultPaths` under the home directory.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolvePaths = (
  app: BackfillApp.BackfillApp,
  flags: { readonly db: Option.Option<string>; readonly dataDir: Option.Option<string> },
  /** A config file's paths, used before the app's own defaults. */
  configured: { readonly database?: string | undefined; readonly dataDir?: string | undefined } = {}
): Effect.Effect<AppPaths, CliError> => {
  const given = (value: Option.Option<string>) =>
    Option.filter(Option.map(value, (text) => text.trim()), (text) => text !== "")
  const database = Option.match(given(flags.db), {
    onSome: absolute,
    onNone: () => configured.database ?? (app.defaultPaths === undefined ? undefined : homePath(app.defaultPaths.database))
  })
  if (database === undefined) {
    return Effect.fail(
      usageError(`the app ${app.name} has no default database path: pass --db <file> (the app's SQLite database)`)
    )
  }
  const dir = Option.match(given(flags.dataDir), {
    onSome: absolute,
    onNone: () => configured.dataDir ?? (app.defaultPaths === undefined ? undefined : homePath(app.defaultPaths.dataDir))
  })
  return Effect.succeed({ database, dataDir: dir })
}

/**
 * The data dir, required (for `send`).
 *
 * @since 0.1.0
 * @category resolving
 */
export const requireDataDir = (app: BackfillApp.BackfillApp, paths: AppPaths): Effect.Effect<string, CliError> =>
  paths.dataDir !== undefined
    ? Effect.succeed(paths.dataDir)
    : Effect.fail(
      usageError(
        `the app ${app.name} has no default data dir: pass --data-dir <dir> (where the app keeps its ` +
          `${app.configFileName} and the ${app.markerFileName} marker)`
      )
    )

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i

/**
 * Parses `--now`: an ISO-8601 day or instant; without an offset it is UTC.
 *
 * @since 0.1.0
 * @category resolving
 */
export const parseNow = (value: string): Effect.Effect<number, CliError> => {
  const text = value.trim()
  const malformed = () =>
    usageError(
      `--now ${JSON.stringify(value)} is not an ISO-8601 date or instant: pass e.g. --now 2026-06-12T08:00:00Z ` +
        "(or a day, 2026-06-12)"
    )
  if (!ISO_8601.test(text)) return Effect.fail(malformed())
  const normalized = text.length === 10 ? `${text}T00:00:00Z` : HAS_ZONE.test(text) ? text : `${text}Z`
  const ms = Date.parse(normalized.replace(" ", "T"))
  if (!Number.isFinite(ms)) return Effect.fail(malformed())
  // Date.parse rolls impossible days over (2026-02-30); refuse those.
  const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number]
  const calendar = new Date(Date.UTC(year, month - 1, day))
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return Effect.fail(malformed())
  return Effect.succeed(ms)
}

/**
 * A clock stopped at `ms` (`sleep` still waits for real), so everything that
 * reads the time through Effect's `Clock` sees `--now`.
 *
 * @since 0.1.0
 * @category resolving
 */
export const fixedClock = (ms: number): Clock.Clock => {
  const real = Clock.make()
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => ms,
    currentTimeMillis: Effect.succeed(ms),
    unsafeCurrentTimeNanos: () => BigInt(ms) * 1_000_000n,
    currentTimeNanos: Effect.succeed(BigInt(ms) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  }
}

/**
 * `--now` as epoch milliseconds (`None` for the real clock); a malformed value
 * fails before anything runs.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolveNow = (value: Option.Option<string>): Effect.Effect<Option.Option<number>, CliError> =>
  Option.match(value, {
    onNone: () => Effect.succeed(Option.none()),
    onSome: (text) => Effect.map(parseNow(text), Option.some)
  })

/**
 * Runs `effect` with the clock stopped at `nowMs` when given, else the real one.
 *
 * @since 0.1.0
 * @category resolving
 */
export const withNow = (nowMs: Option.Option<number>) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Option.match(nowMs, {
    onNone: () => effect,
    onSome: (ms) => Effect.withClock(effect, fixedClock(ms))
  })

/**
 * `--install-id`, trimmed; a blank value is a usage error.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolveInstallIdFlag = (value: Option.Option<string>): Effect.Effect<Option.Option<string>, CliError> =>
  Option.match(value, {
    onNone: () => Effect.succeed(Option.none()),
    onSome: (text) =>
      text.trim() === ""
        ? Effect.fail(usageError("--install-id is empty: pass the install id (e.g. a UUID) or leave the flag out"))
        : Effect.succeed(Option.some(text.trim()))
  })
