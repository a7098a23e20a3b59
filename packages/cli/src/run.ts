/**
 * How a command runs once it is parsed: its Effect program with the CLI's
 * logger (stderr, from `--log-level` on, `error` by default: the CLI reports
 * outcomes itself), Ctrl-C as an interruption (exit 130), and every failure
 * as one line on stderr (a JSON object under `--json`) and an exit code,
 * never a stack trace (unless `POSTHOG_BACKFILL_TRACE=1` asks, on an internal
 * error).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import type { Values } from "./args/parse.js"
import { type CliError, ExitCode, reportCause, usageError } from "./errors.js"
import { loggerLayer, PREFIX } from "./render/output.js"

const LEVELS: Record<string, LogLevel.LogLevel> = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  none: LogLevel.None
}

/**
 * Runs a command's program and resolves its exit code.
 *
 * @since 0.1.0
 * @category running
 */
export const runCommand = async (program: Effect.Effect<void, unknown>, values: Values): Promise<number> => {
  const json = values["json"] === true
  const level = LEVELS[typeof values["log-level"] === "string" ? values["log-level"] : "error"] ?? LogLevel.Error
  const interrupt = new AbortController()
  const onSigint = () => interrupt.abort()
  process.once("SIGINT", onSigint)
  try {
    const exit = await Effect.runPromiseExit(
      program.pipe(Logger.withMinimumLogLevel(level), Effect.provide(loggerLayer)),
      { signal: interrupt.signal }
    )
    if (Exit.isSuccess(exit)) return ExitCode.Ok
    const report = reportCause(exit.cause)
    if (report.line !== undefined) {
      process.stderr.write(
        json
          ? `${JSON.stringify({ error: { code: report.exitCode === ExitCode.Usage ? "usage" : "failure", exitCode: report.exitCode, message: report.line } })}\n`
          : `${PREFIX}: ${report.line}\n`
      )
    }
    if (process.env["POSTHOG_BACKFILL_TRACE"] === "1" && !Cause.isInterruptedOnly(exit.cause)) {
      process.stderr.write(`${Cause.pretty(exit.cause, { renderErrorCause: true })}\n`)
    }
    return report.exitCode
  } finally {
    process.removeListener("SIGINT", onSigint)
  }
}

/**
 * A text option's value (`None` when not given).
 *
 * @since 0.1.0
 * @category values
 */
export const text = (values: Values, name: string): Option.Option<string> => {
  const value = values[name]
  return typeof value === "string" ? Option.some(value) : Option.none()
}

/**
 * An integer option's value.
 *
 * @since 0.1.0
 * @category values
 */
export const integer = (values: Values, name: string): Option.Option<number> => {
  const value = values[name]
  return typeof value === "number" ? Option.some(value) : Option.none()
}

/**
 * Whether a flag was given.
 *
 * @since 0.1.0
 * @category values
 */
export const flag = (values: Values, name: string): boolean => values[name] === true

/**
 * A repeated option's values.
 *
 * @since 0.1.0
 * @category values
 */
export const list = (values: Values, name: string): ReadonlyArray<string> => {
  const value = values[name]
  return Array.isArray(value) ? value : []
}

/**
 * A text option that must be given (and not blank), else a usage error that
 * says what to pass.
 *
 * @since 0.1.0
 * @category values
 */
export const required = (values: Values, name: string, what: string): Effect.Effect<string, CliError> =>
  Option.match(Option.filter(Option.map(text(values, name), (value) => value.trim()), (value) => value !== ""), {
    onNone: () => Effect.fail(usageError(`--${name} is required: pass ${what}`)),
    onSome: Effect.succeed
  })
