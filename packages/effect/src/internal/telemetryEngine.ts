/**
 * The live-capture pipeline shared by the real and the recording `Telemetry`:
 * catalog membership and schema validation, the consent and debug gates, base
 * properties, dedupe keys, the acknowledgement ledger and the shutdown report.
 * Only the transport differs (a long-lived posthog-node client, or memory).
 *
 * The ledger holds every captured uuid until a 2xx answer acknowledges it or
 * the transport no longer holds it (posthog-node gave up on its batch, or
 * dropped it from a full queue): then it counts as not acknowledged. A dedupe
 * key blocks duplicates while its event is pending, is recorded as delivered
 * when the event is acknowledged, and is released when the event fails, so a
 * retry can send it.
 *
 * @internal
 */
import { type BackfillApp, CaptureEvent, type ConsentRules, EventId, Scrub } from "@posthog-backfill/core"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { PLACEHOLDER_INSTALL_ID } from "../InstallId.js"
import { type AnyEvent, type Catalog, validate } from "../EventCatalog.js"
import * as LiveOutbox from "../LiveOutbox.js"

/** @internal */
export interface TransportEvents {
  /** A 2xx answer covered these uuids. */
  readonly acknowledged: (uuids: ReadonlyArray<string>) => void
  /** The transport gave up on something (posthog-node emitted `error`, or a request was refused). */
  readonly failed: (message: string) => void
}

/** @internal */
export interface Transport {
  /** Hands an event over; never throws for delivery problems. */
  readonly enqueue: (event: CaptureEvent.CaptureEvent) => void
  /** Sends what is queued now; resolves when that attempt is over (never rejects). */
  readonly flush: () => Promise<void>
  /** Sends what is queued within its budget, stops, and returns the problems it noticed. Never rejects. */
  readonly shutdown: () => Promise<ReadonlyArray<string>>
  /** The uuids the transport still holds (waiting, queued or in flight). */
  readonly pendingUuids: () => ReadonlySet<string>
}

/**
 * The outcome of one capture.
 *
 * @internal
 */
export type CaptureResult = Data.TaggedEnum<{
  Queued: { readonly uuid: string }
  Invalid: { readonly message: string }
  Duplicate: { readonly dedupeKey: string }
  NoConsent: { readonly consent: ConsentRules.ConsentDecision }
  DryRun: { readonly event: CaptureEvent.CaptureEvent }
  Disabled: { readonly reason: string }
}>

/** @internal */
export const CaptureResult = Data.taggedEnum<CaptureResult>()

/** @internal */
export interface TelemetryReport {
  readonly captured: number
  readonly acknowledged: number
  readonly pending: number
  readonly unacknowledged: number
  readonly unacknowledgedUuids: ReadonlyArray<string>
  readonly errors: ReadonlyArray<string>
  readonly delivered: boolean
  /** Events an earlier run left in the outbox, handed to the transport again (counted in `acknowledged`/`pending` too). */
  readonly replayed: number
  /** After shutdown: events kept in the outbox for the next start, and the oldest dropped past its bound. */
  readonly outbox: { readonly kept: number; readonly dropped: number }
}

/** @internal */
export interface CaptureOptions {
  readonly dedupeKey?: string | undefined
}

/** @internal */
export interface EngineOptions {
  readonly app: BackfillApp.BackfillApp
  readonly catalog: Catalog
  /** Already scrubbed against the app's whitelist. */
  readonly baseProperties: Readonly<Record<string, CaptureEvent.PropertyScalar>>
  readonly consent: Effect.Effect<ConsentRules.ConsentDecision>
  readonly installId: {
    readonly current: Effect.Effect<string | undefined, { readonly message: string }>
    readonly getOrCreate: Effect.Effect<string, { readonly message: string }>
  }
  /** `undefined`: nothing can be sent (`reason` says why); every gate before sending still runs. */
  readonly transport: ((events: TransportEvents) => Transport) | undefined
  readonly disabledReason: string
  readonly maxDedupeKeys: number
  /**
   * Records the day the first event was acknowledged (the live era's start,
   * which ends the backfill's window). Called once, with that day.
   */
  readonly recordLiveSince?: ((day: string) => Effect.Effect<void>) | undefined
  /** Where unacknowledged events wait for the next start. Default: nowhere. */
  readonly outbox?: LiveOutbox.Service | undefined
}

