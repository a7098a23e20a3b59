/**
 * The PostHog sink's retry tuning as the CLI reads it from the environment
 * (through Effect `Config`). The library's sink prints nothing of its own
 * (posthog-node's console output included), so the CLI needs no muting: it
 * reports the outcome itself in one line.
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
