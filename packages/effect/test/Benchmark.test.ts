/**
 * A smoke run of the benchmark (bench/run.mjs) at a tiny size, so it cannot
 * rot: it must generate (or reuse) its database, run every measurement (ours,
 * floor, peer, the CLI, the host event-loop probe), agree with the peer's
 * numbers, and write its report. Nothing here asserts on time. The benchmark
 * runs the built packages, as hosts do (the root test command builds first).
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const ROOT = fileURLToPath(new URL("../../..", import.meta.url))

describe("the benchmark (bench/run.mjs)", () => {
  it("runs end to end at a tiny size and writes BENCHMARKS.md, the chart and the raw results", async () => {
    expect(fs.existsSync(path.join(ROOT, "packages/cli/dist/bin.js")), "build first: npm run build").toBe(true)
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "phb-bench-smoke-"))
    const env = { ...process.env }
    for (const key of Object.keys(env)) if (key.startsWith("VITEST") || key === "NODE_OPTIONS") delete env[key]
    const { stdout } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(ROOT, "bench/run.mjs"), "--sizes", "1k", "--runs", "1", "--quick", "--out", out],
        { cwd: ROOT, env, maxBuffer: 16 << 20, timeout: 170_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }))
      )
    )
    expect(stdout).toMatch(/ours\/floor/)
    expect(stdout).toMatch(/^\s+1k\s/m)

    const results = JSON.parse(fs.readFileSync(path.join(out, "bench/results/results.json"), "utf8"))
    const [size] = results.sizes
    expect(results.sizes).toHaveLength(1)
    expect(size.observations).toBe(1000)
    expect(size.rows).toEqual({ observations: 1000, sdk_sessions: 125, session_summaries: 60, user_prompts: 125 })
    expect(size.events).toBeGreaterThan(1)
    for (const value of [...Object.values(size.ms), size.cli.cliWallMs, size.cli.cliStartupMs]) {
      expect(typeof value === "number" && Number.isFinite(value) && value > 0).toBe(true)
    }
    // Peak RSS needs /usr/bin/time or /proc: always there on Linux (CI), maybe not elsewhere.
    if (process.platform === "linux") expect(size.cli.cliPeakRssMb).toBeGreaterThan(0)
    for (const value of Object.values(size.host)) expect(typeof value === "number" && Number.isFinite(value)).toBe(true)

    const markdown = fs.readFileSync(path.join(out, "BENCHMARKS.md"), "utf8")
    expect(markdown).toMatch(/^# Benchmarks/)
    expect(markdown).toContain("| 1k |")
    expect(markdown).toContain("## Machine")
    expect(markdown).toContain("## Method")
    expect(markdown).toContain("(bench/results/time-vs-rows.svg)")
    const svg = fs.readFileSync(path.join(out, "bench/results/time-vs-rows.svg"), "utf8")
    expect(svg).toMatch(/^<svg /)
    expect(svg.match(/<polyline /g)).toHaveLength(3)
    fs.rmSync(out, { recursive: true, force: true })
  }, 180_000)

  it("the rollout simulation (bench/rollout.mjs) runs on a small fleet, deterministically, and its spread cuts the instant peak", async () => {
    const simulate = (out: string) =>
      new Promise<void>((resolve, reject) =>
        execFile(process.execPath, [path.join(ROOT, "bench/rollout.mjs"), "--installs", "3000", "--out", out], { cwd: ROOT, timeout: 170_000 }, (error, _stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve())
      ).then(() => JSON.parse(fs.readFileSync(path.join(out, "bench/results/rollout.json"), "utf8")) as {
        installs: number
        results: ReadonlyArray<{ name: string; arrival: string; peakEventsPerMinute: number; installsSending: number; events: number }>
      })
    const [first, second] = await Promise.all([simulate(fs.mkdtempSync(path.join(os.tmpdir(), "phb-rollout-"))), simulate(fs.mkdtempSync(path.join(os.tmpdir(), "phb-rollout-")))])
    expect(second.results).toEqual(first.results)
    const find = (name: string, arrival: string) => first.results.find((r) => r.name === name && r.arrival === arrival)!
    const spread = find("defaults", "at one instant")
    const none = find("no spread (every install at its first start)", "at one instant")
    expect(spread.events).toBe(none.events)
    // Without a spread an instant fleet sends everything in one minute; the spread divides it many times over.
    expect(none.peakEventsPerMinute).toBe(none.events)
    expect(spread.peakEventsPerMinute * 20).toBeLessThan(none.peakEventsPerMinute)
    expect(find("1% canary, default spread", "at one instant").installsSending).toBeLessThan(spread.installsSending / 20)
  }, 180_000)

  it("the import-cost benchmark (bench/startup.mjs) measures every case and renders its section", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "phb-startup-"))
    fs.mkdirSync(path.join(out, "bench/results"), { recursive: true })
    fs.copyFileSync(path.join(ROOT, "bench/results/results.json"), path.join(out, "bench/results/results.json"))
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [path.join(ROOT, "bench/startup.mjs"), "--runs", "1", "--out", out], { cwd: ROOT, timeout: 170_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))
    )
    expect(stdout).toMatch(/^## Import cost/)
    const report = JSON.parse(fs.readFileSync(path.join(out, "bench/results/startup.json"), "utf8")) as {
      cases: ReadonlyArray<{ key: string; wallMs: number }>
    }
    expect(report.cases.map((c) => c.key)).toEqual(["bare", "promise", "promiseDone", "engine", "effect", "cliHelp", "cliVersion", "cliPlanEmpty", "bareWithCa"])
    for (const c of report.cases) expect(Number.isFinite(c.wallMs) && c.wallMs > 0).toBe(true)
    const markdown = fs.readFileSync(path.join(out, "BENCHMARKS.md"), "utf8")
    expect(markdown).toContain("## Import cost")
    expect(markdown).toContain("## Results")
    fs.rmSync(out, { recursive: true, force: true })
  }, 180_000)
})
