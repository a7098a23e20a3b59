/**
 * What an adopter gets: the packages are packed with `npm pack` and installed
 * into fresh temp apps with the README's install commands (tarball paths for
 * the names, since the packages are not on the registry yet), then run as a
 * host would run them, against a sample claude-mem database and the local
 * capture server in this process:
 *
 * - a Node app with the Promise facade (and nothing of Effect);
 * - the same host bundled with esbuild and run from elsewhere (no worker file beside it);
 * - its types, checked without skipLibCheck;
 * - the CLI installed from its tarball and run with `npx posthog-backfill`;
 * - the same Node app with effect@4 installed beside;
 * - a Bun app with the Promise facade (no SQLite driver installed: bun:sqlite);
 * - a Bun app with the Effect layers, effect@3 and @effect/platform, and no platform package.
 *
 * It needs the npm registry (posthog-node, better-sqlite3, effect) and
 * compiles better-sqlite3 once, so it is the slowest file of the suite.
 */
import { LocalCaptureServer, startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const HOSTS = path.join(ROOT, "test", "packaging")
const BUN = path.join(ROOT, "node_modules", ".bin", "bun")
const ESBUILD = path.join(ROOT, "node_modules", ".bin", "esbuild")
const TSC = path.join(ROOT, "node_modules", ".bin", "tsc")
const PACKAGES = ["core", "effect", "promise", "cli"] as const
/** The versions the library is tested with; the packed packages pin them exactly. */
const TESTED = { "posthog-node": "5.70.0", "@posthog/core": "1.67.3" }

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "packaging-"))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * The environment of a fresh shell: none of the npm variables `npm test` sets
 * for this process (a nested npm would take this repository's workspace
 * settings), no Vitest or consent variables.
 */
const shellEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|VITEST|NODE_OPTIONS$|INIT_CWD$|CI$|DO_NOT_TRACK$|CLAUDE_MEM)/i.test(key)) continue
    env[key] = value
  }
  return env
}

/** Runs a command asynchronously (the capture server in this process must keep answering). */
const run = (command: string, args: ReadonlyArray<string>, cwd: string, extraEnv: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...shellEnv(), ...extraEnv }, encoding: "utf8", timeout: 600_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
      resolve({ code, stdout, stderr })
    })
  })

