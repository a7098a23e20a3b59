/**
 * How the Promise facades run inside a host: quiet unless given a logger,
 * with the host's environment as Effect's `ConfigProvider`, on a scheduler
 * that gives the host's event loop a turn, and, when the host does not await
 * the work, on timers that never hold its process open.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Scheduler from "effect/Scheduler"

/**
 * Where the facades' messages go: an object with a method per level (any may
 * be missing), or one function. Each message is one line; annotations (the
 * app, the module) follow it as `key=value`.
 *
 * @since 0.1.0
 * @category models
 */
export type HostLogger =
  | {
    readonly debug?: ((message: string) => void) | undefined
    readonly info?: ((message: string) => void) | undefined
    readonly warn?: ((message: string) => void) | undefined
    readonly error?: ((message: string) => void) | undefined
  }
  | ((level: HostLogLevel, message: string) => void)

/**
 * @since 0.1.0
 * @category models
 */
export type HostLogLevel = "debug" | "info" | "warn" | "error"

/** What a facade needs to run its program in a host. @internal */
export interface HostRunOptions {
  /** The environment consent is read from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** Receives every message. Default: none (nothing is printed). */
  readonly logger?: HostLogger | undefined
  /** The least severe level handed to `logger`. Default `"Debug"`. */
  readonly logLevel?: LogLevel.Literal | undefined
  /** `false`: no timer of the program holds the host's process open. */
  readonly keepAlive: boolean
}

const levelOf = (level: LogLevel.LogLevel): HostLogLevel =>
  level._tag === "Fatal" || level._tag === "Error"
    ? "error"
    : level._tag === "Warning"
    ? "warn"
    : level._tag === "Info"
    ? "info"
    : "debug"

const text = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((part) => (typeof part === "string" ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(" ")
}

/**
 * Effect's logger over the host's: one line per message, never thrown into
 * the program (a throwing host logger is ignored).
 *
 * @internal
 */
export const toEffectLogger = (host: HostLogger): Logger.Logger<unknown, void> =>
  Logger.make(({ annotations, logLevel, message }) => {
    const suffix = HashMap.reduce(annotations, "", (line, value, key) => `${line} ${key}=${text(value)}`)
    const line = `${text(message)}${suffix}`
    const level = levelOf(logLevel)
    try {
      if (typeof host === "function") host(level, line)
      else host[level]?.(line)
    } catch {
      // A host's logger that throws must not end a backfill.
    }
  })

/**
 * The logger layer of a facade: the host's logger (or none) in place of
 * Effect's default console logger.
 *
 * @internal
 */
export const loggerLayer = (options: Pick<HostRunOptions, "logger" | "logLevel">): Layer.Layer<never> =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, options.logger === undefined ? Logger.none : toEffectLogger(options.logger)),
    Logger.minimumLogLevel(LogLevel.fromLiteral(options.logLevel ?? "Debug"))
  )

/** Effect's `ConfigProvider` over an environment record. @internal */
export const configProvider = (env: Readonly<Record<string, string | undefined>>): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(new Map(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)))

/**
 * Gives the host's event loop a turn whenever the fiber yields (every 2048
 * Effect operations, and at each explicit yield): batches run from
 * `setImmediate`, a macrotask. Effect's default scheduler resumes yielded
 * fibers on microtasks (a timer only every 2048 yields), so a long stretch of
 * Effect work (building the layers, the gates) would otherwise hold the loop
 * for tens of ms.
 *
 * @internal
 */
export const hostScheduler = Scheduler.makeBatched((runBatch) => void setImmediate(runBatch))

/**
 * Effect's clock with sleeps on unref'd timers: a wait (a rollout's start
 * delay, a lock's retry) never holds the host's process open.
 *
 * @internal
 */
export const unrefClock: Clock.Clock = (() => {
  const base = Clock.make()
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis(),
    currentTimeMillis: base.currentTimeMillis,
    unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos(),
    currentTimeNanos: base.currentTimeNanos,
    sleep: (duration: Duration.Duration) =>
      Effect.async<void>((resume) => {
        const timer = setTimeout(() => resume(Effect.void), Duration.toMillis(duration))
        timer.unref()
        return Effect.sync(() => clearTimeout(timer))
      })
  }
})()

/**
 * The program as a facade runs it: the host's environment, its logger, the
 * host-friendly scheduler, and the unref'd clock when the host does not keep
 * itself alive for the work.
 *
 * @internal
 */
export const forHost = <A, E>(program: Effect.Effect<A, E>, options: HostRunOptions): Effect.Effect<A, E> =>
  program.pipe(
    Effect.provide(loggerLayer(options)),
    Effect.withConfigProvider(configProvider(options.env ?? process.env)),
    Effect.withScheduler(hostScheduler),
    (effect) => (options.keepAlive ? effect : Effect.withClock(effect, unrefClock))
  )

/**
 * Holds the process open while `work` runs (one ref'd timer): an awaited
 * call must not let the host exit under it, whatever else is unref'd.
 *
 * @internal
 */
export const holdingProcess = async <A>(work: () => Promise<A>): Promise<A> => {
  const hold = setInterval(() => undefined, 1 << 30)
  try {
    return await work()
  } finally {
    clearInterval(hold)
  }
}

/**
 * The signal that stops a run: the host's own, and a deadline (on an unref'd
 * timer), whichever comes first; `undefined` when there is neither.
 *
 * @internal
 */
export const stopSignal = (options: { readonly signal?: AbortSignal | undefined; readonly deadlineMs?: number | undefined }) => {
  const signals: Array<AbortSignal> = []
  if (options.signal !== undefined) signals.push(options.signal)
  if (options.deadlineMs !== undefined) signals.push(AbortSignal.timeout(Math.max(0, options.deadlineMs)))
  return signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals)
}
