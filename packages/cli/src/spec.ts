/**
 * The command line as data: every command, its options (one line each, with
 * the default and the environment fallback), its examples. The parser
 * (`args/parse.ts`) and the help (`args/help.ts`) both read it, so there is
 * one source of truth, and neither needs Effect: `--help` and a mistyped
 * command answer before any of the library loads.
 *
 * @since 0.1.0
 */

/**
 * One option.
 *
 * @since 0.1.0
 * @category models
 */
export interface OptionSpec {
  /** The long name, without `--`. */
  readonly name: string
  /**
   * `text` takes a value, `integer` a whole number, `choice` one of `choices`,
   * `list` a value and may repeat; `flag` takes none.
   */
  readonly kind: "text" | "integer" | "choice" | "list" | "flag"
  /** What the value is, shown as `<placeholder>`. */
  readonly placeholder?: string | undefined
  readonly choices?: ReadonlyArray<string> | undefined
  /** One line. */
  readonly summary: string
  /** Shown as `default: ...`. */
  readonly default?: string | undefined
  /** The environment variable used when the option is not given. */
  readonly env?: string | undefined
}

/**
 * One command (a subcommand's name has a space: `consent status`).
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandSpec {
  readonly name: string
  /** One line, for the command list. */
  readonly summary: string
  /** A short paragraph for the command's own help. */
  readonly description: string
  readonly options: ReadonlyArray<OptionSpec>
  readonly examples: ReadonlyArray<{ readonly command: string; readonly what: string }>
}

const preset: OptionSpec = {
  name: "preset",
  kind: "text",
  placeholder: "name",
  summary: "A bundled app: claude-mem or job-runner",
  default: "claude-mem"
}
const app: OptionSpec = {
  name: "app",
  kind: "text",
  placeholder: "module",
  summary: "Your app's module or package",
  default: "a posthog-backfill.config.*"
}
const db: OptionSpec = {
  name: "db",
  kind: "text",
  placeholder: "file",
  summary: "The app's SQLite database, opened read-only",
  default: "the preset's own"
}
const dataDir = (summary: string): OptionSpec => ({ name: "data-dir", kind: "text", placeholder: "dir", summary, default: "the preset's own" })
const now: OptionSpec = {
  name: "now",
  kind: "text",
  placeholder: "ISO-8601",
  summary: "Pretend it is this instant (UTC unless it has an offset)",
  default: "the clock"
}
const busyTimeout: OptionSpec = {
  name: "busy-timeout",
  kind: "integer",
  placeholder: "ms",
  summary: "How long to wait for the app's own write locks",
  default: "5000"
}
const installId = (summary: string, fallback: string): OptionSpec => ({
  name: "install-id",
  kind: "text",
  placeholder: "id",
  summary,
  default: fallback
})
const json = (shape: string): OptionSpec => ({ name: "json", kind: "flag", summary: `Print one JSON object: ${shape}` })
const dashboardSelection: ReadonlyArray<OptionSpec> = [
  app,
  preset,
  {
    name: "dashboard",
    kind: "choice",
    placeholder: "which",
    choices: ["own", "activity", "compaction", "all"],
    summary: "Which dashboards",
    default: "own"
  },
  {
    name: "activity-event",
    kind: "list",
    placeholder: "name",
    summary: "A live event that counts as activity too",
    default: "none"
  },
  {
    name: "install-event",
    kind: "text",
    placeholder: "event",
    summary: "The app's live install event",
    default: "install_completed"
  }
]

/** `consent enable` / `consent disable`: one shape, the flag written. */
const consentWrite = (enabled: boolean, then: string): CommandSpec => {
  const verb = enabled ? "enable" : "disable"
  return {
    name: `consent ${verb}`,
    summary: `Turn telemetry ${enabled ? "on" : "off"} in the app's config file`,
    description: `Writes "enabled": ${enabled} to the app's config file, keeping every other key. ${then}`,
    options: [app, preset, dataDir("The app's data dir, where its config file is"), json("what was written and the decision")],
    examples: [
      { command: `posthog-backfill consent ${verb}`, what: "for claude-mem" },
      { command: `posthog-backfill consent ${verb} --data-dir ./data`, what: "for an app's data dir" }
    ]
  }
}

/**
 * The commands, in the order the top-level help lists them.
 *
 * @since 0.1.0
 * @category constants
 */
