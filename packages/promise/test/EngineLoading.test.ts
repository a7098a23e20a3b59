/**
 * The engine (the Effect runtime, posthog-node, the SQLite driver) loads only
 * once a run passes the marker and consent: a host whose install is done or
 * opted out never loads it. A real host process over the built package, with
 * module hooks recording every module it resolves.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"

const CHILD = fileURLToPath(new URL("./support/gateHost.child.mjs", import.meta.url))
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "engine-loading-"))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const host = (files: Record<string, string>) =>
  new Promise<{ outcome: string; resolved: ReadonlyArray<string> }>((resolve, reject) => {
    const dataDir = fs.mkdtempSync(path.join(scratch, "data-"))
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dataDir, name), content)
    const env = { ...process.env }
    for (const key of Object.keys(env)) if (key.startsWith("VITEST") || key === "NODE_OPTIONS") delete env[key]
    execFile(process.execPath, [CHILD, dataDir, path.join(dataDir, "none.db")], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)))
  })

const heavy = (resolved: ReadonlyArray<string>) =>
  resolved.filter((url) => /\/engine\.js$|\/node_modules\/(effect|posthog-node|@posthog\/core|better-sqlite3)\//.test(url))

describe("the facade's engine", { timeout: 120_000 }, () => {
  it("is not loaded when the install is done, or consent is off", async () => {
    const done = await host({ "backfill.json": JSON.stringify({ completedAt: "x", throughDay: "2026-06-09", eventCount: 3, installId: "i" }) })
    expect(done.outcome).toBe("AlreadyDone")
    expect(heavy(done.resolved)).toEqual([])
    const off = await host({ "telemetry.json": JSON.stringify({ enabled: false }) })
    expect(off.outcome).toBe("NoConsent")
    expect(heavy(off.resolved)).toEqual([])
    // The light path itself is the package's entry and the core bundle.
    expect(done.resolved.some((url) => url.endsWith("/promise/dist/index.js"))).toBe(true)
    expect(done.resolved.some((url) => url.endsWith("/core/dist/core.js"))).toBe(true)
  })

  it("is loaded once a run gets past them", async () => {
    const passing = await host({})
    expect(passing.outcome).toBe("Error") // no database here
    expect(heavy(passing.resolved).some((url) => url.endsWith("/promise/dist/engine.js"))).toBe(true)
    // Nothing of a test library at run time (Effect Schema's arbitraries would pull in fast-check).
    expect(passing.resolved.filter((url) => url.includes("/fast-check/"))).toEqual([])
  })
})
