/**
 * Expected failures of the CLI and how each becomes one line on stderr and an
 * exit code. Nothing here prints a stack or Effect's pretty cause: the user
 * sees what is wrong and what to do.
 *
 * Exit codes:
 *
 * - `0`: done, or a gate stopped the backfill by design (already done, no
 *   consent, dry run, nothing to send, no API key).
 * - `1`: the work could not be done (the database cannot be read, delivery was
 *   not confirmed, the marker could not be written, ...).
 * - `2`: the command line is wrong (an unknown option or preset, a malformed
 *   `--now` or `--host`, a missing path).
 * - `130`: interrupted (Ctrl-C).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * @since 0.1.0
 * @category constants
 */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  Interrupted: 130
} as const

/**
 * A failure the CLI reports as one line, with its exit code.
 *
 * @since 0.1.0
 * @category errors
 */
export class CliError extends Data.TaggedError("CliError")<{
  readonly message: string
  readonly exitCode: number
}> {}

/**
 * The command line is wrong: exit 2.
 *
 * @since 0.1.0
 * @category constructors
 */
export const usageError = (message: string): CliError => new CliError({ message, exitCode: ExitCode.Usage })

/**
 * The work could not be done: exit 1.
 *
 * @since 0.1.0
 * @category constructors
 */
export const failure = (message: string): CliError => new CliError({ message, exitCode: ExitCode.Failure })

/**
 * How a failure is reported: the line to print (`undefined` when there is
 * nothing to say, e.g. after Ctrl-C) and the exit code.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly line: string | undefined
  readonly exitCode: number
}

const hasMessage = (error: unknown): error is { readonly _tag: string; readonly message: string } =>
  typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string" &&
  typeof (error as { _tag?: unknown })._tag === "string"

/**
 * Turns an expected failure of the library (`ActivitySourceError`,
 * `InstallIdError`, `MarkerWriteError`, `PostHogSinkError`, a platform error,
 * ...) into a {@link CliError}. Their messages already say what to do; an
 * invalid sink option is a usage error (exit 2), the rest exit 1.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toCliError = (error: unknown): CliError => {
  if (error instanceof CliError) return error
  if (hasMessage(error)) {
    const reason = (error as { reason?: unknown }).reason
    const usage = error._tag === "PostHogSinkError" && reason === "InvalidOptions"
    return new CliError({ message: error.message, exitCode: usage ? ExitCode.Usage : ExitCode.Failure })
  }
  return failure(`unexpected failure: ${error instanceof Error ? error.message : String(error)}`)
}

/**
 * Maps every expected failure of `effect` to a {@link CliError}.
 *
 * @since 0.1.0
 * @category combinators
 */
export const expected = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, CliError, R> =>
  Effect.mapError(effect, toCliError)

const fromError = (error: unknown): Report => {
  const cli = toCliError(error)
  return { line: cli.message, exitCode: cli.exitCode }
}

const firstLine = (text: string): string => text.split("\n").find((line) => line.trim() !== "") ?? text

/**
 * Turns a run's cause into a report: interruption, an expected failure, or a
 * defect (a bug), each as one line.
 *
 * @since 0.1.0
 * @category reporting
 */
export const reportCause = (cause: Cause.Cause<unknown>): Report => {
  if (Cause.isInterruptedOnly(cause)) return { line: undefined, exitCode: ExitCode.Interrupted }
  const failed = Cause.failureOption(cause)
  if (Option.isSome(failed)) return fromError(failed.value)
  const defect = Cause.dieOption(cause)
  const error = Option.isSome(defect) ? defect.value : Cause.squash(cause)
  const text = error instanceof Error ? error.message : String(error)
  return {
    line: `unexpected internal error: ${firstLine(text)} (this is a bug in posthog-backfill; set ` +
      "POSTHOG_BACKFILL_TRACE=1 to print the full trace, and please report it)",
    exitCode: ExitCode.Failure
  }
}
