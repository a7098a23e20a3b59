/**
 * A crash at any instant. The real `send` is SIGKILLed more than 20 times on
 * one data dir, at moments spread over its whole run (start-up, reading the
 * database, mid-request, just after the answer, while it writes the marker),
 * against the local capture server; then a run is let finish. Every event the
 * server ever received is byte-identical each time it came, every planned
 * event arrived, the marker is the first plan's window, and nothing left
 * behind blocks a later run.
 *
 * The kill moments come from a seeded generator, scaled by one reference run
 * timed in this same test: a slow machine only moves them, never breaks them.
 */
import { startLocalCaptureServer } from "@posthog-backfill/effect/testing"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { BIN, cleanEnv, ROOT, spawnCli, useScratch } from "./support/spawnCli.js"

const space = useScratch("crash")

const API_KEY = "phc_crash"
const NOW = "2026-06-12T12:00:00Z"
const INSTALL_ID = "5b3c9d2e-7f41-4a6b-8c1d-2e9f0a7b6c54"
const ANSWER_DELAY_MS = 400


/** mulberry32: the same kill moments on every run of the test. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const sendArgs = (dataDir: string, host: string) =>
  ["send", "--db", space.sampleDb, "--data-dir", dataDir, "--api-key", API_KEY, "--host", host, "--now", NOW, "--install-id", INSTALL_ID]

const startSend = (dataDir: string, host: string): { readonly child: ChildProcess; readonly exited: Promise<Exited> } => {
  const child = spawn(process.execPath, [BIN, ...sendArgs(dataDir, host)], { cwd: ROOT, env: cleanEnv(space.home), stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const exited = new Promise<Exited>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })))
  return { child, exited }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves when `check` holds (polled every millisecond) or the process exits, whichever is first. */
const until = async (check: () => boolean, exited: Promise<Exited>): Promise<boolean> => {
  let done = false
  void exited.then(() => (done = true))
  while (!check()) {
    if (done) return false
    await sleep(1)
  }
  return true
}

describe("send killed at any instant", { timeout: 900_000 }, () => {
  it("20+ SIGKILLs, then a run that finishes: identical events every time, every event once at least, the first plan's marker", async () => {
    const server = await startLocalCaptureServer({ apiKey: API_KEY, faults: { delayMs: ANSWER_DELAY_MS } })
    try {
      const plan = JSON.parse(
        (await spawnCli(space.home, ["plan", "--db", space.sampleDb, "--now", NOW, "--install-id", INSTALL_ID, "--json"])).stdout
      ) as { window: { installDay: string; lastFullDay: string }; events: ReadonlyArray<{ uuid: string; event: string; timestamp: string; distinctId: string; properties: Record<string, unknown> }> }
      expect(plan.events.length).toBeGreaterThan(10)

      // One reference run, timed here: how long until its request arrives, and until it exits.
      const reference = fs.mkdtempSync(path.join(space.dir, "reference-"))
      const started = Date.now()
      const referenceRun = startSend(reference, server.url)
      await until(() => server.arrivals.length > 0, referenceRun.exited)
      const toRequestMs = Date.now() - started
      expect((await referenceRun.exited).code).toBe(0)
      server.reset()
      server.setFaults({ delayMs: ANSWER_DELAY_MS })

      const dataDir = fs.mkdtempSync(path.join(space.dir, "data-"))
      const random = seeded(20261201)
      let kills = 0
      const moments = [
        // Before the answer a run cannot finish: these 20 are kills whatever the machine's speed.
        ...Array.from({ length: 12 }, () => "start-up or reading" as const),
        ...Array.from({ length: 8 }, () => "mid-request" as const),
        // After it, a run may finish first (then the later ones find it done).
        ...Array.from({ length: 6 }, () => "after the answer" as const)
      ]
      for (const moment of moments) {
        const run = startSend(dataDir, server.url)
        const arrivalsBefore = server.arrivals.length
        const answersBefore = server.requests.length
        let reached = true
        if (moment === "start-up or reading") {
          await sleep(random() * toRequestMs)
        } else if (moment === "mid-request") {
          reached = await until(() => server.arrivals.length > arrivalsBefore, run.exited)
          await sleep(random() * ANSWER_DELAY_MS * 0.9)
        } else {
          // The answer is written, then the marker, the journal and the lease follow within milliseconds.
          reached = await until(() => server.requests.length > answersBefore, run.exited)
          await sleep(random() * 25)
        }
        if (reached) run.child.kill("SIGKILL")
        const exited = await run.exited
        if (exited.signal === "SIGKILL") kills++
        else expect(exited, `${moment}: ${exited.stderr}`).toMatchObject({ code: 0 })
      }
      expect(kills).toBeGreaterThanOrEqual(20)

      // Then a run is let finish, and a later one finds it done.
      server.setFaults({})
      const finished = await startSend(dataDir, server.url).exited
      expect(finished, finished.stderr).toMatchObject({ code: 0 })
      expect(finished.stdout).toMatch(/^(sent|already done)/)
      const later = await startSend(dataDir, server.url).exited
      expect(later).toMatchObject({ code: 0 })
      expect(later.stdout).toMatch(/^already done/)

      // Every event that ever arrived is byte-identical each time, and is the plan's.
      const arrived = server.arrivals.flatMap((request) => request.events)
      const byUuid = new Map<string, Set<string>>()
      for (const event of arrived) byUuid.set(event.uuid, (byUuid.get(event.uuid) ?? new Set()).add(JSON.stringify(event)))
      for (const [uuid, shapes] of byUuid) expect([uuid, shapes.size]).toEqual([uuid, 1])
      expect(new Set(byUuid.keys())).toEqual(new Set(plan.events.map((event) => event.uuid)))
      for (const planned of plan.events) {
        const sent = arrived.find((event) => event.uuid === planned.uuid)!
        expect(sent).toMatchObject({ event: planned.event, distinct_id: planned.distinctId, timestamp: planned.timestamp })
        expect(sent.properties).toMatchObject(planned.properties)
      }
      // Delivered at least once in full: the server accepted every planned uuid.
      expect(new Set(server.events.map((event) => event.uuid))).toEqual(new Set(plan.events.map((event) => event.uuid)))

      const marker = JSON.parse(fs.readFileSync(path.join(dataDir, "backfill.json"), "utf8")) as Record<string, unknown>
      expect(marker).toMatchObject({ throughDay: plan.window.lastFullDay, eventCount: plan.events.length, installId: INSTALL_ID })
      // Whatever was left behind is the library's own, and blocked nothing.
      for (const name of fs.readdirSync(dataDir)) {
        expect(name).toMatch(/^(backfill\.json|backfill\.pending\.json|backfill\.attempts\.json|backfill\.lease\.json|telemetry\.json|\..+\.tmp)$/)
      }
    } finally {
      await server.close()
    }
  })
})
