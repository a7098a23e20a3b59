/**
 * Live telemetry for an app on Node (or Bun, whose `node:fs` and `node:os`
 * the layers use): `Telemetry.layer` over the app's data dir (`AppDataDir`:
 * consent from the environment and the app's config file, the install id
 * stored beside it, the same files the backfill uses), and the base
 * properties of the running process.
 *
 * @since 0.1.0
 */
import type { CaptureEvent } from "@posthog-backfill/core"
import * as Layer from "effect/Layer"
import * as os from "node:os"
import * as AppDataDir from "./AppDataDir.js"
import { isBun } from "./RuntimeActivitySource.js"
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
 * The base properties of this process: `version` (given), `os`
 * (`process.platform`), `os_version` (the kernel release), `arch`, `runtime`
 * (`node` or `bun`), `runtime_version` and `locale`. Never a path, a host name
 * or a user name. Keys the app does not whitelist are dropped by the
 * `Telemetry` layer.
 *
 * @since 0.1.0
 * @category base properties
 */
export const detectBaseProperties = (version: string): Record<string, CaptureEvent.PropertyScalar> => {
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
 * The live `Telemetry` for an app's data dir, with consent and the install id
 * from its config file (and the first-run notice beside them). Scoped:
 * closing it shuts the client down. A host that also runs the backfill can
 * share one `AppDataDir.layer` instead: `Telemetry.layer(options)` over it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Telemetry.Telemetry | AppDataDir.Services, Telemetry.TelemetryError> =>
  Telemetry.layer(options).pipe(Layer.provideMerge(AppDataDir.layer({ app: options.app, dataDir: options.dataDir })))