/** @internal */
export interface Engine {
  readonly capture: (event: AnyEvent, payload: unknown, options?: CaptureOptions) => Effect.Effect<CaptureResult>
  readonly isCaptured: (dedupeKey: string) => Effect.Effect<boolean>
  readonly flush: Effect.Effect<TelemetryReport>
  readonly shutdown: Effect.Effect<TelemetryReport>
}

const MAX_KEY_LENGTH = 512
const MAX_LISTED = 1_000
const MAX_ERRORS = 100

/** @internal */
export const makeEngine = (options: EngineOptions): Effect.Effect<Engine> =>
  Effect.sync(() => {
    const { app, catalog } = options
    const pending = new Map<string, string | undefined>() // uuid -> dedupe key
    const pendingKeys = new Map<string, string>() // dedupe key -> uuid
    const deliveredKeys = new Map<string, true>() // insertion-ordered, bounded
    const failedUuids: Array<string> = []
    const errors: Array<string> = []
    // The events themselves while unacknowledged, for the outbox: in flight, then given up on.
    const inFlight = new Map<string, CaptureEvent.CaptureEvent>()
    const givenUp = new Map<string, CaptureEvent.CaptureEvent>()
    const outbox = options.outbox ?? LiveOutbox.LiveOutbox.defaultValue()
    let replayed = 0
    let outboxResult = { kept: 0, dropped: 0 }
    let captured = 0
    let acknowledged = 0
    let failed = 0
    let closed = false
    let finalReport: TelemetryReport | undefined

    const rememberDelivered = (key: string) => {
      deliveredKeys.delete(key)
      deliveredKeys.set(key, true)
      while (deliveredKeys.size > options.maxDedupeKeys) {
        const oldest = deliveredKeys.keys().next().value
        if (oldest === undefined) break
        deliveredKeys.delete(oldest)
      }
    }

    const release = (uuid: string, key: string | undefined) => {
      pending.delete(uuid)
      inFlight.delete(uuid)
      if (key !== undefined && pendingKeys.get(key) === uuid) pendingKeys.delete(key)
    }

    let transport: Transport | undefined
    const reconcile = () => {
      if (transport === undefined) return
      const held = transport.pendingUuids()
      for (const [uuid, key] of pending) {
        if (held.has(uuid)) continue
        const event = inFlight.get(uuid)
        if (event !== undefined && givenUp.size < MAX_LISTED * 10) givenUp.set(uuid, event)
        release(uuid, key)
        failed += 1
        failedUuids.push(uuid)
        if (failedUuids.length > MAX_LISTED) failedUuids.shift()
      }
    }

    // The day of the first acknowledgement, recorded by the next operation (a capture, a flush,
    // the shutdown): the transport's callbacks run outside any Effect.
    let firstAckDay: string | undefined
    let liveSinceRecorded = options.recordLiveSince === undefined
    const recordLiveSince = Effect.suspend(() => {
      if (liveSinceRecorded || firstAckDay === undefined) return Effect.void
      liveSinceRecorded = true
      return options.recordLiveSince!(firstAckDay)
    })

    const events: TransportEvents = {
      acknowledged: (uuids) => {
        if (firstAckDay === undefined && uuids.some((uuid) => pending.has(uuid))) firstAckDay = new Date(Date.now()).toISOString().slice(0, 10)
        for (const uuid of uuids) {
          if (!pending.has(uuid)) continue
          const key = pending.get(uuid)
          release(uuid, key)
          acknowledged += 1
          if (key !== undefined) rememberDelivered(key)
        }
      },
      failed: (message) => {
        if (!errors.includes(message)) {
          errors.push(message)
          if (errors.length > MAX_ERRORS) errors.shift()
        }
        reconcile()
      }
    }
    transport = options.transport?.(events)

    const report = (): TelemetryReport => {
      const stillPending = Array.from(pending.keys())
      const unacknowledgedUuids = [...failedUuids, ...stillPending].slice(-MAX_LISTED)
      return {
        captured,
        acknowledged,
        pending: stillPending.length,
        unacknowledged: failed + stillPending.length,
        unacknowledgedUuids,
        errors: errors.slice(),
        delivered: failed === 0 && stillPending.length === 0,
        replayed,
        outbox: outboxResult
      }
    }

    // What an earlier run left in the outbox goes out first, once, with its uuids and timestamps;
    // without consent, or with nothing to send through, the outbox is deleted.
    let replayStarted = false
    const replay = Effect.suspend(() => {
      if (replayStarted) return Effect.void
      replayStarted = true
      return Effect.gen(function*() {
        const consent = yield* options.consent
        if (!consent.enabled || consent.debug || transport === undefined) return yield* outbox.clear
        const kept = yield* outbox.load
        let refused = 0
        for (const event of kept) {
          if (pending.has(event.uuid) || !sendable(event)) {
            refused += 1
            continue
          }
          transport.enqueue(event)
          pending.set(event.uuid, undefined)
          inFlight.set(event.uuid, event)
          replayed += 1
        }
        if (refused > 0) yield* Effect.logWarning(`${refused} event(s) of the live-event outbox are not events this catalog sends; dropped`)
        if (replayed > 0) yield* Effect.logDebug(`${replayed} live event(s) from the outbox handed over again`)
      })
    })

    /** Whether an outbox event is one this catalog would send: a known event, its payload valid, its base properties whitelisted. */
    const sendable = (event: CaptureEvent.CaptureEvent): boolean => {
      const definition = catalog.byName.get(event.event)
      if (definition === undefined) return false
      const payload: Record<string, unknown> = {}
      const base: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(event.properties)) {
        if (Object.hasOwn(app.baseProperties, key)) base[key] = value
        else payload[key] = value
      }
      const scrubbed = Scrub.scrubProperties(app.baseProperties, base)
      return Either.isRight(validate(definition, payload)) && Object.keys(scrubbed).length === Object.keys(base).length
    }

    // After a flush and at shutdown, what is still unacknowledged goes into the outbox (or, without
    // consent, it is deleted): a crash loses at most what was captured since the last flush.
    const checkpoint = Effect.gen(function*() {
      const consent = yield* options.consent
      if (!consent.enabled || transport === undefined) return yield* outbox.clear
      outboxResult = yield* outbox.save([...givenUp.values(), ...inFlight.values()])
    })
    let persisted = false
    const persist = Effect.suspend(() => {
      if (persisted) return Effect.void
      persisted = true
      return Effect.tap(checkpoint, () => {
        if (finalReport !== undefined) finalReport = { ...finalReport, outbox: outboxResult }
      })
    })

    const invalid = (message: string) =>
      Effect.as(Effect.logWarning(`dropped an invalid live event: ${message}`), CaptureResult.Invalid({ message }))

    const disabled = (reason: string) =>
      Effect.as(Effect.logDebug(`live event not sent: ${reason}`), CaptureResult.Disabled({ reason }))

    const build = (event: AnyEvent, properties: Record<string, CaptureEvent.PropertyScalar>, installId: string, key: string | undefined) =>
      Effect.map(Clock.currentTimeMillis, (nowMs): CaptureEvent.CaptureEvent => ({
        event: event.name,
        distinctId: installId,
        // A dedupe key gives a deterministic uuid, so a resend after a failure is deduped by PostHog too.
        uuid: key === undefined ? globalThis.crypto.randomUUID() : EventId.uuidV5(`${installId}|${event.name}|dedupe|${key}`, app.namespace),
        timestamp: new Date(nowMs),
        properties
      }))

    const captureUnsafe = (event: AnyEvent, payload: unknown, captureOptions: CaptureOptions | undefined) =>
      Effect.gen(function*() {
        if (closed) return yield* disabled("telemetry was shut down")
        const listed = catalog.byName.get(event?.name)
        if (listed === undefined || listed !== event) {
          return yield* invalid(`${JSON.stringify(event?.name)} is not an event of this app's catalog`)
        }
        const validated = validate(event, payload)
        if (Either.isLeft(validated)) return yield* invalid(`${event.name}: ${validated.left}`)
        const key = captureOptions?.dedupeKey
        if (event.dedupeKey !== undefined && (typeof key !== "string" || key.trim() === "")) {
          return yield* invalid(`${event.name} needs a dedupe key (${event.dedupeKey}); pass { dedupeKey }`)
        }
        if (event.dedupeKey === undefined && key !== undefined) {
          return yield* invalid(`${event.name} declares no dedupe key; remove { dedupeKey } or declare one in the catalog`)
        }
        if (key !== undefined && key.length > MAX_KEY_LENGTH) {
          return yield* invalid(`${event.name}: the dedupe key is longer than ${MAX_KEY_LENGTH} characters`)
        }
        const properties: Record<string, CaptureEvent.PropertyScalar> = { ...options.baseProperties, ...validated.right }

        const consent = yield* options.consent
        if (!consent.enabled) {
          yield* Effect.logDebug(`live event ${event.name} not sent: ${consent.reason}`)
          return CaptureResult.NoConsent({ consent })
        }
        if (key !== undefined && (deliveredKeys.has(key) || pendingKeys.has(key))) {
          yield* Effect.logDebug(`live event ${event.name} dropped: its dedupe key was already captured`)
          return CaptureResult.Duplicate({ dedupeKey: key })
        }
        if (consent.debug) {
          // A dry run shows the existing install id (or the placeholder) and never creates one.
          const current = yield* Effect.orElseSucceed(options.installId.current, () => undefined)
          const built = yield* build(event, properties, current ?? PLACEHOLDER_INSTALL_ID, key)
          yield* Console.error(`[${app.name}] telemetry dry run: ${CaptureEvent.formatEventLine(built)}`)
          return CaptureResult.DryRun({ event: built })
        }
        if (transport === undefined) return yield* disabled(options.disabledReason)
        const installId = yield* Effect.either(options.installId.getOrCreate)
        if (Either.isLeft(installId)) {
          yield* Effect.logWarning(`live event ${event.name} not sent: ${installId.left.message}`)
          return CaptureResult.Disabled({ reason: installId.left.message })
        }
        const built = yield* build(event, properties, installId.right, key)
        transport.enqueue(built)
        captured += 1
        pending.set(built.uuid, key)
        inFlight.set(built.uuid, built)
        if (key !== undefined) pendingKeys.set(key, built.uuid)
        return CaptureResult.Queued({ uuid: built.uuid })
      })

    const capture: Engine["capture"] = (event, payload, captureOptions) =>
      Effect.zipRight(replay, Effect.suspend(() => captureUnsafe(event, payload, captureOptions))).pipe(
        Effect.zipLeft(recordLiveSince),
        Effect.catchAllDefect((defect) => {
          const reason = `unexpected failure while capturing: ${defect instanceof Error ? defect.message : String(defect)}`
          return Effect.as(Effect.logError(reason), CaptureResult.Disabled({ reason }))
        }),
        Effect.annotateLogs({ module: "Telemetry", app: app.name })
      )

    const flush: Engine["flush"] = Effect.gen(function*() {
      if (finalReport !== undefined) return finalReport
      yield* replay
      if (transport !== undefined) {
        const current = transport
        yield* Effect.promise(() => current.flush().catch(() => undefined))
      }
      reconcile()
      yield* checkpoint
      yield* recordLiveSince
      return report()
    })

    let shuttingDown: Promise<TelemetryReport> | undefined
    const shutdownOnce = (): Promise<TelemetryReport> =>
      (shuttingDown ??= (async () => {
        closed = true
        if (transport !== undefined) {
          const problems = await transport.shutdown().catch((cause: unknown) => [`shutdown failed: ${String(cause)}`])
          for (const problem of problems) events.failed(problem)
        }
        reconcile()
        finalReport = report()
        return finalReport
      })())

    const shutdown: Engine["shutdown"] = Effect.zipRight(replay, Effect.promise(shutdownOnce)).pipe(
      Effect.zipLeft(persist),
      Effect.map((final) => finalReport ?? final),
      Effect.zipLeft(recordLiveSince),
      Effect.tap((final) =>
        final.delivered
          ? Effect.logDebug(`telemetry shut down: ${final.acknowledged}/${final.captured} live event(s) acknowledged`)
          : Effect.logWarning(
            `telemetry shut down: ${final.acknowledged}/${final.captured} live event(s) acknowledged, ` +
              `${final.unacknowledged} not`
          ).pipe(Effect.annotateLogs({ errors: final.errors.join(" | ") }))
      ),
      Effect.annotateLogs({ module: "Telemetry", app: app.name })
    )

    const isCaptured: Engine["isCaptured"] = (key) => Effect.sync(() => deliveredKeys.has(key) || pendingKeys.has(key))

    return { capture, isCaptured, flush, shutdown }
  })
