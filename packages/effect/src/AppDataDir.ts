/**
 * An app's data dir and the services over its files, built once from the app's
 * definition: the config file (`ConfigFile`, with `Consent`, `InstallId`,
 * `FirstRunNotice` and `LiveSince` on it), and the backfill's own files: the
 * marker and the pending send (`MarkerStore`), the one-sender lease
 * (`SendLease`) and the attempt record (`AttemptLog`). The
 * backfill's layers and the live-telemetry layers both take it, so a host that
 * runs both builds it once and every service sees one config file through one
 * owner.
 *
 * ```ts
 * const app = AppDataDir.layer({ app: Presets.claudeMem, dataDir })
 * const live = Layer.mergeAll(NodeBackfill.layerServices({ database }), Telemetry.layer(options)).pipe(Layer.provideMerge(app))
 * ```
 *
 * @since 0.1.0
 */
import type { BackfillApp } from "@posthog-backfill/core"
import * as Layer from "effect/Layer"
import * as nodePath from "node:path"
import * as AttemptLog from "./AttemptLog.js"
import * as ConfigFile from "./ConfigFile.js"
import * as Consent from "./Consent.js"
import * as FirstRunNotice from "./FirstRunNotice.js"
import * as InstallId from "./InstallId.js"
import * as LiveOutbox from "./LiveOutbox.js"
import * as LiveSince from "./LiveSince.js"
import * as MarkerStore from "./MarkerStore.js"
import * as SendLease from "./SendLease.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly app: BackfillApp.BackfillApp
  /** The app's data dir: its config file and the backfill's files live here. */
  readonly dataDir: string
}

/**
 * The paths of an app's files in its data dir.
 *
 * @since 0.1.0
 * @category models
 */
export interface Files {
  /** The telemetry config file (consent, install id, notice version). */
  readonly configPath: string
  /** The backfill's completion marker. */
  readonly markerPath: string
  /** The backfill's pending-send record, beside the marker. */
  readonly pendingPath: string
  /** The backfill's one-sender lease, beside the marker. */
  readonly leasePath: string
  /** The backfill's record of failed deliveries, beside the marker. */
  readonly attemptsPath: string
}

/**
 * The paths of an app's files in `dataDir`.
 *
 * @since 0.1.0
 * @category getters
 */
export const files = (app: BackfillApp.BackfillApp, dataDir: string): Files => {
  const markerPath = nodePath.join(dataDir, app.markerFileName)
  const beside = (suffix: string) =>
    markerPath.endsWith(".json") ? `${markerPath.slice(0, -".json".length)}.${suffix}.json` : `${markerPath}.${suffix}`
  return {
    configPath: nodePath.join(dataDir, app.configFileName),
    markerPath,
    pendingPath: MarkerStore.pendingPathFor(markerPath),
    leasePath: beside("lease"),
    attemptsPath: beside("attempts")
  }
}

/**
 * Every service over the app's files.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | ConfigFile.ConfigFile
  | Consent.Consent
  | InstallId.InstallId
  | FirstRunNotice.FirstRunNotice
  | LiveSince.LiveSince
  | MarkerStore.MarkerStore
  | SendLease.SendLease
  | AttemptLog.AttemptLog
  | LiveOutbox.LiveOutbox

/**
 * The services over an app's files in its data dir.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Services> => {
  const { attemptsPath, configPath, leasePath, markerPath, pendingPath } = files(options.app, options.dataDir)
  const onConfig = Layer.mergeAll(
    Consent.layer({ envPrefix: options.app.consentEnvPrefix }),
    InstallId.layer({ key: options.app.installIdKey }),
    FirstRunNotice.layer({ envPrefix: options.app.consentEnvPrefix }),
    LiveSince.layer
  )
  return Layer.mergeAll(
    onConfig.pipe(Layer.provideMerge(ConfigFile.layer({ path: configPath }))),
    MarkerStore.layer({ path: markerPath, pendingPath }),
    SendLease.layer({ path: leasePath }),
    AttemptLog.layer({ path: attemptsPath }),
    LiveOutbox.layer({ path: LiveOutbox.pathFor(configPath) })
  )
}
