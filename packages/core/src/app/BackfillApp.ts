/**
 * An app's whole backfill configuration: its rollup spec, the keys it may
 * ship, its person keys, its uuid namespace, its file names and its consent
 * environment prefix. Presets (`presets/`) are values of this type.
 *
 * @since 0.1.0
 */
import * as Rollout from "../protocol/Rollout.js"
import { DEFAULT_FLOOR_MS } from "../time/Epoch.js"
import { isUuid } from "../events/EventId.js"
import { isPropertyKey, RESERVED_KEYS, type RollupSpec, specKeys, validateRollupSpec } from "../rollup/RollupSpec.js"
import type { PropertyWhitelist } from "../events/Scrub.js"
import { isHogQLEventName } from "../dashboards/HogQL.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface BackfillApp {
  /** A short name used in logs and errors, e.g. `claude-mem`. */
  readonly name: string
  readonly spec: RollupSpec
  /** The namespace of every event uuid (RFC 4122 v5); fixed for the app's lifetime. */
  readonly namespace: string
  /** Base properties the app may attach to `install_inferred` (version, os, ...), with their kinds. */
  readonly baseProperties: PropertyWhitelist
  /** Keys copied into `$set` when present on `install_inferred`. `first_active_date` always goes to `$set_once`. */
  readonly personPropertyKeys: ReadonlyArray<string>
  /** Environment prefix for consent: `<PREFIX>=0|1` and `<PREFIX>_DEBUG=1`. */
  readonly consentEnvPrefix: string
  /** The marker file in the app's data dir. */
  readonly markerFileName: string
  /** The app's telemetry config file in its data dir (`enabled`, the install id). */
  readonly configFileName: string
  /** The key of the install id in the config file. */
  readonly installIdKey: string
  /** Normalized epochs below this are corrupt and ignored everywhere. */
  readonly floorMs: number
  /** The app's own default paths, relative to the user's home directory. */
  readonly defaultPaths?: { readonly dataDir: string; readonly database: string } | undefined
  /**
   * The staged rollout: the share of installs that send, the window their
   * sends spread over, and the longest in-process start delay. Default
   * `Rollout.DEFAULT_ROLLOUT` (every install, spread over 48 hours, no wait).
   */
  readonly rollout: Rollout.Rollout
  /**
   * The app's live events that mean an install was active (e.g. `worker_started`):
   * the activity dashboard counts them with `historical_activity`, so its active
   * installs and retention go on past the backfill's last day.
   */
  readonly liveActivityEvents?: ReadonlyArray<string> | undefined
  /** The app's live install event (with `is_update`). Default `install_completed`. */
  readonly liveInstallEvent?: string | undefined
}

/**
 * The input of {@link defineBackfillApp}: file names, the floor and the
 * install id key have defaults.
 *
 * @since 0.1.0
 * @category models
 */
export type BackfillAppInput = Omit<BackfillApp, "markerFileName" | "configFileName" | "installIdKey" | "floorMs" | "rollout"> & {
  readonly markerFileName?: string | undefined
  readonly configFileName?: string | undefined
  readonly installIdKey?: string | undefined
  readonly floorMs?: number | undefined
  readonly rollout?: Partial<Rollout.Rollout> | undefined
}

/**
 * Thrown by {@link defineBackfillApp}; lists every problem at once.
 *
 * @since 0.1.0
 * @category errors
 */
export class BackfillAppError extends Error {
  override readonly name = "BackfillAppError"
  constructor(
    readonly app: string,
    readonly problems: ReadonlyArray<string>
  ) {
    super(`Invalid backfill app "${app}": fix these and try again:\n- ${problems.join("\n- ")}`)
  }
}

const ENV_PREFIX = /^[A-Z][A-Z0-9_]*$/
const FILE_NAME = /^[A-Za-z0-9._-]+$/

/**
 * Every problem with an app definition, as sentences (empty when valid).
 *
 * @since 0.1.0
 * @category validation
 */
