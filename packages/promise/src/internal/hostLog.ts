/**
 * The facade's own few messages (before the engine runs) to the host's
 * logger, at the level the host asked for; nothing when it gave none.
 *
 * @internal
 */
import type { HostLogger, HostLogLevel, LogLevel } from "../types.js"

const RANK: Record<HostLogLevel, number> = { debug: 1, info: 2, warn: 3, error: 4 }
const THRESHOLD: Record<LogLevel, number> = { All: 0, Trace: 0, Debug: 1, Info: 2, Warning: 3, Error: 4, Fatal: 5, None: 6 }

/** @internal */
export const hostLog = (logger: HostLogger | undefined, logLevel: LogLevel | undefined) => (level: HostLogLevel, message: string) => {
  if (logger === undefined || RANK[level] < THRESHOLD[logLevel ?? "Debug"]) return
  try {
    if (typeof logger === "function") logger(level, message)
    else logger[level]?.(message)
  } catch {
    // A host's logger that throws must not end a backfill.
  }
}
