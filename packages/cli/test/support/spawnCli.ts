/**
 * The real `posthog-backfill` command, spawned as users run it
 * (`node packages/cli/bin/posthog-backfill.js ...` from the repository root).
 *
 * Every spawn gets an environment without CI variables, DO_NOT_TRACK, the
 * app's telemetry switches or POSTHOG_* settings (CI runs with CI=true, which
 * turns consent off by design), and the given HOME, so no default path can
 * touch the real ~/.claude-mem.
 */
import { ConsentRules, Presets } from "@posthog-backfill/core"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import { execFile, execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, expect } from "vitest"

export const ROOT = fileURLToPath(new URL("../../../..", import.meta.url))
export const BIN = path.join("packages", "cli", "bin", "posthog-backfill.js")

export const cleanEnv = (home: string): Record<string, string> => {
  const drop = new Set([
    ...ConsentRules.CI_ENV_VARS,
    "DO_NOT_TRACK",
    Presets.claudeMem.consentEnvPrefix,
    `${Presets.claudeMem.consentEnvPrefix}_DEBUG`,
    "POSTHOG_API_KEY",
    "POSTHOG_HOST",
    "POSTHOG_CAPTURE_MODE",
    "POSTHOG_BACKFILL_RETRY_COUNT",
    "POSTHOG_BACKFILL_RETRY_DELAY_MS",
    "POSTHOG_BACKFILL_REQUEST_TIMEOUT_MS",
    "POSTHOG_BACKFILL_TRACE",
    "FORCE_COLOR"
  ])
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !drop.has(key) && !key.startsWith("VITEST") && key !== "NODE_OPTIONS") env[key] = value
  }
  return { ...env, HOME: home, NO_COLOR: "1" }
}

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** Killed at the timeout (a hang). */
  readonly timedOut: boolean
}

/** Spawns the real command asynchronously (a capture server in this process must keep answering). */
export const spawnCli = (
  home: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  timeoutMs = 45_000,
  /** The working directory. Default: the repository root. */
  cwd = ROOT
): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, BIN), ...args],
      { cwd, env: { ...cleanEnv(home), ...env }, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const timedOut = error !== null && (error as { killed?: boolean }).killed === true
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr, timedOut })
      }
    )
  })

/** Writes a small claude-mem sample (75 days up to 2026-06-12) into `file`. */
export const writeSample = (file: string): void => {
  const db = new Database(file)
  try {
    writeClaudeMemSample(db, { endMs: Date.parse("2026-06-12T09:30:00Z"), days: 75, sessions: 240 })
  } finally {
    db.close()
  }
}

/** No stack trace, no Effect cause dump, no bare `Error:` lines. */
export const expectNoTrace = (text: string): void => {
  expect(text).not.toMatch(/^\s+at /m)
  expect(text).not.toContain("FiberFailure")
  expect(text).not.toMatch(/^\s*\w*Error:/m)
  expect(text).not.toContain("[cause]")
}

/** Builds the command (tsc is incremental; the bundles take a second or two): the suites spawn the bundled bin. */
export const buildCli = (): void => {
  try {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-b", "packages/cli"], {
      cwd: ROOT,
      stdio: "pipe"
    })
    execFileSync(process.execPath, [path.join(ROOT, "scripts", "bundle.mjs")], { cwd: ROOT, stdio: "pipe" })
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer }
    throw new Error(`could not build the CLI: ${String(output.stdout ?? "")}${String(output.stderr ?? "")}`)
  }
}

/** A suite's scratch space: a temp dir, a HOME inside it and the sample database, ready once the CLI is built. */
export interface Scratch {
  readonly dir: string
  readonly home: string
  readonly sampleDb: string
  /** A new empty directory in the scratch space. */
  readonly freshDir: (name: string) => string
}

/**
 * Builds the CLI and prepares a scratch space before the suite's tests, and
 * removes it after them. Read its fields inside tests (they are set in `beforeAll`).
 */
export const useScratch = (name: string): Scratch => {
  const space = { dir: "", home: "", sampleDb: "" }
  beforeAll(() => {
    buildCli()
    space.dir = fs.mkdtempSync(path.join(os.tmpdir(), `posthog-backfill-${name}-`))
    space.home = fs.mkdtempSync(path.join(space.dir, "home-"))
    space.sampleDb = path.join(space.dir, "claude-mem.db")
    writeSample(space.sampleDb)
  }, 120_000)
  afterAll(() => {
    if (space.dir !== "") fs.rmSync(space.dir, { recursive: true, force: true })
  })
  return {
    get dir() {
      return space.dir
    },
    get home() {
      return space.home
    },
    get sampleDb() {
      return space.sampleDb
    },
    freshDir: (prefix) => fs.mkdtempSync(path.join(space.dir, `${prefix}-`))
  }
}

/** The progress lines a run without a terminal writes on stderr (one per phase change). */
export const PROGRESS_LINE = /^posthog-backfill: (reading tables: \d+ quer(?:y|ies)|building events for \d+ day\(s\)|sending \d+ event\(s\)|retry \d+ of \d+ in [\d.]+ s \(.*\))$/

/** stderr without its progress lines: what the command said on its own behalf. */
export const withoutProgress = (stderr: string): string =>
  stderr.split("\n").filter((line) => !PROGRESS_LINE.test(line)).join("\n")

/** stderr's progress lines. */
export const progressLines = (stderr: string): ReadonlyArray<string> => stderr.split("\n").filter((line) => PROGRESS_LINE.test(line))
