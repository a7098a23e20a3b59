/**
 * The library as a guest in a host's process: it prints nothing (posthog-node
 * included) whatever the server does, it hands every message to the host's
 * logger when given one, a short-lived host exits mid-send (and its next
 * start sends the same events), and an awaited run stops at its deadline.
 * Real child processes for what only a process can show: its streams and its
 * exit.
 */
import { Presets } from "@posthog-backfill/core"
import { type HostLogLevel, runHistoricalBackfill } from "@posthog-backfill/effect"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const CHILD = fileURLToPath(new URL("./support/guest.child.mjs", import.meta.url))
const app = Presets.claudeMem
let scratch: string
let database: string

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "polite-guest-"))
  database = path.join(scratch, "claude-mem.db")
  const db = new Database(database)
  writeClaudeMemSample(db, { seed: 3, endMs: Date.now(), days: 20, sessions: 40 })
  db.close()
})
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const freshDir = () => fs.mkdtempSync(path.join(scratch, "data-"))

/** Runs the child host to its exit; what it printed, and what it wrote to its result file. */
const host = (mode: "quiet" | "exit", dataDir: string, url: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string; result: Record<string, unknown>; exitedAt: number }>((resolve, reject) => {
    const resultFile = path.join(dataDir, "..", `${path.basename(dataDir)}.result.json`)
    const env = { ...process.env }
    for (const key of Object.keys(env)) if (key.startsWith("VITEST") || key === "NODE_OPTIONS") delete env[key]
    execFile(process.execPath, [CHILD, mode, dataDir, database, url, resultFile], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      const exitedAt = Date.now()
      if (error !== null && typeof error.code !== "number") return reject(error)
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr, result: JSON.parse(fs.readFileSync(resultFile, "utf8")), exitedAt })
    })
  })

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

describe("a quiet guest", { timeout: 180_000 }, () => {
  it("prints nothing on the host's stdout or stderr: delivered, refused, dropped, too slow, or nobody listening", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_guest" })
    try {
      const faults = [{}, { alwaysStatus: 500 }, { alwaysStatus: 401 }, { dropConnections: true }, { delayMs: 5_000 }]
      for (const fault of faults) {
        server.reset()
        server.setFaults(fault)
        const run = await host("quiet", freshDir(), server.url)
        expect([fault, run.code, run.stdout, run.stderr]).toEqual([fault, 0, "", ""])
        expect([fault, run.result["backfill"]]).toEqual([fault, Object.keys(fault).length === 0 ? "Sent" : "Failed"])
      }
      const nobody = await host("quiet", freshDir(), `http://127.0.0.1:${await closedPort()}`)
      expect([nobody.code, nobody.stdout, nobody.stderr, nobody.result]).toEqual([0, "", "", { backfill: "Failed", live: "Queued", delivered: false }])
    } finally {
      await server.close()
    }
  })

  it("hands every message to the host's logger instead, with its level", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_guest", faults: { alwaysStatus: 503 } })
    try {
      const lines: Array<[HostLogLevel, string]> = []
      const result = await runHistoricalBackfill({
        app,
        dataDir: freshDir(),
        database,
        apiKey: "phc_guest",
        host: server.url,
        env: {},
        rollout: { spreadMs: 0 },
        sink: { fetchRetryCount: 0, requestTimeout: 2_000 },
        logger: (level, message) => lines.push([level, message])
      })
      expect(result._tag).toBe("Failed")
      expect(lines).toContainEqual(["warn", expect.stringMatching(/^Delivery not confirmed: 0\/\d+ event\(s\) acknowledged .*module=PostHogSink/)])
      expect(lines.some(([level]) => level === "debug")).toBe(true)
      // An object logger gets the same, per method; one that throws changes nothing.
      const warned: Array<string> = []
      const again = await runHistoricalBackfill({
        app,
        dataDir: freshDir(),
        database,
        apiKey: "phc_guest",
        host: server.url,
        env: {},
        rollout: { spreadMs: 0 },
        sink: { fetchRetryCount: 0, requestTimeout: 2_000 },
        logger: { warn: (line) => warned.push(line), debug: () => { throw new Error("the host's logger broke") } }
      })
      expect(again._tag).toBe("Failed")
      expect(warned.some((line) => line.startsWith("Delivery not confirmed"))).toBe(true)
    } finally {
      await server.close()
    }
  })
})

describe("a guest that lets its host exit", { timeout: 180_000 }, () => {
  it("a short-lived host exits mid-send, while the request is unanswered; the next start sends the same events", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_guest", faults: { delayMs: 600_000 } })
    try {
      const dataDir = freshDir()
      const run = await host("exit", dataDir, server.url)
      expect([run.code, run.stdout, run.stderr]).toEqual([0, "", ""])
      // It did not wait for the answer (ten minutes away), nor for a timeout or a retry.
      expect(server.inFlight).toBe(1)
      expect(server.requests).toEqual([])
      const sentFirst = server.arrivals.flatMap((request) => request.events)
      expect(sentFirst.length).toBeGreaterThan(0)
      expect(fs.existsSync(path.join(dataDir, app.markerFileName))).toBe(false)

      server.reset()
      const next = await runHistoricalBackfill({ app, dataDir, database, apiKey: "phc_guest", host: server.url, env: {}, rollout: { spreadMs: 0 } })
      expect(next._tag).toBe("Sent")
      expect(server.events.map((event) => JSON.stringify(event))).toEqual(sentFirst.map((event) => JSON.stringify(event)))
    } finally {
      await server.close()
    }
  })

  it("an awaited run stops at its deadline or at the host's signal: Stopped, no marker, the lease given back", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_guest", faults: { delayMs: 600_000 } })
    try {
      const options = { app, database, apiKey: "phc_guest", host: server.url, env: {}, rollout: { spreadMs: 0 }, sink: { requestTimeout: 600_000 } }
      const byDeadline = freshDir()
      const stopped = await runHistoricalBackfill({ ...options, dataDir: byDeadline, deadlineMs: 1_500 })
      expect(stopped).toEqual({
        _tag: "Stopped",
        message: "the backfill ran past its 1500 ms deadline; no marker written, the next start runs it again (the same send, if one had begun)"
      })
      expect(fs.readdirSync(byDeadline).sort()).toEqual(["backfill.pending.json", "telemetry.json"])

      const bySignal = freshDir()
      const controller = new AbortController()
      const running = runHistoricalBackfill({ ...options, dataDir: bySignal, signal: controller.signal })
      while (!fs.existsSync(path.join(bySignal, "backfill.pending.json"))) await new Promise((resolve) => setTimeout(resolve, 5))
      controller.abort()
      expect(await running).toMatchObject({ _tag: "Stopped", message: expect.stringMatching(/^the host stopped the backfill/) })
      expect(fs.existsSync(path.join(bySignal, "backfill.lease.json"))).toBe(false)
    } finally {
      await server.close()
    }
  })
})
