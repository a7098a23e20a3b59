/**
 * Colors and progress as a terminal shows them. The real bin runs under a
 * pseudo-terminal (util-linux `script`) where one is available, and with
 * pipes otherwise: FORCE_COLOR, NO_COLOR and TERM=dumb decide as documented.
 */
import { execFile, spawnSync } from "node:child_process"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { BIN, cleanEnv, PROGRESS_LINE, ROOT, spawnCli, useScratch } from "./support/spawnCli.js"

const space = useScratch("terminal")
const NOW = "2026-06-12T08:00:00Z"
const ANSI = /\x1b\[/
const hasScript = process.platform === "linux" && spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0

/** The command under a pseudo-terminal: stdout and stderr both reach it, as in a person's shell. */
const inTerminal = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<string>((resolve, reject) => {
    const command = [process.execPath, path.join(ROOT, BIN), ...args].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(" ")
    const { NO_COLOR: _, ...base } = cleanEnv(space.home)
    execFile("script", ["-qec", command, "/dev/null"], { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout))
  })

describe("colors", { timeout: 120_000 }, () => {
  it("FORCE_COLOR colors a pipe, FORCE_COLOR=0 and NO_COLOR never color", async () => {
    const plan = ["plan", "--db", space.sampleDb, "--now", NOW]
    const forced = await spawnCli(space.home, plan, { FORCE_COLOR: "1", NO_COLOR: "" })
    expect(forced.stdout).toMatch(ANSI)
    const off = await spawnCli(space.home, plan, { FORCE_COLOR: "0", NO_COLOR: "" })
    expect(off.stdout).not.toMatch(ANSI)
    const none = await spawnCli(space.home, plan, { NO_COLOR: "1" })
    expect(none.stdout).not.toMatch(ANSI)
    expect(none.stdout).toContain("window")
  })
})

describe.runIf(hasScript)("on a terminal", { timeout: 120_000 }, () => {
  const plan = () => ["plan", "--db", space.sampleDb, "--now", NOW]

  it("colors, and the progress line is redrawn in place", async () => {
    const shown = await inTerminal(plan(), { TERM: "xterm-256color" })
    expect(shown).toMatch(ANSI)
    expect(shown).toContain("\r\x1b[2K")
    expect(shown).toMatch(/reading .*: reading tables \d+\/\d+/)
  })

  it("TERM=dumb: no colors, no redrawing; a line per phase instead", async () => {
    const shown = await inTerminal(plan(), { TERM: "dumb" })
    expect(shown).not.toMatch(ANSI)
    expect(shown).not.toContain("\r\x1b[2K")
    expect(shown.split(/\r?\n/).filter((line) => PROGRESS_LINE.test(line))).toEqual([
      expect.stringMatching(/reading tables: \d+ queries$/),
      expect.stringMatching(/building events for \d+ day\(s\)$/)
    ])
  })
})
