/**
 * Consent resolution, pure: an environment record and the app's config file in,
 * a decision and the rule that made it out. The same rules gate live events and
 * the backfill. In order of precedence:
 *
 * 1. `DO_NOT_TRACK` set to anything but empty, `0` or `false` -> off.
 * 2. `<PREFIX>` = `0`/`false`/`off` -> off; `1`/`true`/`on` -> on (forces on over 3 and 4).
 * 3. the config file's `enabled` when it is anything but the boolean `true`
 *    -> off (`false`, `"false"`, `"true"` (a string), `0`, `null`...: it fails
 *    closed; honoured even when the file holds nothing else).
 * 4. a CI environment -> off.
 * 5. otherwise on.
 *
 * `<PREFIX>_DEBUG` = exactly `1` is a dry run: print, send nothing, write nothing.
 *
 * @since 0.1.0
 */

/**
 * An environment snapshot (Node's environment record fits).
 *
 * @since 0.1.0
 * @category models
 */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * The rule that decided.
 *
 * @since 0.1.0
 * @category models
 */
export type ConsentSource = "do-not-track" | "env" | "config" | "ci" | "default"

/**
 * @since 0.1.0
 * @category models
 */
export interface ConsentDecision {
  readonly enabled: boolean
  readonly source: ConsentSource
  /** One line a person can read, e.g. `CLAUDE_MEM_TELEMETRY=0 turned telemetry off`. */
  readonly reason: string
  /** `<PREFIX>_DEBUG=1`: a dry run. */
  readonly debug: boolean
}

/**
 * Environment variables whose presence marks a CI machine (the common ones).
 *
 * @since 0.1.0
 * @category constants
 */
export const CI_ENV_VARS: ReadonlyArray<string> = [
  "CI",
  "CONTINUOUS_INTEGRATION",
  "BUILD_ID",
  "BUILD_NUMBER",
  "RUN_ID",
  "GITHUB_ACTIONS",
  "GITLAB_CI",
  "CIRCLECI",
  "TRAVIS",
  "BUILDKITE",
  "DRONE",
  "JENKINS_URL",
  "TEAMCITY_VERSION",
  "TF_BUILD",
  "APPVEYOR",
  "CODEBUILD_BUILD_ID",
  "BITBUCKET_BUILD_NUMBER",
  "SEMAPHORE",
  "NETLIFY",
  "HEROKU_TEST_RUN_ID"
]

const OFF = new Set(["0", "false", "off"])
const ON = new Set(["1", "true", "on"])

/** `CI=false` or `CI=0` is a common way to say "not CI". */
const isSetAndNotFalse = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== "" && !["0", "false"].includes(value.trim().toLowerCase())

/**
 * The CI variable that marks this environment as CI, if any.
 *
 * @since 0.1.0
 * @category consent
 */
export const detectCi = (env: Env): string | undefined => CI_ENV_VARS.find((name) => isSetAndNotFalse(env[name]))

/**
 * Resolves consent. `config` is the parsed config file (or `undefined` when
 * there is none); an `enabled` key that is present and not the boolean `true`
 * turns telemetry off, and the reason quotes the value that decided.
 *
 * @since 0.1.0
 * @category consent
 */
export const resolveConsent = (options: {
  readonly env: Env
  readonly envPrefix: string
  readonly config?: Readonly<Record<string, unknown>> | undefined
}): ConsentDecision => {
  const { env, envPrefix } = options
  const debug = env[`${envPrefix}_DEBUG`] === "1"
  const decide = (enabled: boolean, source: ConsentSource, reason: string): ConsentDecision => ({
    enabled,
    source,
    reason,
    debug
  })

  const doNotTrack = env["DO_NOT_TRACK"]
  if (isSetAndNotFalse(doNotTrack)) {
    return decide(false, "do-not-track", `DO_NOT_TRACK=${doNotTrack} turned telemetry off`)
  }
  const flag = env[envPrefix]?.trim().toLowerCase()
  if (flag !== undefined && OFF.has(flag)) return decide(false, "env", `${envPrefix}=${env[envPrefix]} turned telemetry off`)
  if (flag !== undefined && ON.has(flag)) return decide(true, "env", `${envPrefix}=${env[envPrefix]} turned telemetry on`)
  const config = options.config
  if (config !== undefined && Object.hasOwn(config, "enabled") && config["enabled"] !== true) {
    const value = JSON.stringify(config["enabled"]) ?? String(config["enabled"])
    return decide(
      false,
      "config",
      config["enabled"] === false
        ? "the telemetry config file says enabled: false"
        : `the telemetry config file says "enabled": ${value}, which is not the boolean true, so telemetry is off`
    )
  }
  const ci = detectCi(env)
  if (ci !== undefined) return decide(false, "ci", `${ci} is set, so this looks like CI; telemetry is off`)
  return decide(true, "default", "telemetry is on by default")
}
