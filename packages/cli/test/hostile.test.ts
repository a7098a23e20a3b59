/**
 * The command in a careless or hostile environment: links and special files
 * in the data dir, a data dir that cannot exist, hosts that would send
 * somewhere else. Each case was a defect once; each ends with one line, the
 * right exit code, and nothing written where it must not be.
 */
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { expectNoTrace, spawnCli, useScratch } from "./support/spawnCli.js"

const space = useScratch("hostile")

const API_KEY = "phc_hostile"

const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => spawnCli(space.home, args, env, 30_000)
const listing = (dir: string) => fs.readdirSync(dir).sort()


describe("links and special files in the data dir", { timeout: 120_000 }, () => {
  it("a dangling telemetry.json link (consent forced on) ends at once with one line naming it; the link is kept", async () => {
    const server = await startLocalCaptureServer({ apiKey: API_KEY })
    try {
      const dataDir = space.freshDir("dangling")
      const config = path.join(dataDir, "telemetry.json")
      fs.symlinkSync("/nonexistent/t.json", config)
      const run = await cli(
        ["send", "--db", space.sampleDb, "--data-dir", dataDir, "--api-key", API_KEY, "--host", server.url],
        { CLAUDE_MEM_TELEMETRY: "1" }
      )
      expect(run.timedOut).toBe(false)
      expect(run.code).toBe(1)
      expect(run.stderr.trim().split("\n")).toHaveLength(1)
      expect(run.stderr).toContain(config)
      expect(run.stderr).toMatch(/symbolic link/)
      expectNoTrace(run.stderr)
      expect(fs.readlinkSync(config)).toBe("/nonexistent/t.json")
      expect(server.requests).toEqual([])
    } finally {
      await server.close()
    }
  })

  it("a link at backfill.pending.json to a file elsewhere is refused; that file is never replaced", async () => {
    const server = await startLocalCaptureServer({ apiKey: API_KEY })
    try {
      const dataDir = space.freshDir("pending-link")
      const precious = path.join(space.freshDir("elsewhere"), "passwd")
      fs.writeFileSync(precious, "root:x:0:0\n")
      fs.symlinkSync(precious, path.join(dataDir, "backfill.pending.json"))
      const run = await cli(["send", "--db", space.sampleDb, "--data-dir", dataDir, "--api-key", API_KEY, "--host", server.url])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(path.join(dataDir, "backfill.pending.json"))
      expect(run.stderr).toMatch(/symbolic link/)
      expect(fs.readFileSync(precious, "utf8")).toBe("root:x:0:0\n")
      expect(fs.lstatSync(path.join(dataDir, "backfill.pending.json")).isSymbolicLink()).toBe(true)
      expect(server.requests).toEqual([])
    } finally {
      await server.close()
    }
  })

  it("a FIFO at the marker counts as done (reported), a FIFO at the config as off: neither hangs", async () => {
    const markerFifo = space.freshDir("marker-fifo")
    execFileSync("mkfifo", [path.join(markerFifo, "backfill.json")])
    const done = await cli(["send", "--db", space.sampleDb, "--data-dir", markerFifo, "--api-key", API_KEY])
    expect([done.timedOut, done.code]).toEqual([false, 0])
    expect(done.stdout).toMatch(/already done: .* not a regular file/)

    const configFifo = space.freshDir("config-fifo")
    execFileSync("mkfifo", [path.join(configFifo, "telemetry.json")])
    const off = await cli(["send", "--db", space.sampleDb, "--data-dir", configFifo, "--api-key", API_KEY])
    expect([off.timedOut, off.code]).toEqual([false, 0])
    expect(off.stdout).toMatch(/nothing sent: telemetry is off: .*telemetry\.json cannot be used/)
  })

  it("temp files a killed writer left behind are swept at the start of a run", async () => {
    const dataDir = space.freshDir("leftovers")
    const stale = path.join(dataDir, ".backfill.pending.json.0badc0de.tmp")
    fs.writeFileSync(stale, "{")
    const old = new Date(Date.now() - 3_600_000)
    fs.utimesSync(stale, old, old)
    const run = await cli(["send", "--db", space.sampleDb, "--data-dir", dataDir], { CLAUDE_MEM_TELEMETRY: "0" })
    expect(run.code).toBe(0)
    expect(listing(dataDir)).toEqual([])
  })
})

describe("a data dir that cannot exist", { timeout: 120_000 }, () => {
  it("under a regular file: exit 1, one line that says so and what to do, nothing written", async () => {
    const parent = space.freshDir("file-parent")
    fs.writeFileSync(path.join(parent, "some-file"), "x")
    const run = await cli(["send", "--db", space.sampleDb, "--data-dir", path.join(parent, "some-file", "sub"), "--api-key", API_KEY])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/some-file is a file, so the data dir .*sub cannot exist there; point the data dir at a directory/)
    expect(run.stdout).not.toMatch(/already done/)
    expect(listing(parent)).toEqual(["some-file"])
  })
})

describe("hosts that would send somewhere else", { timeout: 120_000 }, () => {
  it("a fragment, a blank, an authority-less URL, credentials or a query are refused before anything is written (exit 2)", async () => {
    for (const host of ["http://127.0.0.1:9/#x", " ", "http:///x", "http://u:p@127.0.0.1:9", "http://127.0.0.1:9/?a=1"]) {
      const dataDir = space.freshDir("host")
      const run = await cli(["send", "--db", space.sampleDb, "--data-dir", dataDir, "--api-key", API_KEY, "--host", host])
      expect([host, run.code]).toEqual([host, 2])
      expect(run.stderr).toContain(`--host ${JSON.stringify(host)}`)
      expectNoTrace(run.stderr)
      expect([host, listing(dataDir)]).toEqual([host, []])
    }
  })

  it("--busy-timeout takes whole milliseconds", async () => {
    const run = await cli(["plan", "--db", space.sampleDb, "--busy-timeout", "-5"])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--busy-timeout -5 is not a whole number of milliseconds/)
  })
})
