/**
 * For hosts with a live-telemetry pipeline of their own: record the day the
 * app's live telemetry first had an event acknowledged, so the backfill ends
 * the day before and no day is counted twice. Call it once the first live
 * event is acknowledged (more calls keep the earliest day). The `Telemetry`
 * service and `createLiveTelemetry` record it by themselves.
 *
 * ```ts
 * import { recordLiveSince } from "@posthog-backfill/effect"
 *
 * posthog.on("flush", () => void recordLiveSince({ app, dataDir }))
 * ```
 *
 * @since 0.1.0
 */
import type { BackfillApp } from "@posthog-backfill/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as ConfigFile from "../ConfigFile.js"
import * as AppDataDir from "../AppDataDir.js"
import * as LiveSince from "../LiveSince.js"
import { forHost, type HostLogger } from "./internal/hostRuntime.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface RecordLiveSinceOptions {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir (its config file holds the day). */
  readonly dataDir: string
  /** The day (`YYYY-MM-DD`, UTC). Default: today. */
  readonly day?: string | undefined
  /** Receives every message. Default: none (nothing is printed). */
  readonly logger?: HostLogger | undefined
}

/**
 * The day in force, or why it could not be recorded.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordLiveSinceResult =
  | { readonly _tag: "Recorded"; readonly liveSince: string }
  | { readonly _tag: "Error"; readonly message: string }

/**
 * Records when live telemetry began. Never rejects.
 *
 * @since 0.1.0
 * @category running
 */
export const recordLiveSince = async (options: RecordLiveSinceOptions): Promise<RecordLiveSinceResult> => {
  try {
    const { configPath } = AppDataDir.files(options.app, options.dataDir)
    const program = Effect.flatMap(LiveSince.LiveSince, (live) => live.record(options.day)).pipe(
      Effect.provide(LiveSince.layer),
      Effect.provide(ConfigFile.layer({ path: configPath }))
    )
    const exit = await Effect.runPromiseExit(forHost(program, { logger: options.logger, keepAlive: true }))
    if (Exit.isSuccess(exit)) return { _tag: "Recorded", liveSince: exit.value }
    const error = Cause.squash(exit.cause)
    return { _tag: "Error", message: error instanceof Error ? error.message : String(error) }
  } catch (error) {
    return { _tag: "Error", message: error instanceof Error ? error.message : String(error) }
  }
}
