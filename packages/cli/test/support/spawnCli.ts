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
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { expect } from "vitest"

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
    "POSTHOG_BACKFILL_TRACE"
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
  timeoutMs = 45_000
): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...cleanEnv(home), ...env }, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 * 1024 * 1024 },
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

/** Builds the command (incremental, fast when up to date): the suites spawn the compiled bin. */
export const buildCli = (): void => {
  try {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-b", "packages/cli"], {
      cwd: ROOT,
      stdio: "pipe"
    })
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer }
    throw new Error(`could not build the CLI: ${String(output.stdout ?? "")}${String(output.stderr ?? "")}`)
  }
}
