/**
 * Live telemetry for an app on Node (or Bun, whose `node:fs` and `node:os`
 * the layers use): `Telemetry.layer` over the app's data dir (consent from the
 * environment and the app's config file, the install id stored beside it,
 * the same files the backfill uses), and the base properties of the running
 * process.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import type { BackfillApp, PropertyScalar } from "@posthog-backfill/core"
import * as Layer from "effect/Layer"
import * as os from "node:os"
import * as path from "node:path"
import * as Consent from "./Consent.js"
import * as FirstRunNotice from "./FirstRunNotice.js"
import * as InstallId from "./InstallId.js"
import * as Telemetry from "./Telemetry.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends Telemetry.Options {
  /** The app's data dir: its telemetry config file (consent, install id, notice) lives here. */
  readonly dataDir: string
}

/**
 * The app's telemetry config file in its data dir.
 *
 * @since 0.1.0
 * @category getters
 */
export const configPath = (app: BackfillApp, dataDir: string): string => path.join(dataDir, app.configFileName)

const isBun = (): boolean => typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"

/**
 * The base properties of this process: `version` (given), `os`
 * (`process.platform`), `os_version` (the kernel release), `arch`, `runtime`
 * (`node` or `bun`), `runtime_version` and `locale`. Never a path, a host name
 * or a user name. Keys the app does not whitelist are dropped by the
 * `Telemetry` layer.
 *
 * @since 0.1.0
 * @category base properties
 */
export const detectBaseProperties = (version: string): Record<string, PropertyScalar> => {
  const bunVersion = (process.versions as { bun?: string }).bun
  let locale: string | undefined
  try {
    locale = Intl.DateTimeFormat().resolvedOptions().locale
  } catch {
    locale = undefined
  }
  return {
    version,
    os: process.platform,
    os_version: os.release(),
    arch: process.arch,
    runtime: isBun() ? "bun" : "node",
    runtime_version: isBun() && bunVersion !== undefined ? bunVersion : process.versions.node,
    ...(locale === undefined ? {} : { locale })
  }
}

/**
 * `Consent` and `InstallId` over the app's config file, on Node.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFiles = (
  app: BackfillApp,
  dataDir: string
): Layer.Layer<Consent.Consent | InstallId.InstallId> => {
  const file = configPath(app, dataDir)
  return Layer.mergeAll(
    Consent.layer({ envPrefix: app.consentEnvPrefix, configPath: file }),
    InstallId.layer({ configPath: file, key: app.installIdKey })
  ).pipe(Layer.provide(NodeContext.layer))
}

/**
 * The first-run notice over the app's config file, on Node.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFirstRunNotice = (app: BackfillApp, dataDir: string): Layer.Layer<FirstRunNotice.FirstRunNotice> =>
  FirstRunNotice.layer({ configPath: configPath(app, dataDir), envPrefix: app.consentEnvPrefix }).pipe(
    Layer.provide(NodeContext.layer)
  )

/**
 * The live `Telemetry` for an app's data dir, with consent and the install id
 * from its config file. Scoped: closing it shuts the client down.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Telemetry.Telemetry, Telemetry.TelemetryError> =>
  Telemetry.layer(options).pipe(Layer.provide(layerFiles(options.app, options.dataDir)))
