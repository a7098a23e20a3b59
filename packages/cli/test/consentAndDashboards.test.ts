/**
 * `consent` and `dashboards`, spawned as users run them (the real bin, a
 * temp HOME, the environment of each case).
 */
import { startLocalPostHogApi } from "@posthog-backfill/effect/testing"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { expectNoTrace, spawnCli, useScratch } from "./support/spawnCli.js"

const space = useScratch("consent-dashboards")

/** The real command with `args` under `env`. */
const run = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const result = await spawnCli(space.home, args, env)
  return { ...result, ok: result.code === 0 }
}
const tempDir = () => space.freshDir("data")

describe("posthog-backfill consent", () => {
  it("status shows the rule that decided; enable/disable write only the enabled flag", async () => {
    const dir = tempDir()
    const file = path.join(dir, "telemetry.json")
    fs.writeFileSync(file, `{"installId": "abc", "theme": "dark"}`)

    const status = await run(["consent", "status", "--data-dir", dir])
    expect(status.ok).toBe(true)
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
    expect(printed.ok).toBe(true)
    expect(printed.stdout).toContain("-- Dashboard: claude-mem • Activity [posthog-backfill:claude-mem-activity]")
    expect(printed.stdout).toContain("WHERE event IN ('historical_activity', 'session_started')")
    expect(printed.stdout).not.toContain("compaction_completed")
    // The app's own live activity events by default; a warning when an app names none.
    const own = await run(["dashboards", "print"])
    expect(own.stdout).toContain("WHERE event IN ('historical_activity', 'worker_started')")
    expect(own.stderr).toBe("")
    const none = await run(["dashboards", "print", "--preset", "job-runner"])
    expect(none.code).toBe(0)
    expect(none.stderr).toMatch(/^posthog-backfill: warning: job-runner names no live activity event, so weekly and monthly active installs/)
    expect(none.stdout).toContain("WHERE event = 'historical_activity'")
    const bad = await run(["dashboards", "print", "--activity-event", "x' OR 1=1"])
    expect([bad.code, bad.stdout]).toEqual([2, ""])
    expect(bad.stderr).toMatch(/^posthog-backfill: .*activity/)
    expectNoTrace(bad.stderr)
  })

  it("apply creates the app's own dashboard, then writes nothing; --dry-run writes nothing; the compaction example only when asked", async () => {
    const api = await startLocalPostHogApi()
    try {
      const target = ["--host", api.url, "--project-id", String(api.projectId)]
      const dry = await run(["dashboards", "apply", ...target, "--dry-run"], { POSTHOG_PERSONAL_API_KEY: api.apiKey })
      expect(dry.stdout).toContain("dashboard claude-mem-activity: would create")
      expect(dry.stdout).toContain("POST /api/projects/1/insights/")
      expect(dry.stdout).not.toContain("mux-compaction")
      expect(dry.stdout).toContain("dry run: 6 write(s) would be made; nothing was written")
      expect(api.writes).toEqual([])

      const first = await run(["dashboards", "apply", ...target, "--api-key", api.apiKey])
      expect(first.stdout).toContain("6 write(s) made")
      expect(api.dashboards.map((d) => d.name)).toEqual(["claude-mem • Activity"])
      const second = await run(["dashboards", "apply", ...target, "--api-key", api.apiKey, "--json"])
      const json = JSON.parse(second.stdout) as {
        schemaVersion: number
        command: string
        dashboards: ReadonlyArray<{ id: string; changed: boolean; requests: ReadonlyArray<unknown> }>
      }
      expect([json.schemaVersion, json.command]).toEqual([1, "dashboards apply"])
      expect(json.dashboards.map((d) => [d.id, d.changed, d.requests.length])).toEqual([["claude-mem-activity", false, 0]])
      expect(api.writes).toHaveLength(6)

      const all = await run(["dashboards", "apply", ...target, "--api-key", api.apiKey, "--dashboard", "all", "--dry-run"])
      expect(all.stdout).toContain("dry run: 4 write(s) would be made")
      expect(all.stdout).toContain("dashboard mux-compaction: would create")

      const noKey = await run(["dashboards", "apply", ...target])
      expect(noKey.code).toBe(2)
      expect(noKey.stderr).toContain("POSTHOG_PERSONAL_API_KEY")
    } finally {
      await api.close()
    }
  })

  it("apply --dry-run without a key works offline: the writes for an empty project, nothing read", async () => {
    const api = await startLocalPostHogApi()
    try {
      const offline = await run(["dashboards", "apply", "--dry-run"])
      expect(offline.code).toBe(0)
      expect(offline.stdout).toContain("POST /api/projects/<project-id>/dashboards/")
      expect(offline.stdout).toContain("dry run: 6 write(s) would be made; nothing was written")
      expect(offline.stderr).toContain("without a personal API key")
      const json = await run(["dashboards", "apply", "--dry-run", "--json", "--host", api.url, "--project-id", "7"])
      const parsed = JSON.parse(json.stdout) as { offline: boolean; dashboards: ReadonlyArray<{ requests: ReadonlyArray<{ path: string }> }> }
      expect(parsed.offline).toBe(true)
      expect(parsed.dashboards[0]?.requests[0]?.path).toBe("/api/projects/7/dashboards/")
      expect(api.requests).toEqual([])
    } finally {
      await api.close()
    }
  })
})
