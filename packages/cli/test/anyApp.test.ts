/**
 * The command line for any app, as a team would run it in its own repository:
 * `--app <module>` (a file or a package), or a `posthog-backfill.config.mjs`
 * found upward from the working directory, for every command, consent
 * included. The app module imports `@posthog-backfill/core` from the
 * project's own node_modules, as an installed project does.
 */
import { LocalCaptureServer, startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { expectNoTrace, ROOT, spawnCli, useScratch, withoutProgress } from "./support/spawnCli.js"

const space = useScratch("any-app")
const NOW = "2026-06-12T08:00:00Z"
const API_KEY = "phc_any_app"

const APP_MODULE = `import { BackfillApp, RollupSpec } from "@posthog-backfill/core"
export const app = BackfillApp.defineBackfillApp({
  name: "notes",
  spec: {
    tables: [{ table: "notes", timeColumn: "created_at", metrics: [RollupSpec.count("notes_created_count")] }],
    firstActivity: [{ table: "notes", timeColumn: "created_at" }]
  },
  namespace: "6e1f0c2a-9b4d-5c3e-8f7a-2d1b0e9c8a76",
  baseProperties: {},
  personPropertyKeys: ["first_active_date"],
  consentEnvPrefix: "NOTES_TELEMETRY",
  configFileName: "notes.json"
})
`

/** A project: node_modules with the core, the app module, a notes database (3 days, 2 notes a day). */
let project: string
let database: string
beforeAll(() => {
  project = space.freshDir("project")
  fs.mkdirSync(path.join(project, "node_modules", "@posthog-backfill"), { recursive: true })
  fs.symlinkSync(path.join(ROOT, "packages", "core"), path.join(project, "node_modules", "@posthog-backfill", "core"), "dir")
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "notes", type: "module", private: true }))
  fs.writeFileSync(path.join(project, "notes-app.mjs"), APP_MODULE)
  database = path.join(project, "notes.db")
  const db = new Database(database)
  db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, created_at INTEGER)")
  const insert = db.prepare("INSERT INTO notes (title, created_at) VALUES (?, ?)")
  for (const day of ["2026-06-01", "2026-06-02", "2026-06-03"]) {
    for (const hour of [9, 15]) insert.run(`secret title ${day}`, Date.parse(`${day}T${String(hour).padStart(2, "0")}:00:00Z`))
  }
  db.close()
})

const cli = (args: ReadonlyArray<string>, options: { cwd?: string; env?: Record<string, string> } = {}) =>
  spawnCli(space.home, args, options.env ?? {}, 45_000, options.cwd ?? project)

describe("--app <module>", { timeout: 120_000 }, () => {
  it("plans any app's database: its own events, counts only", async () => {
    const run = await cli(["plan", "--app", "./notes-app.mjs", "--db", database, "--now", NOW, "--install-id", "5b0c7a0e-3f7e-4d8a-9a53-0c2f1f6f2e11", "--json"])
    expect(run.code, run.stderr).toBe(0)
    const plan = JSON.parse(run.stdout) as { app: string; totals: Record<string, number>; window: { activeDays: number; firstActiveDay: string } }
    expect(plan.app).toBe("notes")
    expect(plan.window).toMatchObject({ activeDays: 3, firstActiveDay: "2026-06-01" })
    expect(plan.totals).toMatchObject({ events: 4, notes_created_count: 6 })
    expect(run.stdout).not.toContain("secret")
  })

  it("refuses clearly: no app exported, --app with --preset, a missing file, TypeScript on this Node", async () => {
    fs.writeFileSync(path.join(project, "empty.mjs"), "export const nothing = 1\n")
    fs.writeFileSync(path.join(project, "app.ts"), "export const app: unknown = {}\n")
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [["plan", "--app", "./empty.mjs", "--db", database], /^posthog-backfill: \.\/empty\.mjs exports no backfill app: export default defineBackfillApp/],
      [["plan", "--app", "./notes-app.mjs", "--preset", "claude-mem"], /^posthog-backfill: --app and --preset both name an app: pass one of them$/],
      [["consent", "status", "--app", "./nowhere.mjs"], /^posthog-backfill: --app "\.\/nowhere\.mjs": no file at .*nowhere\.mjs: pass a file/],
      ...(typeof (process as { features?: { typescript?: unknown } }).features?.typescript === "string" ? [] : [
        [["plan", "--app", "./app.ts", "--db", database], /^posthog-backfill: cannot load \.\/app\.ts: Node v[\d.]+ does not run TypeScript; run the CLI under Bun/] as const
      ])
    ]
    for (const [args, message] of cases) {
      const run = await cli(args)
      expect([args, run.code, run.stdout]).toEqual([args, 2, ""])
      expect(run.stderr.trim().split("\n")).toHaveLength(1)
      expect(run.stderr.trim()).toMatch(message)
      expectNoTrace(run.stderr)
    }
  })
})

