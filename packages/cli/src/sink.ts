/**
 * The PostHog sink as the CLI runs it: posthog-node's retry tuning from the
 * environment (read through Effect `Config`), and posthog-node's own
 * `console.error` / `console.warn` output muted while it sends.
 *
 * posthog-node prints `Error while flushing PostHog` with a full stack when a
 * request fails; the CLI reports the outcome itself in one line, so those
 * lines are captured and logged at debug level instead (`--log-level debug`
 * shows them).
 *
 * Tuning (all optional, defaults are posthog-node's):
 *
 * - `POSTHOG_BACKFILL_RETRY_COUNT`: retries after a failed attempt (default 3).
 * - `POSTHOG_BACKFILL_RETRY_DELAY_MS`: fixed delay between attempts (default 3000).
 * - `POSTHOG_BACKFILL_REQUEST_TIMEOUT_MS`: per-attempt timeout (default 10000).
 *
 * @since 0.1.0
 */
import { PostHogSink } from "@posthog-backfill/effect"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type CliError, usageError } from "./errors.js"

/**
 * The environment variables of the sink tuning.
 *
 * @since 0.1.0
 * @category constants
 */
export const TUNING_ENV = {
  retryCount: "POSTHOG_BACKFILL_RETRY_COUNT",
  retryDelayMs: "POSTHOG_BACKFILL_RETRY_DELAY_MS",
  requestTimeoutMs: "POSTHOG_BACKFILL_REQUEST_TIMEOUT_MS"
} as const

const nonNegativeInteger = (name: string, min: number): Effect.Effect<number | undefined, CliError> =>
  Config.option(Config.string(name)).pipe(
    Effect.mapError(() => usageError(`could not read ${name} from the environment`)),
    Effect.flatMap((value) => {
      if (Option.isNone(value) || value.value.trim() === "") return Effect.succeed(undefined)
      const parsed = Number(value.value.trim())
      return Number.isSafeInteger(parsed) && parsed >= min
        ? Effect.succeed(parsed)
        : Effect.fail(usageError(`${name}=${value.value} is not an integer >= ${min}: fix or unset it`))
    })
  )

/**
 * The sink tuning from the environment.
 *
 * @since 0.1.0
 * @category config
 */
export const tuningFromEnv: Effect.Effect<PostHogSink.Options, CliError> = Effect.all({
  fetchRetryCount: nonNegativeInteger(TUNING_ENV.retryCount, 0),
  fetchRetryDelay: nonNegativeInteger(TUNING_ENV.retryDelayMs, 0),
  requestTimeout: nonNegativeInteger(TUNING_ENV.requestTimeoutMs, 1)
})

const mute = (captured: Array<string>) => {
  const original = { error: console.error, warn: console.warn }
  const capture = (...args: ReadonlyArray<unknown>) => {
    captured.push(
      args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(" ")
    )
  }
  console.error = capture
  console.warn = capture
  return () => {
    console.error = original.error
    console.warn = original.warn
  }
}

/**
 * The real sink with `tuning`, with posthog-node's console output captured
 * during each send and logged at debug level afterwards.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (tuning: PostHogSink.Options): Layer.Layer<PostHogSink.PostHogSink> =>
  Layer.effect(
    PostHogSink.PostHogSink,
    Effect.map(PostHogSink.make(tuning), (sink) =>
      PostHogSink.PostHogSink.of({
        ...sink,
        send: (events, options) =>
          Effect.gen(function*() {
            const captured: Array<string> = []
            const report = yield* Effect.acquireUseRelease(
              Effect.sync(() => mute(captured)),
              () => sink.send(events, options),
              (restore) => Effect.sync(restore)
            )
            for (const line of captured) yield* Effect.logDebug(`posthog-node: ${line}`)
            return report
          })
      }))
  )
