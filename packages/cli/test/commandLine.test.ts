/**
 * The command line itself: help a person can read (one line per option with
 * its default and environment fallback, examples, under 40 lines and 100
 * columns), "did you mean" for typos, global options on every command. The
 * help and the parser are checked against the spec in-process, and the real
 * bin is spawned for what a user types.
 */
import { describe, expect, it } from "vitest"
import { renderCommandHelp, renderTopHelp } from "../src/args/help.js"
import { parse } from "../src/args/parse.js"
import { suggest } from "../src/args/suggest.js"
import { COMMANDS, GLOBAL_OPTIONS } from "../src/spec.js"
import { expectNoTrace, spawnCli, useScratch } from "./support/spawnCli.js"

const space = useScratch("command-line")
const cli = (args: ReadonlyArray<string>) => spawnCli(space.home, args)

describe("the help", () => {
  it.each(COMMANDS.map((command) => [command.name, command] as const))("of %s: usage, one line per option, examples, short and narrow", (_name, command) => {
    const lines = renderCommandHelp(command)
    expect(lines[0]).toBe(`Usage: posthog-backfill ${command.name}${command.options.length === 0 ? "" : " [options]"}`)
    expect(lines.length).toBeLessThanOrEqual(40)
    for (const line of lines) expect([line, line.length <= 100]).toEqual([line, true])
    for (const option of [...command.options, ...GLOBAL_OPTIONS]) {
      const line = lines.find((candidate) => candidate.includes(`--${option.name}`))!
      expect([option.name, line]).toEqual([option.name, expect.stringContaining(option.summary)])
      if (option.default !== undefined) expect(line).toContain(`default: ${option.default}`)
      if (option.env !== undefined) expect(line).toContain(`env ${option.env}`)
    }
    const examples = lines.slice(lines.indexOf("Examples:") + 1)
    expect(examples.length).toBeGreaterThanOrEqual(2)
    for (const example of examples) expect(example).toMatch(/^  (\S+=\S+ )?posthog-backfill /)
  })

  it("at the top lists every command on one line", () => {
    const lines = renderTopHelp()
    for (const command of COMMANDS) expect(lines.filter((line) => line.trim().startsWith(`${command.name} `))).toHaveLength(1)
    expect(lines.length).toBeLessThanOrEqual(40)
  })

  it("is what the real bin prints, with nothing loaded but the parser", async () => {
    const top = await cli(["--help"])
    expect([top.code, top.stdout]).toEqual([0, `${renderTopHelp().join("\n")}\n`])
    const plan = await cli(["plan", "--help"])
    expect([plan.code, plan.stdout, plan.stderr]).toEqual([0, `${renderCommandHelp(COMMANDS.find((c) => c.name === "plan")!).join("\n")}\n`, ""])
    const group = await cli(["consent"])
    expect(group.stdout).toContain("Usage: posthog-backfill consent <command> [options]")
    expect(group.stdout).toContain("consent status")
    expect((await cli(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })
})

describe("mistakes", () => {
  it("suggest the closest command or option, and only when it is close", () => {
    expect(suggest("pln", ["demo", "plan", "send"])).toBe("plan")
    expect(suggest("bd", ["db", "data-dir"])).toBe("db")
    expect(suggest("dta-dir", ["db", "data-dir"])).toBe("data-dir")
    expect(suggest("zzzz", ["db", "data-dir"])).toBeUndefined()
  })

  it("end with one line, exit 2, and a did-you-mean, from the real bin", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["pln"], 'posthog-backfill: unknown command "pln"; did you mean "plan"? (see `posthog-backfill --help`)'],
      [["plan", "--bd", "x.db"], "posthog-backfill: unknown option --bd for plan; did you mean --db? (see `posthog-backfill plan --help`)"],
      [["consent", "stats"], 'posthog-backfill: unknown command "consent stats"; did you mean "consent status"? (consent: status, enable, disable)'],
      [["plan", "--busy-timeout", "soon"], 'posthog-backfill: --busy-timeout "soon" is not a whole number: pass e.g. --busy-timeout 5000'],
      [["dashboards", "print", "--dashboard", "activty"], 'posthog-backfill: --dashboard "activty" is not one of own, activity, compaction, all; did you mean activity?'],
      [["send", "--db"], "posthog-backfill: --db needs a value: --db <file>"],
      [["plan", "--db", "a.db", "--db", "b.db"], "posthog-backfill: --db is given twice: give it once"]
    ]
    for (const [args, line] of cases) {
      const run = await cli(args)
      expect([args, run.code, run.stdout, run.stderr]).toEqual([args, 2, "", `${line}\n`])
      expectNoTrace(run.stderr)
    }
  })

  it("under --json, a usage error is one JSON object on stderr, with a code", async () => {
    const run = await cli(["plan", "--json", "--bd", "x"])
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stderr)).toEqual({
      error: { code: "usage", exitCode: 2, message: "unknown option --bd for plan; did you mean --db? (see `posthog-backfill plan --help`)" }
    })
  })
})

describe("global options", () => {
  it("are accepted by every command, anywhere among its options", () => {
    for (const command of COMMANDS) {
      const parsed = parse([...command.name.split(" "), "--log-level", "debug"])
      expect([command.name, parsed._tag]).toEqual([command.name, "Run"])
      expect(parse([...command.name.split(" "), "--help"])).toMatchObject({ _tag: "Help", command })
    }
  })
})
