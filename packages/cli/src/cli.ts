/**
 * The `posthog-backfill` command tree (`plan`, `send`, `demo`, `consent`,
 * `dashboards`) and its runner
 * over `process.argv`-style arguments.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import { readFileSync } from "node:fs"
import * as consent from "./commands/consent.js"
import * as dashboards from "./commands/dashboards.js"
import * as demo from "./commands/demo.js"
import * as plan from "./commands/plan.js"
import * as send from "./commands/send.js"
import { stdout } from "./render/output.js"

/**
 * The package version (from packages/cli/package.json, next to `src/` and `dist/`).
 *
 * @since 0.1.0
 * @category constants
 */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown }
    return typeof pkg.version === "string" ? pkg.version : "0.0.0"
  } catch {
    return "0.0.0"
  }
})()

/**
 * The root command. Without a subcommand it says where to start.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("posthog-backfill", {}, () =>
  stdout(
    "posthog-backfill: a one-time, anonymized PostHog historical backfill of a local-first app's SQLite history.",
    "",
    "  posthog-backfill demo                  the whole job on a generated sample, offline (start here)",
    "  posthog-backfill plan [--db <file>]    dry run: what would be sent (--json for machines)",
    "  posthog-backfill send [--db <file>]    run the gated backfill as the app would",
    "  posthog-backfill consent status        which rule decides telemetry consent (enable|disable write the config)",
    "  posthog-backfill dashboards print      the dashboards as HogQL (apply creates or updates them in PostHog)",
    "",
    "Run `posthog-backfill <command> --help` for the options of each command."
  )).pipe(
    Command.withDescription("One-time anonymized PostHog historical backfill of a local SQLite history."),
    Command.withSubcommands([plan.command, send.command, demo.command, consent.command, dashboards.command])
  )

/**
 * Parses `argv` (`[node, script, ...args]`) and runs the command it names.
 *
 * @since 0.1.0
 * @category running
 */
export const run = Command.run(command, { name: "posthog-backfill", version: VERSION })
