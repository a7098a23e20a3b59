/**
 * The command line, parsed against the spec (`spec.ts`): which command, its
 * option values, or a usage error with a "did you mean". Pure: no Effect, no
 * I/O, so it runs before anything else loads.
 *
 * @since 0.1.0
 */
import { COMMANDS, type CommandSpec, GLOBAL_OPTIONS, type OptionSpec, PROGRAM } from "../spec.js"
import { suggest } from "./suggest.js"

/**
 * The values of a command's options: a string, a number, `true` for a flag,
 * the strings of a repeated option; absent when not given.
 *
 * @since 0.1.0
 * @category models
 */
export type Values = Readonly<Record<string, string | number | boolean | ReadonlyArray<string>>>

/**
 * @since 0.1.0
 * @category models
 */
export type Parsed =
  | { readonly _tag: "Run"; readonly command: CommandSpec; readonly values: Values }
  | { readonly _tag: "Help"; readonly command: CommandSpec | undefined; readonly group?: string | undefined }
  | { readonly _tag: "Version" }
  | { readonly _tag: "UsageError"; readonly message: string; readonly command: CommandSpec | undefined; readonly json: boolean }

const GROUPS = [...new Set(COMMANDS.filter((command) => command.name.includes(" ")).map((command) => command.name.split(" ")[0]!))]
const TOP_LEVEL = [...new Set(COMMANDS.map((command) => command.name.split(" ")[0]!))]

const commandsOf = (group: string) => COMMANDS.filter((command) => command.name.startsWith(`${group} `)).map((command) => command.name.slice(group.length + 1))

/** Finds the command the first word(s) name, or why not. */
const findCommand = (words: ReadonlyArray<string>): { readonly command: CommandSpec; readonly used: number } | { readonly group: string } | { readonly error: string } | undefined => {
  const [first, second] = words
  if (first === undefined || first.startsWith("-")) return undefined
  if (GROUPS.includes(first)) {
    if (second === undefined || second.startsWith("-")) return { group: first }
    const command = COMMANDS.find((candidate) => candidate.name === `${first} ${second}`)
    if (command !== undefined) return { command, used: 2 }
    const close = suggest(second, commandsOf(first))
    return { error: `unknown command "${first} ${second}"${close === undefined ? "" : `; did you mean "${first} ${close}"?`} (${first}: ${commandsOf(first).join(", ")})` }
  }
  const command = COMMANDS.find((candidate) => candidate.name === first)
  if (command !== undefined) return { command, used: 1 }
  const close = suggest(first, TOP_LEVEL)
  return { error: `unknown command "${first}"${close === undefined ? "" : `; did you mean "${close}"?`} (see \`${PROGRAM} --help\`)` }
}

/**
 * Parses the arguments after the program's name.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (args: ReadonlyArray<string>): Parsed => {
  const wantsJson = args.includes("--json")
  const usage = (message: string, command: CommandSpec | undefined): Parsed => ({ _tag: "UsageError", message, command, json: wantsJson })
  if (args.includes("--help") || args.includes("-h")) {
    const found = findCommand(args)
    if (found !== undefined && "command" in found) return { _tag: "Help", command: found.command }
    if (found !== undefined && "group" in found) return { _tag: "Help", command: undefined, group: found.group }
    return { _tag: "Help", command: undefined }
  }
  if (args.length === 0) return { _tag: "Help", command: undefined }
  if (args.length === 1 && args[0] === "--version") return { _tag: "Version" }
  const found = findCommand(args)
  if (found === undefined) return usage(`${JSON.stringify(args[0])} is not a command: name one first (see \`${PROGRAM} --help\`)`, undefined)
  if ("error" in found) return usage(found.error, undefined)
  if ("group" in found) return { _tag: "Help", command: undefined, group: found.group }
  const { command } = found
  const known = [...command.options, ...GLOBAL_OPTIONS]
  const values: Record<string, string | number | boolean | ReadonlyArray<string>> = {}
  const rest = args.slice(found.used)
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!
    if (!token.startsWith("--")) {
      return usage(`unexpected ${JSON.stringify(token)}: ${command.name} takes only options (see \`${PROGRAM} ${command.name} --help\`)`, command)
    }
    const eq = token.indexOf("=")
    const name = token.slice(2, eq === -1 ? undefined : eq)
    const option = known.find((candidate) => candidate.name === name)
    if (option === undefined) {
      const close = suggest(name, known.map((candidate) => candidate.name))
      return usage(
        `unknown option --${name} for ${command.name}${close === undefined ? "" : `; did you mean --${close}?`} (see \`${PROGRAM} ${command.name} --help\`)`,
        command
      )
    }
    if (option.kind === "flag") {
      if (eq !== -1) return usage(`--${name} takes no value`, command)
      values[name] = true
      continue
    }
    const raw = eq === -1 ? rest[++i] : token.slice(eq + 1)
    if (raw === undefined || (eq === -1 && raw.startsWith("--"))) return usage(`--${name} needs a value: --${name} <${option.placeholder ?? "value"}>`, command)
    const value = checkValue(option, raw)
    if (typeof value === "object" && value !== null && "error" in value) return usage(value.error, command)
    if (option.kind === "list") {
      values[name] = [...((values[name] as ReadonlyArray<string> | undefined) ?? []), raw]
    } else {
      if (name in values) return usage(`--${name} is given twice: give it once`, command)
      values[name] = value as string | number
    }
  }
  return { _tag: "Run", command, values }
}

const checkValue = (option: OptionSpec, raw: string): string | number | { readonly error: string } => {
  if (option.kind === "integer") {
    const value = Number(raw.trim())
    return raw.trim() !== "" && Number.isSafeInteger(value)
      ? value
      : { error: `--${option.name} ${JSON.stringify(raw)} is not a whole number: pass e.g. --${option.name} ${option.default ?? "1000"}` }
  }
  if (option.kind === "choice" && !(option.choices ?? []).includes(raw)) {
    const close = suggest(raw, option.choices ?? [])
    return { error: `--${option.name} ${JSON.stringify(raw)} is not one of ${(option.choices ?? []).join(", ")}${close === undefined ? "" : `; did you mean ${close}?`}` }
  }
  return raw
}
