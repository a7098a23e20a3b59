/**
 * The Promise facade of live telemetry, for hosts that do not use Effect: the
 * same surface as the `Telemetry` service (plus the first-run notice), over
 * the same layers. Nothing here rejects because of telemetry: a capture
 * resolves its outcome, `track` rejects only with the host's own error, and a
 * telemetry that could not start (an invalid host, `POSTHOG_CAPTURE_MODE=v1`)
 * resolves every capture as `Disabled` with the reason.
 *
 * ```ts
 * import { claudeMem } from "@posthog-backfill/core"
 * import { createLiveTelemetry, NodeTelemetry } from "@posthog-backfill/effect"
 *
 * const telemetry = createLiveTelemetry({
 *   app: claudeMem,
 *   catalog,
 *   dataDir: "/home/me/.claude-mem",
 *   apiKey: "phc_...",
 *   baseProperties: NodeTelemetry.detectBaseProperties("10.4.1")
 * })
 * await telemetry.track(() => compact(request), CompactionCompleted, toPayload, { dedupeKey: request.id })
 * const report = await telemetry.shutdown() // before the process exits
 * ```
 *
 * @since 0.1.0
 */
import { type BackfillApp, type CaptureEvent } from "@posthog-backfill/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as EventCatalog from "../EventCatalog.js"
import { FirstRunNotice } from "../FirstRunNotice.js"
import type * as FirstRunNoticeModule from "../FirstRunNotice.js"
import * as NodeTelemetry from "../NodeTelemetry.js"
import * as Telemetry from "../Telemetry.js"
import { configProvider, holdingProcess, hostScheduler, type HostLogger, loggerLayer, unrefClock } from "./internal/hostRuntime.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface LiveTelemetryOptions {
  readonly app: BackfillApp.BackfillApp
  readonly catalog: EventCatalog.Catalog
  /** The app's data dir (its config file: consent, install id, notice version). */
  readonly dataDir: string
  /** Without one, captures are validated, gated and printed in debug mode, but never sent. */
  readonly apiKey?: string | undefined
  /** Default PostHog US cloud. */
  readonly host?: string | undefined
  /** e.g. `NodeTelemetry.detectBaseProperties(version)`. */
  readonly baseProperties?: Readonly<Record<string, CaptureEvent.PropertyScalar>> | undefined
  /** The environment consent is read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  readonly client?: Telemetry.ClientOptions | undefined
  readonly maxDedupeKeys?: number | undefined
  /**
   * Receives every message (`{ debug, info, warn, error }`, or one function).
   * Default: none; nothing is printed into the host (the debug dry run prints
   * its events to stderr, as documented).
   */
  readonly logger?: HostLogger | undefined
  /** The least severe level handed to `logger`. Default `"Debug"`. */
  readonly logLevel?: LogLevel.Literal | undefined
  /**
   * Whether background flushes hold the host's process open. Default `false`:
   * the host exits when its own work is done; an awaited `flush()` or
   * `shutdown()` holds it until that call ends.
   */
  readonly keepAlive?: boolean | undefined
}

/**
 * The facade.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveTelemetry {
  /** Validates and captures one event. Never rejects. */
  readonly capture: <E extends EventCatalog.AnyEvent>(
    event: E,
    payload: EventCatalog.PayloadOf<E>,
    options?: Telemetry.CaptureOptions
  ) => Promise<Telemetry.CaptureResult>
  /**
   * Runs `work`; only when it resolves, captures the event built from its
   * result, then resolves that result. Rejects only with `work`'s own error
   * (nothing captured, no dedupe key recorded).
   */
  readonly track: <A, E extends EventCatalog.AnyEvent>(
    work: () => A | PromiseLike<A>,
    event: E,
    payload: (result: A) => EventCatalog.PayloadOf<E>,
    options?: Telemetry.CaptureOptions
  ) => Promise<A>
  /** Sends what is queued now and reports the running totals. Never rejects. */
  readonly flush: () => Promise<Telemetry.TelemetryReport>
  /** Sends what is queued within the budget, stops, and reports. Await it before exiting. Never rejects. */
  readonly shutdown: () => Promise<Telemetry.TelemetryReport>
  /** The first-run notice in the app's config file. Never rejects. */
  readonly notice: {
    readonly shouldShow: (version: number) => Promise<boolean>
    /** Resolves whether the notice is recorded (false in a dry run or when the file cannot be written; logged). */
    readonly markShown: (version: number) => Promise<boolean>
    /** Shows the notice through `show` when it still has to be shown, then records it; resolves whether it was shown. */
    readonly showOnce: (notice: FirstRunNoticeModule.Notice, show: (text: string) => void | PromiseLike<void>) => Promise<boolean>
  }
}