export const COMMANDS: ReadonlyArray<CommandSpec> = [
  {
    name: "demo",
    summary: "The whole job on a generated sample, offline (start here)",
    description:
      "Generates a sample claude-mem database in a temp dir, shows its plan, sends it to a local capture server on " +
      "127.0.0.1 through the real program and client, shows what arrived, runs again to show the marker makes it a " +
      "no-op, and cleans up. No arguments, no network.",
    options: [],
    examples: [
      { command: "posthog-backfill demo", what: "everything, on 127.0.0.1" },
      { command: "posthog-backfill demo --log-level info", what: "with the library's own messages" }
    ]
  },
  {
    name: "plan",
    summary: "Dry run: what the next send would capture (--json for machines)",
    description:
      "Reads the database read-only and shows the window, the days, the events, the totals and a per-month chart, " +
      "and where the data dir stands (marker, pending send, backoff, lease, live era). Writes nothing, sends nothing.",
    options: [
      db,
      dataDir("The app's data dir (read only)"),
      app,
      preset,
      now,
      installId("The install id the events carry", "the data dir's, or a placeholder"),
      busyTimeout,
      json("the window, the events, the data dir's state")
    ],
    examples: [
      { command: "posthog-backfill plan", what: "the preset's own database and data dir" },
      { command: "posthog-backfill plan --db ./app.db --json", what: "a file, for machines" },
      { command: "posthog-backfill plan --now 2026-06-12", what: "as if it were that day" }
    ]
  },
  {
    name: "send",
    summary: "Run the one-time backfill as the app would",
    description:
      "Marker, consent, rollout, backoff, one sender, clock check, then the send with historical_migration; the marker " +
      "only after a confirmed delivery. Exit 0 when sent or stopped by a gate, 1 when delivery failed or the clock " +
      "was refused.",
    options: [
      db,
      dataDir("The app's data dir: config, marker"),
      app,
      preset,
      { name: "api-key", kind: "text", placeholder: "key", summary: "The PostHog project API key (phc_...)", env: "POSTHOG_API_KEY" },
      { name: "host", kind: "text", placeholder: "url", summary: "The PostHog host", env: "POSTHOG_HOST", default: "https://us.i.posthog.com" },
      { name: "force", kind: "flag", summary: "Try now despite a backoff (never the marker or a sender)" },
      now,
      busyTimeout,
      installId("Send under this install id", "the data dir's, created if missing"),
      json("the outcome and its details")
    ],
    examples: [
      { command: "posthog-backfill send --api-key phc_...", what: "the preset's own database" },
      { command: "POSTHOG_API_KEY=phc_... posthog-backfill send --db ./app.db", what: "a file" },
      { command: "posthog-backfill send --force", what: "retry now after a failed delivery" }
    ]
  },
  {
    name: "verify",
    summary: "After a send: check what PostHog holds for this install",
    description:
      "Queries PostHog (a personal API key with query:read) for this install's backfilled events and checks them against " +
      "the data dir's marker: the count, the window, one activity event per day, no uuid stored twice, every timestamp " +
      "at noon UTC, one person. Reads only. Exit 0 when every check passed, 1 when one failed.",
    options: [
      dataDir("The app's data dir: the marker to check against"),
      app,
      preset,
      { name: "host", kind: "text", placeholder: "url", summary: "PostHog's app host, e.g. https://us.posthog.com" },
      { name: "project-id", kind: "text", placeholder: "id", summary: "The numeric project id (Project settings)" },
      { name: "api-key", kind: "text", placeholder: "key", summary: "A personal API key (phx_...) with query:read", env: "POSTHOG_PERSONAL_API_KEY" },
      json("every check, the events per name, the days")
    ],
    examples: [
      { command: "posthog-backfill verify --host https://us.posthog.com --project-id 12", what: "after a send" },
      { command: "posthog-backfill verify --project-id 12 --host ... --json", what: "for machines" }
    ]
  },
  {
    name: "consent status",
    summary: "Whether telemetry is on, and which rule decided",
    description:
      "Telemetry consent for the backfill and live events alike. Rules, strongest first: DO_NOT_TRACK, <PREFIX>=0|1, " +
      "the config file's \"enabled\" (anything but true is off), CI, then on by default.",
    options: [app, preset, dataDir("The app's data dir, where its config file is"), json("the decision and the config file")],
    examples: [
      { command: "posthog-backfill consent status", what: "for claude-mem" },
      { command: "posthog-backfill consent status --json", what: "for machines" }
    ]
  },
  consentWrite(true, "DO_NOT_TRACK, the env var and CI still win."),
  consentWrite(false, "The backfill and live events honour it."),
  {
    name: "dashboards print",
    summary: "The app's dashboards as HogQL (offline)",
    description: "Prints the HogQL of the app's dashboards: review it, or paste it into PostHog's SQL editor.",
    options: [...dashboardSelection, json("each dashboard's insights and their HogQL")],
    examples: [
      { command: "posthog-backfill dashboards print", what: "the app's own dashboards" },
      { command: "posthog-backfill dashboards print --dashboard compaction", what: "the compaction example's" },
      { command: "posthog-backfill dashboards print --activity-event session_started", what: "live events count too" }
    ]
  },
  {
    name: "dashboards apply",
    summary: "Create or update the dashboards in a PostHog project",
    description:
      "Through PostHog's REST API with a personal API key. Idempotent: insights are keyed by a marker in their " +
      "description, so renames update in place and a second apply writes nothing. Which: own (the default) is " +
      "the app's activity dashboard and those it declares; all adds the compaction example's.",
    options: [
      ...dashboardSelection,
      { name: "host", kind: "text", placeholder: "url", summary: "PostHog's app host, e.g. https://us.posthog.com" },
      { name: "project-id", kind: "text", placeholder: "id", summary: "The numeric project id (Project settings)" },
      { name: "api-key", kind: "text", placeholder: "key", summary: "A personal API key (phx_...)", env: "POSTHOG_PERSONAL_API_KEY" },
      { name: "dry-run", kind: "flag", summary: "Print the writes; write nothing (offline without a key)" },
      { name: "prune", kind: "flag", summary: "Delete managed insights no longer defined" },
      json("each dashboard's id and writes")
    ],
    examples: [
      { command: "posthog-backfill dashboards apply --host https://us.posthog.com --project-id 12", what: "apply" },
      { command: "posthog-backfill dashboards apply --dry-run", what: "offline, no key" },
      { command: "posthog-backfill dashboards apply --dry-run --host ... --project-id 12", what: "read the project" }
    ]
  }
]

/**
 * Options every command takes.
 *
 * @since 0.1.0
 * @category constants
 */
export const GLOBAL_OPTIONS: ReadonlyArray<OptionSpec> = [
  {
    name: "log-level",
    kind: "choice",
    placeholder: "level",
    choices: ["debug", "info", "warning", "error", "none"],
    summary: "Library messages to print",
    default: "error"
  },
  { name: "help", kind: "flag", summary: "Show the help of the command" }
]

/**
 * The program's name, as users type it.
 *
 * @since 0.1.0
 * @category constants
 */
export const PROGRAM = "posthog-backfill"
