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
import * as fs from "node:fs"
import * as os from "node:os"
import * as AppDataDir from "./AppDataDir.js"
import * as platform from "./internal/platform.js"
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
 * @since 0.1.0
 * @category base properties
 */
export interface DetectOptions {
  /**
   * `app` (default): `version`, `os`, `os_version`, `arch`, `runtime`,
   * `runtime_version`, `locale`. `posthog`: PostHog's own names where it has
   * them (`$app_version`, `$os`, `$os_version`), so breakdowns line up with
   * posthog-js data; the rest as above. The app whitelists the keys it uses.
   */
  readonly naming?: "app" | "posthog" | undefined
}

/**
 * The base properties of this process, with values a person recognises: the
 * app's `version` (given), the OS (`macOS`, `Windows`, `Linux`; PostHog's
 * `Mac OS X` under `naming: "posthog"`), its version (macOS's product version
 * such as `14.4`, not the Darwin kernel's; elsewhere the release), `arch`,
 * the runtime (`electron`, `bun` or `node`) and its version, and `locale`.
 * Never a path, a host name or a user name. Keys the app does not whitelist
 * are dropped by the `Telemetry` layer.
 *
 * @since 0.1.0
 * @category base properties
 */
export const detectBaseProperties = (version: string, options: DetectOptions = {}): Record<string, CaptureEvent.PropertyScalar> => {
  const naming = options.naming ?? "app"
  let locale: string | undefined
  try {
    locale = Intl.DateTimeFormat().resolvedOptions().locale
  } catch {
    locale = undefined
  }
  const facts = {
    platform: process.platform,
    release: os.release(),
    versions: process.versions as Readonly<Record<string, string | undefined>>,
    macSystemVersion: process.platform === "darwin" ? readSmall("/System/Library/CoreServices/SystemVersion.plist") : undefined
  }
  const runtime = platform.runtimeOf(facts.versions)
  const posthog = naming === "posthog"
  return {
    [posthog ? "$app_version" : "version"]: version,
    [posthog ? "$os" : "os"]: platform.osName(facts.platform, naming),
    [posthog ? "$os_version" : "os_version"]: platform.osVersion(facts),
    arch: process.arch,
    runtime: runtime.runtime,
    runtime_version: runtime.version,
    ...(locale === undefined ? {} : { locale })
  }
}

/** A small system file, or `undefined`. */
const readSmall = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, "utf8").slice(0, 64 * 1024)
  } catch {
    return undefined
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