const reasonOf = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : String(error)
}

const emptyReport = (reason: string): Telemetry.TelemetryReport => ({
  captured: 0,
  acknowledged: 0,
  pending: 0,
  unacknowledged: 0,
  unacknowledgedUuids: [],
  errors: [reason],
  delivered: true,
  replayed: 0,
  outbox: { kept: 0, dropped: 0 }
})

/**
 * Starts live telemetry for an app's data dir. Returns at once; the client is
 * created on first use.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createLiveTelemetry = (options: LiveTelemetryOptions): LiveTelemetry => {
  const keepAlive = options.keepAlive ?? false
  const services = NodeTelemetry.layer({
    app: options.app,
    catalog: options.catalog,
    dataDir: options.dataDir,
    apiKey: options.apiKey,
    host: options.host,
    baseProperties: options.baseProperties,
    client: { ...options.client, keepAlive: options.client?.keepAlive ?? keepAlive },
    maxDedupeKeys: options.maxDedupeKeys
  }).pipe(
    Layer.provide(Layer.setConfigProvider(configProvider(options.env ?? process.env))),
    Layer.provideMerge(loggerLayer(options)),
    Layer.provideMerge(keepAlive ? Layer.empty : Layer.setClock(unrefClock)),
    Layer.provideMerge(Layer.setScheduler(hostScheduler))
  )
  const runtime = ManagedRuntime.make(services)
  let disposed = false

  const run = async <A>(
    effect: Effect.Effect<A, never, Telemetry.Telemetry | FirstRunNotice>,
    fallback: (reason: string) => A
  ): Promise<A> => {
    if (disposed) return fallback("telemetry was shut down")
    try {
      const exit = await runtime.runPromiseExit(effect)
      return Exit.isSuccess(exit) ? exit.value : fallback(reasonOf(exit.cause))
    } catch (error) {
      return fallback(error instanceof Error ? error.message : String(error))
    }
  }

  const capture: LiveTelemetry["capture"] = (event, payload, captureOptions) =>
    run(
      Effect.flatMap(Telemetry.Telemetry, (telemetry) => telemetry.capture(event, payload, captureOptions)),
      (reason) => Telemetry.CaptureResult.Disabled({ reason })
    )

  const track: LiveTelemetry["track"] = async (work, event, payload, captureOptions) => {
    const result = await work()
    let built: EventCatalog.PayloadOf<typeof event>
    try {
      built = payload(result)
    } catch (error) {
      await run(
        Effect.logWarning(
          `dropped an invalid live event: ${event.name}: building the payload threw: ${error instanceof Error ? error.message : String(error)}`
        ),
        () => undefined
      )
      return result
    }
    await capture(event, built, captureOptions)
    return result
  }

  const notice: LiveTelemetry["notice"] = {
    shouldShow: (version) => run(Effect.flatMap(FirstRunNotice, (service) => service.shouldShow(version)), () => false),
    markShown: (version) =>
      run(
        Effect.flatMap(FirstRunNotice, (service) => service.markShown(version)).pipe(
          Effect.as(true),
          Effect.catchAll((error) => Effect.as(Effect.logWarning(error.message), false))
        ),
        () => false
      ),
    showOnce: async (text, show) => {
      if (!(await notice.shouldShow(text.version))) return false
      try {
        await show(text.text)
      } catch {
        // The host's own display failed: record nothing, so it shows again next time.
        return false
      }
      await notice.markShown(text.version)
      return true
    }
  }

  let shutdownPromise: Promise<Telemetry.TelemetryReport> | undefined
  const shutdown = (): Promise<Telemetry.TelemetryReport> =>
    (shutdownPromise ??= holdingProcess(async () => {
      const report = await run(Effect.flatMap(Telemetry.Telemetry, (telemetry) => telemetry.shutdown), emptyReport)
      disposed = true
      await runtime.dispose().catch(() => undefined)
      return report
    }))

  return {
    capture,
    track,
    flush: () => holdingProcess(() => run(Effect.flatMap(Telemetry.Telemetry, (telemetry) => telemetry.flush), emptyReport)),
    shutdown,
    notice
  }
}
