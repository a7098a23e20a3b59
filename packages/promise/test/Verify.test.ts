/**
 * The facade's send-then-verify loop, offline: a backfill to the local
 * capture server, then `verifyHistoricalBackfill` against the local fake of
 * PostHog's query API answering from what that server received.
 */
import { Presets, runHistoricalBackfill, verifyHistoricalBackfill } from "@posthog-backfill/promise"
import { startLocalCaptureServer, startLocalPostHogApi } from "@posthog-backfill/effect/testing"
import { writeClaudeMemSample } from "@posthog-backfill/testkit/sample"
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "promise-verify-"))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

describe("verifyHistoricalBackfill", { timeout: 60_000 }, () => {
  it("reports every check passed after a send, and an Error (never a rejection) without a marker", async () => {
    const server = await startLocalCaptureServer({ apiKey: "phc_v" })
    const api = await startLocalPostHogApi()
    try {
      const dataDir = fs.mkdtempSync(path.join(scratch, "data-"))
      const database = path.join(dataDir, "claude-mem.db")
      const db = new Database(database)
      writeClaudeMemSample(db, { endMs: Date.now(), days: 30, sessions: 60 })
      db.close()
      const sent = await runHistoricalBackfill({ app: Presets.claudeMem, dataDir, database, apiKey: "phc_v", host: server.url, env: {}, rollout: { spreadMs: 0 } })
      expect(sent._tag).toBe("Sent")
      api.holdEvents(server.events)
      const target = { host: api.url, projectId: String(api.projectId), apiKey: api.apiKey }
      const verified = await verifyHistoricalBackfill({ app: Presets.claudeMem, dataDir, ...target })
      expect(verified._tag).toBe("Verified")
      if (verified._tag !== "Verified") return
      expect(verified.report.ok).toBe(true)
      expect(verified.report.byEvent["install_inferred"]).toBe(1)
      expect(Object.values(verified.report.byEvent).reduce((a, b) => a + b, 0)).toBe(sent._tag === "Sent" ? sent.eventCount : -1)

      const none = await verifyHistoricalBackfill({ app: Presets.claudeMem, dataDir: fs.mkdtempSync(path.join(scratch, "none-")), ...target })
      expect(none).toMatchObject({ _tag: "Error", message: expect.stringContaining("no backfill marker") })
    } finally {
      await server.close()
      await api.close()
    }
  })
})
