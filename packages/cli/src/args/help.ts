/**
 * The help, rendered from the spec (`spec.ts`): the program's commands one
 * line each, or one command's usage, description, options (one line each,
 * with the default and the environment fallback) and examples. Plain text,
 * under 100 columns.
 *
 * @since 0.1.0
 */
import { COMMANDS, type CommandSpec, GLOBAL_OPTIONS, type OptionSpec, PROGRAM } from "../spec.js"

const WIDTH = 100

/** Words of `text` in lines of at most `width` columns, each after `indent`. */
const wrap = (text: string, indent = "", width = WIDTH): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/)) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(`${indent}${line}`)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(`${indent}${line}`)
  return lines
}

const table = (rows: ReadonlyArray<readonly [string, string]>): ReadonlyArray<string> => {
  const width = Math.max(0, ...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
}

const optionLeft = (option: OptionSpec): string =>
  `--${option.name}${option.kind === "flag" ? "" : ` <${option.placeholder ?? "value"}>`}${option.kind === "list" ? "..." : ""}`

const optionRight = (option: OptionSpec): string => {
  const notes = [
    ...(option.choices !== undefined && option.kind === "choice" ? [option.choices.join("|")] : []),
    ...(option.env !== undefined ? [`env ${option.env}`] : []),
    ...(option.default !== undefined ? [`default: ${option.default}`] : [])
  ]
  return notes.length === 0 ? option.summary : `${option.summary} (${notes.join("; ")})`
}

/**
 * The top-level help, or a command group's (`consent`, `dashboards`).
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderTopHelp = (group?: string): ReadonlyArray<string> => {
  const commands = group === undefined ? COMMANDS : COMMANDS.filter((command) => command.name.startsWith(`${group} `))
  return [
    `Usage: ${PROGRAM} ${group ?? "<command>"}${group === undefined ? "" : " <command>"} [options]`,
    "",
    ...(group === undefined
      ? wrap("A one-time, anonymized PostHog historical backfill of a local-first app's SQLite history.")
      : []),
    ...(group === undefined ? [""] : []),
    "Commands:",
    ...table(commands.map((command) => [command.name, command.summary] as const)),
    "",
    "Options:",
    ...table([
      ["-h, --help", "Show this help, or a command's (posthog-backfill <command> --help)"],
      ...(group === undefined ? [["--version", "Print the version"] as const] : [])
    ]),
    "",
    `Run \`${PROGRAM} <command> --help\` for a command's options and examples.`
  ]
}

/**
 * One command's help.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderCommandHelp = (command: CommandSpec): ReadonlyArray<string> => [
  `Usage: ${PROGRAM} ${command.name}${command.options.length === 0 ? "" : " [options]"}`,
  "",
  ...wrap(command.description),
  "",
  ...(command.options.length === 0 ? [] : ["Options:", ...table(command.options.map((option) => [optionLeft(option), optionRight(option)] as const)), ""]),
  "Global options:",
  ...table(GLOBAL_OPTIONS.map((option) => [option.name === "help" ? "-h, --help" : optionLeft(option), optionRight(option)] as const)),
  "",
  "Examples:",
  ...table(command.examples.map((example) => [example.command, example.what] as const))
]
