/**
 * Every live service of the backfill for an app, composed from its definition,
 * its data dir and its database: the app's files (`AppDataDir`: consent from
 * the environment and the config file, the install id, the marker), the
 * activity source (`RuntimeActivitySource`: a path opened read-only, or the
 * host's own connection), and the posthog-node sink. It runs on Node and on
 * Bun (whose `node:` modules the file services use).
 *
 * @since 0.1.0
 */
import * as Layer from "effect/Layer"
import { type ActivitySource, layerLazy } from "./ActivitySource.js"
import * as AppDataDir from "./AppDataDir.js"
import * as PostHogSink from "./PostHogSink.js"
import * as RuntimeActivitySource from "./RuntimeActivitySource.js"
import type { SqliteDatabase } from "./SqliteDatabase.js"

/**
 * The database and the sink, without the app's files.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServicesOptions extends RuntimeActivitySource.Options {
  /**
   * The SQLite file (opened read-only) or the host's own open connection (never
   * closed here). A path is read in worker threads on Node, so the host's
   * event loop keeps running during the scan; a host's own connection is
   * queried on the thread that owns it: pass the path instead to keep a large
   * scan off the event loop.
   */
  readonly database: string | SqliteDatabase
  /** posthog-node tuning (retries, timeouts). Defaults are posthog-node's. */
  readonly sink?: PostHogSink.Options | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends AppDataDir.Options, ServicesOptions {}

/**
 * The activity source and the sink, for a host that builds `AppDataDir.layer`
 * itself (to share it with live telemetry). The database is opened on the
 * first query: a run stopped by the marker or consent never touches it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServices = (options: ServicesOptions): Layer.Layer<ActivitySource | PostHogSink.PostHogSink> =>
  Layer.merge(
    layerLazy(RuntimeActivitySource.layer(options.database, options), RuntimeActivitySource.concurrency(options.database, options)),
    PostHogSink.layer({ ...options.sink, keepAlive: options.sink?.keepAlive ?? options.keepAlive })
  )

/**
 * Every service `Backfill.run` needs, live.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<AppDataDir.Services | ActivitySource | PostHogSink.PostHogSink> =>
  Layer.merge(AppDataDir.layer(options), layerServices(options))
