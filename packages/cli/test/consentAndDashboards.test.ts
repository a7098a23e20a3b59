/**
 * The `consent` and `dashboards` command modules, run through @effect/cli
 * under a test root (they are wired into the real tree separately).
 */
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { startLocalPostHogApi } from "@posthog-backfill/effect/testing"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it, vi } from "vitest"
import * as consent from "../src/commands/consent.js"
import * as dashboards from "../src/commands/dashboards.js"

const root = Command.make("posthog-backfill").pipe(Command.withSubcommands([consent.command, dashboards.command]))
const cli = Command.run(root, { name: "posthog-backfill", version: "0.0.0" })

/** Runs the CLI with `args` under `env`, capturing stdout. */
const run = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const out: Array<string> = []
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"))
    return true
  })
  try {
    const exit = await Effect.runPromiseExit(
      cli(["node", "posthog-backfill", ...args]).pipe(
        Effect.provide(NodeContext.layer),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
        Logger.withMinimumLogLevel(LogLevel.None)
      )
    )
    return { exit, stdout: out.join("") }
  } finally {
    spy.mockRestore()
  }
}

const dirs: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-consent-"))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

describe("posthog-backfill consent", () => {
  it("status shows the rule that decided; enable/disable write only the enabled flag", async () => {
    const dir = tempDir()
    const file = path.join(dir, "telemetry.json")
    fs.writeFileSync(file, `{"installId": "abc", "theme": "dark"}`)

    const status = await run(["consent", "status", "--data-dir", dir])
    expect(Exit.isSuccess(status.exit)).toBe(true)
    expect(status.stdout).toContain("claude-mem: telemetry is on: telemetry is on by default (rule: default)")
    expect(status.stdout).toContain(`config file: ${file}`)

    const disabled = await run(["consent", "disable", "--data-dir", dir])
    expect(disabled.stdout).toContain(`wrote "enabled": false to ${file}`)
    expect(disabled.stdout).toContain("(rule: config)")
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ installId: "abc", theme: "dark", enabled: false })

    const json = await run(["consent", "status", "--data-dir", dir, "--json"])
    expect(JSON.parse(json.stdout)).toMatchObject({ enabled: false, source: "config", debug: false, configPath: file })

    // The environment wins over the file, and enable says so.
    const enabled = await run(["consent", "enable", "--data-dir", dir], { DO_NOT_TRACK: "1" })
    expect(enabled.stdout).toContain("(rule: do-not-track)")
    expect(enabled.stdout).toContain("which takes precedence over the config file")
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ installId: "abc", theme: "dark", enabled: true })

    const ci = await run(["consent", "status", "--data-dir", dir], { CI: "true", CLAUDE_MEM_TELEMETRY_DEBUG: "1" })
    expect(ci.stdout).toContain("telemetry is off: CI is set")
    expect(ci.stdout).toContain("(rule: ci); debug mode: a dry run")
  })
})

describe("posthog-backfill dashboards", () => {
  it("print writes the HogQL of the selected dashboards", async () => {
    const printed = await run(["dashboards", "print", "--dashboard", "activity", "--activity-event", "session_started"])
    expect(Exit.isSuccess(printed.exit)).toBe(true)
    expect(printed.stdout).toContain("-- Dashboard: claude-mem • Activity [posthog-backfill:claude-mem-activity]")
    expect(printed.stdout).toContain("WHERE event IN ('historical_activity', 'session_started')")
    expect(printed.stdout).not.toContain("compaction_completed")
    const bad = await run(["dashboards", "print", "--activity-event", "x' OR 1=1"])
    expect(Exit.isFailure(bad.exit)).toBe(true)
  })

  it("apply creates, then writes nothing; --dry-run writes nothing", async () => {
    const api = await startLocalPostHogApi()
    try {
      const target = ["--host", api.url, "--project-id", String(api.projectId)]
      const dry = await run(["dashboards", "apply", ...target, "--dry-run"], { POSTHOG_PERSONAL_API_KEY: api.apiKey })
      expect(dry.stdout).toContain("dashboard claude-mem-activity: would create")
      expect(dry.stdout).toContain("POST /api/projects/1/insights/")
      expect(dry.stdout).toContain("dry run: 10 write(s) would be made; nothing was written")
      expect(api.writes).toEqual([])

      const first = await run(["dashboards", "apply", ...target, "--api-key", api.apiKey])
      expect(first.stdout).toContain("10 write(s) made")
      const second = await run(["dashboards", "apply", ...target, "--api-key", api.apiKey, "--json"])
      const json = JSON.parse(second.stdout) as { dashboards: ReadonlyArray<{ changed: boolean; requests: ReadonlyArray<unknown> }> }
      expect(json.dashboards.map((d) => [d.changed, d.requests.length])).toEqual([[false, 0], [false, 0]])
      expect(api.writes).toHaveLength(10)

      const noKey = await run(["dashboards", "apply", ...target])
      expect(Exit.isFailure(noKey.exit) && JSON.stringify(noKey.exit.cause)).toContain("POSTHOG_PERSONAL_API_KEY")
    } finally {
      await api.close()
    }
  })
})
