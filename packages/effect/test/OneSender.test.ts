/**
 * One sender per install, across real processes: five processes started at
 * the same instant on one data dir against a slow capture server send one
 * batch and write one marker; a holder SIGKILLed mid-request leaves a lease
 * the next start takes over; a live holder's lease is never taken.
 */
import { Presets } from "@posthog-backfill/core"
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Finished, runTogether, startChild } from "./support/processes.js"

const CHILD = fileURLToPath(new URL("./support/backfill.child.mjs", import.meta.url))
const app = Presets.claudeMem
let scratch: string
let database: string

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "one-sender-"))
  database = path.join(scratch, "claude-mem.db")
  const db = new Database(database)
  writeClaudeMemSample(db, { seed: 5, endMs: Date.now(), days: 30, sessions: 80 })
  db.close()
})
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const outcome = (child: Finished) => JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { tag: string; eventCount?: number; holder?: { pid: number } }
const freshDataDir = () => fs.mkdtempSync(path.join(scratch, "data-"))
const waitFor = async (check: () => boolean, what: string) => {
  const until = Date.now() + 60_000
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe("one sender per install, across processes", { timeout: 180_000 }, () => {
  it("5 processes started at the same instant: exactly one request carries the events, and there is one marker", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_one", faults: { delayMs: 3_000 } })
    try {
      const dataDir = freshDataDir()
      const finished = await runTogether(Array.from({ length: 5 }, () => startChild(CHILD, [dataDir, database, server.url])))
      for (const child of finished) expect(child, child.stderr).toMatchObject({ code: 0 })
      const tags = finished.map((child) => outcome(child).tag)
      expect(tags.filter((tag) => tag === "Sent")).toHaveLength(1)
      // The others found the lease held (or, on a slow start, the marker already written).
      expect(tags.filter((tag) => tag !== "Sent").every((tag) => tag === "Busy" || tag === "AlreadyDone")).toBe(true)
      const sent = finished.map(outcome).find((o) => o.tag === "Sent")!
      expect(server.arrivals.filter((request) => request.events.length > 0)).toHaveLength(1)
      expect(server.events).toHaveLength(sent.eventCount!)
      const marker = JSON.parse(fs.readFileSync(path.join(dataDir, app.markerFileName), "utf8")) as Record<string, unknown>
      expect(marker["eventCount"]).toBe(sent.eventCount)
      expect(fs.readdirSync(dataDir).sort()).toEqual([app.markerFileName, app.configFileName].sort())
    } finally {
      await server.close()
    }
  })

  it("a holder SIGKILLed mid-request leaves its lease; the next start takes it over and sends the same events", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_one", faults: { delayMs: 600_000 } })
    try {
      const dataDir = freshDataDir()
      const leasePath = path.join(dataDir, "backfill.lease.json")
      const holder = startChild(CHILD, [dataDir, database, server.url])
      await holder.ready
      holder.go()
      await waitFor(() => server.inFlight > 0, "the holder's request")
      holder.process.kill("SIGKILL")
      expect((await holder.finished).signal).toBe("SIGKILL")
      const left = JSON.parse(fs.readFileSync(leasePath, "utf8")) as { pid: number }
      expect(left.pid).toBe(holder.process.pid)
      const first = server.arrivals.flatMap((request) => request.events)

      server.reset()
      const next = startChild(CHILD, [dataDir, database, server.url])
      const [done] = await runTogether([next])
      expect(outcome(done!).tag).toBe("Sent")
      expect(server.events.map((event) => JSON.stringify(event))).toEqual(first.map((event) => JSON.stringify(event)))
      expect(fs.readdirSync(dataDir).sort()).toEqual([app.markerFileName, app.configFileName].sort())
    } finally {
      await server.close()
    }
  })

  it("a live holder's lease is never taken: the start is Busy, names the holder and touches nothing", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_one" })
    try {
      const dataDir = freshDataDir()
      const leasePath = path.join(dataDir, "backfill.lease.json")
      // This test process is alive on this host: its lease holds.
      const lease = { pid: process.pid, host: os.hostname(), token: "held-by-the-test", startedAt: new Date().toISOString() }
      fs.writeFileSync(leasePath, JSON.stringify(lease))
      const [busy] = await runTogether([startChild(CHILD, [dataDir, database, server.url])])
      expect(outcome(busy!)).toMatchObject({ tag: "Busy", holder: { pid: process.pid } })
      expect(JSON.parse(fs.readFileSync(leasePath, "utf8"))).toEqual(lease)
      expect(fs.readdirSync(dataDir)).toEqual(["backfill.lease.json"])
      expect(server.arrivals).toEqual([])
    } finally {
      await server.close()
    }
  })
})
