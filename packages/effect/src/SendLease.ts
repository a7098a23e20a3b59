/**
 * The one-sender lease of an app's backfill: a lease file beside the marker
 * (`backfill.lease.json`) with this process's id, host name, start time and a
 * random token, created exclusively before the database is read. Of several
 * processes that start together on one data dir, one gets it; the others stop
 * (`Busy`) and send nothing. A lease whose process is gone on this host, or
 * older than a bound well above the longest send, is taken over atomically,
 * so a killed holder never blocks the next start. Liveness is
 * `process.kill(pid, 0)`: the same on Linux, macOS and Windows.
 *
 * @since 0.1.0
 */
import type { Lease } from "@posthog-backfill/core"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as LeaseFile from "./internal/leaseFile.js"

/**
 * What `acquire` found.
 *
 * @since 0.1.0
 * @category models
 */
export type Acquisition =
  | { readonly _tag: "Acquired" }
  | { readonly _tag: "Held"; readonly holder: Lease.LeaseRecord | undefined }

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Takes the lease, or says who holds it. */
  readonly acquire: Effect.Effect<Acquisition, SendLeaseError>
  /** Gives the lease back (only while it is still this one's). */
  readonly release: Effect.Effect<void, SendLeaseError>
  /** Who holds it now, and whether the next start may take it over; `undefined` when free. Takes nothing. */
  readonly peek: Effect.Effect<Holding | undefined, SendLeaseError>
}

/**
 * A lease as `peek` finds it: its holder (`undefined` for a file that holds
 * no lease) and whether it is stale.
 *
 * @since 0.1.0
 * @category models
 */
export interface Holding {
  readonly holder: Lease.LeaseRecord | undefined
  readonly stale: boolean
}

/**
 * @since 0.1.0
 * @category tags
 */
export class SendLease extends Context.Tag("@posthog-backfill/effect/SendLease")<SendLease, Service>() {}

/**
 * The lease file could not be created or read.
 *
 * @since 0.1.0
 * @category errors
 */
export class SendLeaseError extends Data.TaggedError("SendLeaseError")<{
  readonly path: string
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The lease file, `<dataDir>/backfill.lease.json`. */
  readonly path: string
  /** Past this age a lease is stale whoever holds it. Default {@link STALE_AFTER_MS}. */
  readonly staleAfterMs?: number | undefined
}

/**
 * Two hours: far above the longest send (posthog-node's worst case for one
 * batch is under a minute, and a plan of a large database a few).
 *
 * @since 0.1.0
 * @category constants
 */
export const STALE_AFTER_MS = 2 * 3_600_000

/**
 * The lease over a file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const held = yield* Ref.make<Lease.LeaseRecord | undefined>(undefined)
    const fail = (what: string) => (error: { readonly message: string }) =>
      new SendLeaseError({ path: options.path, message: `Could not ${what} the backfill's lease ${options.path} (${error.message}).`, cause: error })
    const acquire: Service["acquire"] = LeaseFile.tryAcquire(options.path, options.staleAfterMs ?? STALE_AFTER_MS).pipe(
      Effect.mapError(fail("take")),
      Effect.tap((result) => (result._tag === "Acquired" ? Ref.set(held, result.lease) : Effect.void)),
      Effect.map((result): Acquisition => (result._tag === "Acquired" ? { _tag: "Acquired" } : { _tag: "Held", holder: result.holder }))
    )
    const release: Service["release"] = Effect.flatMap(Ref.getAndSet(held, undefined), (lease) =>
      lease === undefined ? Effect.void : Effect.mapError(LeaseFile.release(options.path, lease), fail("release")))
    const peek: Service["peek"] = Effect.mapError(LeaseFile.peek(options.path, options.staleAfterMs ?? STALE_AFTER_MS), fail("read"))
    return SendLease.of({ acquire, release, peek })
  })

/**
 * The lease over a file, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<SendLease> => Layer.effect(SendLease, make(options))

/**
 * A lease that is always free (or always held by `holder`), for tests.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (holder?: Lease.LeaseRecord | undefined): Layer.Layer<SendLease> =>
  Layer.succeed(
    SendLease,
    SendLease.of({
      acquire: Effect.succeed(holder === undefined ? { _tag: "Acquired" } : { _tag: "Held", holder }),
      release: Effect.void,
      peek: Effect.succeed(holder === undefined ? undefined : { holder, stale: false })
    })
  )
