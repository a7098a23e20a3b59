/**
 * The entry point of the `posthog-backfill` command (loaded by
 * `bin/posthog-backfill.js`): runs the command tree on Node and turns every
 * expected failure into one line on stderr and an exit code (see `errors.ts`);
 * never Effect's pretty cause or a stack trace, unless
 * `POSTHOG_BACKFILL_TRACE=1` asks for it on an internal error.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import type { Teardown } from "@effect/platform/Runtime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { run } from "./cli.js"
import { ExitCode, reportCause } from "./errors.js"
import { loggerLayer, note, plainWhenNotTty, stderr } from "./render/output.js"

plainWhenNotTty()

const program = run(process.argv).pipe(
  Effect.as<number>(ExitCode.Ok),
  Effect.catchAllCause((cause) =>
    Effect.gen(function*() {
      const report = reportCause(cause)
      if (report.line !== undefined) yield* note(report.line)
      if (process.env["POSTHOG_BACKFILL_TRACE"] === "1" && !Cause.isInterruptedOnly(cause)) {
        yield* stderr(Cause.pretty(cause, { renderErrorCause: true }))
      }
      return report.exitCode
    })
  ),
  // The CLI reports every outcome itself (with the library's reason and fix), so the library's
  // own warnings would repeat it: by default only errors are logged. The built-in
  // `posthog-backfill --log-level warning|info|debug <command>` sets a level closer to the
  // commands, which wins.
  Logger.withMinimumLogLevel(LogLevel.Error),
  Effect.provide(Layer.merge(NodeContext.layer, loggerLayer))
)

/** The program's value is the exit code; `runMain` exits the process only for a non-zero code. */
const teardown: Teardown = (exit, onExit) => {
  if (Exit.isSuccess(exit)) {
    onExit(typeof exit.value === "number" ? exit.value : ExitCode.Ok)
  } else {
    onExit(Cause.isInterruptedOnly(exit.cause) ? ExitCode.Interrupted : ExitCode.Failure)
  }
}

NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true, teardown })
