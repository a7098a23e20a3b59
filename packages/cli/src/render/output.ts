/**
 * The CLI's two streams. Results go to stdout; notes, warnings, progress and
 * errors go to stderr, so `--json` output stays one clean JSON object.
 *
 * Writes go straight to `process.stdout` / `process.stderr`, not through
 * `console`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

/**
 * The prefix of every line the CLI writes to stderr on its own behalf.
 *
 * @since 0.1.0
 * @category constants
 */
export const PREFIX = "posthog-backfill"

/**
 * Writes lines to stdout.
 *
 * @since 0.1.0
 * @category output
 */
export const stdout = (...lines: ReadonlyArray<string>): Effect.Effect<void> =>
  Effect.sync(() => {
    process.stdout.write(lines.map((line) => `${line}\n`).join(""))
  })

/**
 * Writes lines to stderr.
 *
 * @since 0.1.0
 * @category output
 */
export const stderr = (...lines: ReadonlyArray<string>): Effect.Effect<void> =>
  Effect.sync(() => {
    process.stderr.write(lines.map((line) => `${line}\n`).join(""))
  })

/**
 * A note on stderr, prefixed with the command's name.
 *
 * @since 0.1.0
 * @category output
 */
export const note = (message: string): Effect.Effect<void> => stderr(`${PREFIX}: ${message}`)

/**
 * Whether to color stdout: `FORCE_COLOR` decides when set (`0` or `false`:
 * never; anything else: always), then `NO_COLOR` (set: never), then
 * `TERM=dumb` (never), then whether stdout is a terminal.
 *
 * @since 0.1.0
 * @category output
 */
export const colorful = (env: NodeJS.ProcessEnv = process.env, stream: { readonly isTTY?: boolean | undefined } = process.stdout): boolean => {
  const force = env["FORCE_COLOR"]
  if (force !== undefined) return !["0", "false"].includes(force.trim().toLowerCase())
  if ((env["NO_COLOR"] ?? "") !== "") return false
  if (env["TERM"] === "dumb") return false
  return stream.isTTY === true
}

const levelName = (level: LogLevel.LogLevel): string => level.label.toLowerCase()

const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(" ")
}

/**
 * The CLI's logger: one line per message on stderr, `posthog-backfill:
 * <level>: <message>`, annotations appended as `key=value` only at debug
 * levels. The default minimum level is `Error` (the CLI reports outcomes itself);
 * `posthog-backfill --log-level <level> <command>` changes it.
 *
 * @since 0.1.0
 * @category logging
 */
export const logger: Logger.Logger<unknown, void> = Logger.make(({ annotations, logLevel, message }) => {
  const verbose = LogLevel.lessThanEqual(logLevel, LogLevel.Debug)
  const extra = verbose
    ? Array.from(HashMap.toEntries(annotations)).map(([key, value]) => ` ${key}=${messageText(value)}`).join("")
    : ""
  process.stderr.write(`${PREFIX}: ${levelName(logLevel)}: ${messageText(message)}${extra}\n`)
})

/**
 * Installs {@link logger} in place of Effect's default logger.
 *
 * @since 0.1.0
 * @category logging
 */
export const loggerLayer = Logger.replace(Logger.defaultLogger, logger)