export const validateBackfillApp = (app: BackfillApp): ReadonlyArray<string> => {
  const problems = [...validateRollupSpec(app.spec)]
  if (!isUuid(app.namespace)) problems.push(`namespace ${JSON.stringify(app.namespace)} is not a UUID`)
  if (!ENV_PREFIX.test(app.consentEnvPrefix)) {
    problems.push(`consentEnvPrefix ${JSON.stringify(app.consentEnvPrefix)} must be UPPER_SNAKE_CASE`)
  }
  for (const [what, name] of [["markerFileName", app.markerFileName], ["configFileName", app.configFileName]] as const) {
    if (!FILE_NAME.test(name) || name === "." || name === "..") {
      problems.push(`${what} ${JSON.stringify(name)} must be a plain file name`)
    }
  }
  if (app.markerFileName === app.configFileName) {
    problems.push("markerFileName and configFileName must differ (saving the config would clobber the marker)")
  }
  const counters = new Set(specKeys(app.spec))
  for (const key of Object.keys(app.baseProperties)) {
    if (!isPropertyKey(key) && !POSTHOG_BASE_PROPERTIES.includes(key)) {
      problems.push(`base property ${JSON.stringify(key)} is not a plain property key (or one of ${POSTHOG_BASE_PROPERTIES.join(", ")})`)
    }
    if (counters.has(key) || RESERVED_KEYS.includes(key)) {
      problems.push(`base property "${key}" collides with a key the backfill produces`)
    }
  }
  for (const key of app.personPropertyKeys) {
    if (!Object.hasOwn(app.baseProperties, key) && key !== "first_active_date") {
      problems.push(`person key "${key}" is not a base property, so it could never be set`)
    }
  }
  if (!Number.isFinite(app.floorMs)) problems.push("floorMs must be a finite epoch in milliseconds")
  problems.push(...Rollout.validateRollout(app.rollout))
  for (const event of [...(app.liveActivityEvents ?? []), ...(app.liveInstallEvent === undefined ? [] : [app.liveInstallEvent])]) {
    if (!isHogQLEventName(event)) problems.push(`live event name ${JSON.stringify(event)} is not accepted: use letters, digits and _ $ . : -`)
  }
  return problems
}

/**
 * PostHog's own property names an app may whitelist as base properties
 * (`NodeTelemetry.detectBaseProperties(version, { naming: "posthog" })` fills them).
 *
 * @since 0.1.0
 * @category constants
 */
export const POSTHOG_BASE_PROPERTIES: ReadonlyArray<string> = ["$app_version", "$os", "$os_version"]

/**
 * Defines an app, filling defaults (`backfill.json`, `telemetry.json`,
 * `installId`, the 2024-01-01 floor, the default rollout) and throwing a {@link BackfillAppError}
 * that names every problem.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defineBackfillApp = (input: BackfillAppInput): BackfillApp => {
  const app: BackfillApp = {
    ...input,
    markerFileName: input.markerFileName ?? "backfill.json",
    configFileName: input.configFileName ?? "telemetry.json",
    installIdKey: input.installIdKey ?? "installId",
    floorMs: input.floorMs ?? DEFAULT_FLOOR_MS,
    rollout: {
      fraction: input.rollout?.fraction ?? Rollout.DEFAULT_ROLLOUT.fraction,
      spreadMs: input.rollout?.spreadMs ?? Rollout.DEFAULT_ROLLOUT.spreadMs,
      maxStartDelayMs: input.rollout?.maxStartDelayMs ?? Rollout.DEFAULT_ROLLOUT.maxStartDelayMs
    }
  }
  const problems = validateBackfillApp(app)
  if (problems.length > 0) throw new BackfillAppError(app.name, problems)
  return app
}

/**
 * The whitelist of every key the app's backfill events may carry: the spec's
 * counters (numbers), `backfilled` (boolean), `first_active_date` (the one
 * date string) and the app's base properties.
 *
 * @since 0.1.0
 * @category getters
 */
export const backfillWhitelist = (app: BackfillApp): PropertyWhitelist => {
  const whitelist: Record<string, "number" | "boolean" | "string"> = { ...app.baseProperties }
  for (const key of specKeys(app.spec)) whitelist[key] = "number"
  whitelist["backfilled"] = "boolean"
  whitelist["first_active_date"] = "string"
  return whitelist
}
