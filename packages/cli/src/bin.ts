/**
 * The entry point of the `posthog-backfill` command (loaded by
 * `bin/posthog-backfill.js`). It parses the command line against the spec
 * and answers `--help`, `--version` and a mistyped command or option (with a
 * "did you mean") at once, before anything heavy loads; only then does it
 * load the one command that runs (Effect, the library, posthog-node, the
 * SQLite driver), so a person never waits for what the command does not use.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { renderCommandHelp, renderTopHelp } from "./args/help.js"
import { parse, type Values } from "./args/parse.js"
import { PROGRAM } from "./spec.js"

/** The package version (package.json, beside `bin/` and `dist/`). */
const version = (): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown }
    return typeof pkg.version === "string" ? pkg.version : "0.0.0"
  } catch {
    return "0.0.0"
  }
}

/** Each command's module, loaded only when it runs. */
const COMMANDS: Record<string, (values: Values) => Promise<number>> = {
  demo: async (values) => (await import("./commands/demo.js")).main(values),
  plan: async (values) => (await import("./commands/plan.js")).main(values),
  send: async (values) => (await import("./commands/send.js")).main(values),
  "consent status": async (values) => (await import("./commands/consent.js")).main("status", values),
  "consent enable": async (values) => (await import("./commands/consent.js")).main("enable", values),
  "consent disable": async (values) => (await import("./commands/consent.js")).main("disable", values),
  "dashboards print": async (values) => (await import("./commands/dashboards.js")).main("print", values),
  "dashboards apply": async (values) => (await import("./commands/dashboards.js")).main("apply", values),
  verify: async (values) => (await import("./commands/verify.js")).main(values)
}

const write = (lines: ReadonlyArray<string>) => process.stdout.write(lines.map((line) => `${line}\n`).join(""))

/** Runs the command line; resolves the exit code. */
export const main = async (args: ReadonlyArray<string>): Promise<number> => {
  const parsed = parse(args)
  switch (parsed._tag) {
    case "Help":
      write(parsed.command === undefined ? renderTopHelp(parsed.group) : renderCommandHelp(parsed.command))
      return 0
    case "Version":
      write([version()])
      return 0
    case "UsageError":
      process.stderr.write(
        parsed.json
          ? `${JSON.stringify({ error: { code: "usage", exitCode: 2, message: parsed.message } })}\n`
          : `${PROGRAM}: ${parsed.message}\n`
      )
      return 2
    case "Run":
      return COMMANDS[parsed.command.name]!(parsed.values)
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`${PROGRAM}: could not start: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
)
