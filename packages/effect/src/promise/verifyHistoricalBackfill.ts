/**
 * After a send, checks what PostHog holds for this install against its
 * marker (`BackfillVerify`), as a Promise. Never rejects.
 *
 * ```ts
 * import { verifyHistoricalBackfill } from "@posthog-backfill/effect"
 *
 * const result = await verifyHistoricalBackfill({ app, dataDir, host: "https://us.posthog.com", projectId: "12345", apiKey: "phx_..." })
 * const failed = result._tag === "Verified" ? result.report.checks.filter((check) => !check.ok) : []
 * ```
 *
 * @since 0.1.0
 */
import type { BackfillApp, BackfillVerification } from "@posthog-backfill/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as AppDataDir from "../AppDataDir.js"
import * as BackfillVerify from "../BackfillVerify.js"
import { forHost, type HostLogger } from "./internal/hostRuntime.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface VerifyHistoricalBackfillOptions extends BackfillVerify.Target {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir: the marker to check against. */
  readonly dataDir: string
  /** Receives every message. Default: none (nothing is printed). */
  readonly logger?: HostLogger | undefined
}

/**
 * The report (`report.ok`: every check passed), or why verify could not ask.
 *
 * @since 0.1.0
 * @category models
 */
export type VerifyHistoricalBackfillResult =
  | { readonly _tag: "Verified"; readonly report: BackfillVerification.VerificationReport }
  | { readonly _tag: "Error"; readonly message: string }

/**
 * @since 0.1.0
 * @category running
 */
export const verifyHistoricalBackfill = async (options: VerifyHistoricalBackfillOptions): Promise<VerifyHistoricalBackfillResult> => {
  try {
    const program = BackfillVerify.verify(options).pipe(
      Effect.provide(BackfillVerify.layerFetch),
      Effect.provide(AppDataDir.layer({ app: options.app, dataDir: options.dataDir }))
    )
    const exit = await Effect.runPromiseExit(forHost(program, { logger: options.logger, keepAlive: true }))
    if (Exit.isSuccess(exit)) return { _tag: "Verified", report: exit.value }
    const error = Cause.squash(exit.cause)
    return { _tag: "Error", message: error instanceof Error ? error.message : String(error) }
  } catch (error) {
    return { _tag: "Error", message: error instanceof Error ? error.message : String(error) }
  }
}
