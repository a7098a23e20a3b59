/**
 * Every live service of the backfill for an app on Node (or Bun, whose
 * `node:fs` the file layers use), composed from the app's definition and its
 * data dir: the database (a path opened read-only, or the host's own
 * connection), consent from the environment and the app's config file, the
 * install id and the marker in the data dir, and the posthog-node sink.
 *
 * @since 0.1.0
 */
import type { BackfillApp } from "@posthog-backfill/core"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Layer from "effect/Layer"
import * as path from "node:path"
import { type ActivitySource, type ActivitySourceError, layerDatabase, layerLazy } from "./ActivitySource.js"
import * as BunActivitySource from "./BunActivitySource.js"
import * as Consent from "./Consent.js"
import * as InstallId from "./InstallId.js"
import * as MarkerStore from "./MarkerStore.js"
import * as NodeActivitySource from "./NodeActivitySource.js"
import * as PostHogSink from "./PostHogSink.js"
import type { SqliteDatabase } from "./SqliteDatabase.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly app: BackfillApp
  /** The app's data dir: the marker and the config file (consent, install id) live here. */
  readonly dataDir: string
  /**
   * The SQLite file (opened read-only) or the host's own open connection (never
   * closed here). A path is read in a worker thread on Node, so the host's
   * event loop keeps running during the scan; a host's own connection is
   * queried on the thread that owns it (SQLite connections do not move between
   * threads): pass the path instead to keep a large scan off the event loop.
   */
  readonly database: string | SqliteDatabase
  /** How long to wait for the host's locks. Default 5000 ms. */
  readonly busyTimeoutMs?: number | undefined
  /**
   * Read a path on the calling thread instead of a worker thread (Node only;
   * Bun always reads inline). For scripts and runtimes without worker threads.
   * Default `false`.
   */
  readonly inline?: boolean | undefined
  /**
   * Worker threads reading a path on Node (`NodeActivitySource.layerWorker`).
   * Default `NodeActivitySource.DEFAULT_WORKERS`: two, or one on two cores
   * outside Linux.
   */
  readonly workers?: number | undefined
  /** Read at a lower CPU priority (Linux): see `NodeActivitySource.Options.lowPriority`. Default `true`. */
  readonly lowPriority?: boolean | undefined
  /** posthog-node tuning (retries, timeouts). Defaults are posthog-node's. */
  readonly sink?: PostHogSink.Options | undefined
}

/**
 * The files of an app in its data dir.
 *
 * @since 0.1.0
 * @category getters
 */
export const appFiles = (app: BackfillApp, dataDir: string) => ({
  markerPath: path.join(dataDir, app.markerFileName),
  configPath: path.join(dataDir, app.configFileName)
})

const isBun = (): boolean => typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"

/**
 * The activity source for a path or a host connection: on Node a path is read
 * in a worker thread (`NodeActivitySource.layerWorker`, better-sqlite3), or on
 * the calling thread with `inline: true`; on Bun through `bun:sqlite` on the
 * calling thread; a host connection on its own thread.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerActivitySource = (
  database: string | SqliteDatabase,
  busyTimeoutMs?: number | undefined,
  options?: {
    readonly inline?: boolean | undefined
    readonly workers?: number | undefined
    readonly lowPriority?: boolean | undefined
  }
): Layer.Layer<ActivitySource, ActivitySourceError> =>
  typeof database !== "string"
    ? layerDatabase(database)
    : isBun()
    ? BunActivitySource.layer({ path: database, busyTimeoutMs })
    : options?.inline === true
    ? NodeActivitySource.layer({ path: database, busyTimeoutMs })
    : NodeActivitySource.layerWorker({ path: database, busyTimeoutMs, workers: options?.workers, lowPriority: options?.lowPriority })

/** How many queries the source of {@link layerActivitySource} runs at once. */
const sourceConcurrency = (database: string | SqliteDatabase, options: Options): number =>
  typeof database === "string" && !isBun() && options.inline !== true
    ? Math.max(1, Math.floor(options.workers ?? NodeActivitySource.DEFAULT_WORKERS))
    : 1

/**
 * Every service `Backfill.run` needs, live.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  ActivitySource | Consent.Consent | InstallId.InstallId | MarkerStore.MarkerStore | PostHogSink.PostHogSink
> => {
  const { configPath, markerPath } = appFiles(options.app, options.dataDir)
  const files = Layer.mergeAll(
    Consent.layer({ envPrefix: options.app.consentEnvPrefix, configPath }),
    InstallId.layer({ configPath, key: options.app.installIdKey }),
    MarkerStore.layer({ path: markerPath })
  ).pipe(Layer.provide(NodeContext.layer))
  return Layer.mergeAll(
    files,
    // Opened on the first query: a run stopped by the marker or consent never touches the database.
    layerLazy(
      layerActivitySource(options.database, options.busyTimeoutMs, {
        inline: options.inline,
        workers: options.workers,
        lowPriority: options.lowPriority
      }),
      sourceConcurrency(options.database, options)
    ),
    PostHogSink.layer(options.sink)
  )
}