describe("posthog-backfill.config.mjs, found upward", { timeout: 120_000 }, () => {
  let server: LocalCaptureServer.LocalCaptureServer
  beforeAll(async () => {
    server = await startLocalCaptureServer({ apiKey: API_KEY })
    fs.writeFileSync(
      path.join(project, "posthog-backfill.config.mjs"),
      `import { BundledDashboards } from "@posthog-backfill/core"\nimport { app } from "./notes-app.mjs"\n` +
        `export default { app, database: "./notes.db", dataDir: "./data", dashboards: [BundledDashboards.compactionDashboard()] }\n`
    )
    fs.mkdirSync(path.join(project, "src", "deep"), { recursive: true })
  })
  afterAll(() => server?.close())

  it("plan with no flags, from a subdirectory, reads the config's app and paths", async () => {
    const run = await cli(["plan", "--now", NOW, "--json"], { cwd: path.join(project, "src", "deep") })
    expect(run.code, run.stderr).toBe(0)
    const plan = JSON.parse(run.stdout) as { app: string; database: string }
    expect([plan.app, plan.database]).toEqual(["notes", database])
  })

  it("consent works for the app: disable writes its own config file, status reports it, send honours it", async () => {
    const disable = await cli(["consent", "disable", "--json"])
    expect(disable.code, disable.stderr).toBe(0)
    expect(JSON.parse(disable.stdout)).toMatchObject({ schemaVersion: 1, command: "consent disable", app: "notes", wrote: { enabled: false }, enabled: false })
    expect(JSON.parse(fs.readFileSync(path.join(project, "data", "notes.json"), "utf8"))).toEqual({ enabled: false })
    const status = await cli(["consent", "status"])
    expect(status.stdout).toMatch(/^notes: telemetry is off/)
    const refused = await cli(["send", "--api-key", API_KEY, "--host", server.url, "--now", NOW, "--json"])
    expect(refused.code).toBe(0)
    expect(JSON.parse(refused.stdout)).toMatchObject({ command: "send", app: "notes", outcome: "NoConsent" })
    expect(server.events).toEqual([])

    expect((await cli(["consent", "enable"])).code).toBe(0)
    const sent = await cli(["send", "--api-key", API_KEY, "--host", server.url, "--now", NOW, "--json"])
    expect(sent.code, sent.stderr).toBe(0)
    expect(withoutProgress(sent.stderr)).toBe("")
    expect(JSON.parse(sent.stdout)).toMatchObject({ schemaVersion: 1, command: "send", app: "notes", outcome: "Sent", eventCount: 4 })
    expect(server.events.map((event) => event.event).sort()).toEqual(["historical_activity", "historical_activity", "historical_activity", "install_inferred"])
    expect(JSON.stringify(server.events)).not.toContain("secret")
  })

  it("dashboards: the app's activity dashboard and the ones it declares", async () => {
    const run = await cli(["dashboards", "print", "--json"])
    expect(run.code, run.stderr).toBe(0)
    const printed = JSON.parse(run.stdout) as { dashboards: ReadonlyArray<{ id: string; insights: ReadonlyArray<{ hogql: string }> }> }
    expect(printed.dashboards.map((d) => d.id)).toEqual(["notes-activity", "mux-compaction"])
    expect(printed.dashboards[0]?.insights[0]?.hogql).toContain("historical_activity")
  })
})