/** Runs a setup step; a failure shows what the command said. */
const must = async (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Run> => {
  const result = await run(command, args, cwd)
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`)
  return result
}

const tarball = (name: (typeof PACKAGES)[number]) => path.join(scratch, "packs", `posthog-backfill-${name}-0.1.0.tgz`)

/**
 * A fresh app. The packages name each other by version, which the registry
 * does not have yet: `overrides` point those names at the tarballs, as a
 * release's own packages would resolve from the registry.
 */
const freshApp = (name: string): string => {
  const dir = path.join(scratch, name)
  fs.mkdirSync(dir)
  const overrides = { "@posthog-backfill/core": `file:${tarball("core")}` }
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module", overrides }, null, 2))
  return dir
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"))
const installedVersion = (app: string, name: string): string => readJson(path.join(app, "node_modules", name, "package.json")).version

let server: LocalCaptureServer.LocalCaptureServer
let database: string

beforeAll(async () => {
  fs.mkdirSync(path.join(scratch, "packs"))
  for (const name of PACKAGES) await must("npm", ["pack", "--silent", "--pack-destination", path.join(scratch, "packs")], path.join(ROOT, "packages", name))
  database = path.join(scratch, "claude-mem.db")
  const db = new Database(database)
  writeClaudeMemSample(db, { endMs: Date.now(), days: 45, sessions: 120 })
  db.close()
  server = await startLocalCaptureServer({ apiKey: "phc_packaged" })
})
afterAll(() => server?.close())

interface HostResult {
  readonly runtime: string
  readonly first: string
  readonly eventCount: number | null
  readonly second: string
  readonly live: string
  readonly delivered: boolean
}

/** The events of one install (one data dir) on the capture server, by event name. */
const receivedBy = (dataDir: string) => {
  const installId = readJson(path.join(dataDir, "telemetry.json")).installId as string
  const events = server.events.filter((event) => event.distinct_id === installId)
  const byName: Record<string, number> = {}
  for (const event of events) byName[event.event] = (byName[event.event] ?? 0) + 1
  return { events, byName, uuids: new Set(events.map((event) => event.uuid)) }
}

/** Runs a host script as its app would, and checks what every host must show. */
const runHost = async (command: string, args: ReadonlyArray<string>, cwd: string, label: string) => {
  const dataDir = fs.mkdtempSync(path.join(scratch, `data-${label}-`))
  const resultFile = path.join(dataDir, "..", `${path.basename(dataDir)}.result.json`)
  const result = await run(command, [...args, dataDir, database, server.url, resultFile], cwd)
  expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: "", stderr: "" })
  const host = readJson(resultFile) as HostResult
  const received = receivedBy(dataDir)
  const marker = readJson(path.join(dataDir, "backfill.json"))
  expect(host).toMatchObject({ first: "Sent", second: "AlreadyDone", live: "Queued", delivered: true })
  expect(host.eventCount).toBeGreaterThan(10)
  // Every historical event once, then the one live event.
  expect(received.events).toHaveLength(host.eventCount! + 1)
  expect(received.uuids.size).toBe(received.events.length)
  expect(marker.eventCount).toBe(host.eventCount)
  expect(received.byName["packaged_host_started"]).toBe(1)
  return { host, byName: received.byName }
}

describe("packed and installed as the README says", { timeout: 900_000 }, () => {
  let nodeApp: string
  let nodeRun: Awaited<ReturnType<typeof runHost>>

  it("a Node app: `npm i @posthog-backfill/promise better-sqlite3`, approved scripts, quiet, the tested pins", async () => {
    nodeApp = freshApp("node-app")
    await must("npm", ["i", tarball("promise"), "better-sqlite3"], nodeApp)
    await must("npm", ["install-scripts", "approve", "better-sqlite3"], nodeApp)
    expect(readJson(path.join(nodeApp, "package.json")).allowScripts).toEqual({ "better-sqlite3": true })
    expect(fs.existsSync(path.join(nodeApp, "node_modules", "effect"))).toBe(false)
    expect(installedVersion(nodeApp, "posthog-node")).toBe(TESTED["posthog-node"])
    expect(installedVersion(nodeApp, "@posthog/core")).toBe(TESTED["@posthog/core"])
    fs.copyFileSync(path.join(HOSTS, "promiseHost.mjs"), path.join(nodeApp, "host.mjs"))
    nodeRun = await runHost("node", ["host.mjs"], nodeApp, "node")
    expect(nodeRun.host.runtime).toBe("node")
  })

  it("the tarballs carry README, LICENSE and no build cache", async () => {
    for (const name of PACKAGES) {
      const listing = (await must("tar", ["tzf", tarball(name)], scratch)).stdout.split("\n")
      expect([name, listing.includes("package/README.md"), listing.includes("package/LICENSE")]).toEqual([name, true, true])
      expect(listing.filter((entry) => entry.includes("tsbuildinfo"))).toEqual([])
    }
  })

  it("the same host bundled with esbuild, run from a folder with no worker file beside it", async () => {
    const out = path.join(nodeApp, "bundled", "host.mjs")
    await must(ESBUILD, [
      "host.mjs", "--bundle", "--platform=node", "--format=esm", `--outfile=${out}`, "--external:better-sqlite3", "--log-level=warning"
    ], nodeApp)
    expect(fs.readdirSync(path.dirname(out))).toEqual(["host.mjs"])
    const bundled = await runHost("node", [out], path.dirname(out), "bundled")
    expect(bundled.byName).toEqual(nodeRun.byName)
  })

  it("its types check in a strict host without skipLibCheck", async () => {
    await must("npm", ["i", "-D", "@types/node@20"], nodeApp)
    fs.copyFileSync(path.join(HOSTS, "promiseHost.typed.ts"), path.join(nodeApp, "host.ts"))
    fs.copyFileSync(path.join(HOSTS, "tsconfig.host.json"), path.join(nodeApp, "tsconfig.json"))
    const checked = await run(TSC, ["-p", "tsconfig.json"], nodeApp)
    expect(checked.stdout + checked.stderr).toBe("")
    expect(checked.code).toBe(0)
  })

  it("the CLI: `npm i -D @posthog-backfill/cli`, then `npx posthog-backfill` plans and sends", async () => {
    await must("npm", ["i", "-D", tarball("cli")], nodeApp)
    const help = await run("npx", ["posthog-backfill", "--help"], nodeApp)
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: posthog-backfill/m)
    const plan = await run("npx", ["posthog-backfill", "plan", "--preset", "claude-mem", "--db", database, "--json"], nodeApp)
    expect(plan.code, plan.stderr).toBe(0)
    const planned = JSON.parse(plan.stdout) as { events: ReadonlyArray<{ event: string }> }
    const dataDir = fs.mkdtempSync(path.join(scratch, "data-cli-"))
    const send = await run("npx", [
      "posthog-backfill", "send", "--preset", "claude-mem", "--db", database, "--data-dir", dataDir, "--api-key", "phc_packaged", "--host", server.url
    ], nodeApp, { CLAUDE_MEM_TELEMETRY: "1" })
    expect(send.code, send.stderr).toBe(0)
    expect(receivedBy(dataDir).events).toHaveLength(planned.events.length)
    const demo = await run("npx", ["posthog-backfill", "demo"], nodeApp)
    expect(demo.code, demo.stderr).toBe(0)
  })

  it("the Node app with effect@4 installed beside: the Promise facade still sends", async () => {
    await must("npm", ["i", "effect@4"], nodeApp)
    expect(installedVersion(nodeApp, "effect")).toMatch(/^4\./)
    await must("npm", ["ls"], nodeApp) // a valid tree: no peer of ours asks for Effect 3
    const beside = await runHost("node", ["host.mjs"], nodeApp, "effect4")
    expect(beside.byName).toEqual(nodeRun.byName)
  })

  it("a Bun app: `bun add @posthog-backfill/promise`, no SQLite driver installed, the same events", async () => {
    const bunApp = freshApp("bun-app")
    await must(BUN, ["add", tarball("promise")], bunApp)
    expect(fs.existsSync(path.join(bunApp, "node_modules", "better-sqlite3"))).toBe(false)
    expect(installedVersion(bunApp, "posthog-node")).toBe(TESTED["posthog-node"])
    fs.copyFileSync(path.join(HOSTS, "promiseHost.mjs"), path.join(bunApp, "host.mjs"))
    const bun = await runHost(BUN, ["host.mjs"], bunApp, "bun")
    expect(bun.host.runtime).toBe("bun")
    expect(bun.byName).toEqual(nodeRun.byName)
  })

  it("an Effect host on Bun: `bun add @posthog-backfill/effect effect@3 @effect/platform`, messages through its Logger", async () => {
    const effectApp = freshApp("effect-app")
    await must(BUN, ["add", tarball("effect"), "effect@3", "@effect/platform@0.97", "@types/node@20"], effectApp)
    expect(fs.readdirSync(path.join(effectApp, "node_modules", "@effect"))).toEqual(["platform"])
    fs.copyFileSync(path.join(HOSTS, "effectHost.mjs"), path.join(effectApp, "host.mjs"))
    const dataDir = fs.mkdtempSync(path.join(scratch, "data-effect-"))
    const resultFile = `${dataDir}.result.json`
    const result = await run(BUN, ["host.mjs", dataDir, database, server.url, resultFile], effectApp)
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: "", stderr: "" })
    const host = readJson(resultFile)
    expect(host).toMatchObject({ first: "Sent", second: "AlreadyDone" })
    expect(host.loggedThroughHost).toBeGreaterThan(0)
    const { byName } = receivedBy(dataDir)
    const { packaged_host_started: _live, ...historical } = nodeRun.byName
    expect(byName).toEqual(historical)

    fs.copyFileSync(path.join(HOSTS, "effectHost.typed.ts"), path.join(effectApp, "host.ts"))
    fs.copyFileSync(path.join(HOSTS, "tsconfig.host.json"), path.join(effectApp, "tsconfig.json"))
    const checked = await run(TSC, ["-p", "tsconfig.json"], effectApp)
    expect(checked.stdout + checked.stderr).toBe("")
    expect(checked.code).toBe(0)
  })
})
