/**
 * Send, then verify, offline: the real bin sends a sample to the local
 * capture server, and `verify` asks the local fake of PostHog's query API,
 * which answers from the events that server received. Every query verify
 * sends is read by PostHog's parser.
 */
import { type LocalCaptureServer, type LocalPostHogApi, startLocalCaptureServer, startLocalPostHogApi } from "@posthog-backfill/effect/testing"
import { parseSelect } from "@posthog-backfill/testkit/hogqlParser"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { expectNoTrace, spawnCli, useScratch } from "./support/spawnCli.js"

const space = useScratch("verify")
const NOW = "2026-06-12T08:00:00Z"
const API_KEY = "phc_verify"

let server: LocalCaptureServer.LocalCaptureServer
let api: LocalPostHogApi.LocalPostHogApi
let dataDir: string
beforeAll(async () => {
  server = await startLocalCaptureServer({ apiKey: API_KEY })
  api = await startLocalPostHogApi()
  dataDir = space.freshDir("data")
  const sent = await spawnCli(space.home, ["send", "--db", space.sampleDb, "--data-dir", dataDir, "--now", NOW, "--api-key", API_KEY, "--host", server.url])
  if (sent.code !== 0) throw new Error(sent.stderr)
})
afterAll(async () => {
  await server?.close()
  await api?.close()
})

const verify = (...extra: ReadonlyArray<string>) =>
  spawnCli(space.home, ["verify", "--data-dir", dataDir, "--host", api.url, "--project-id", String(api.projectId), ...extra], {
    POSTHOG_PERSONAL_API_KEY: api.apiKey
  })

describe("posthog-backfill verify", { timeout: 120_000 }, () => {
  it("passes every check on what the send delivered; each query parses", async () => {
    api.holdEvents(server.events)
    const run = await verify()
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^verify [0-9a-f-]{36}: all 6 checks passed \(\d{4}-\d{2}-\d{2} \.\. \d{4}-\d{2}-\d{2}\)$/m)
    for (const id of ["count", "window", "perDay", "duplicates", "noon", "persons"]) expect(run.stdout).toMatch(new RegExp(`^  ok +${id} `, "m"))
    const queries = api.requests.filter((request) => request.path.endsWith("/query/"))
    expect(queries).toHaveLength(3)
    for (const request of queries) {
      const text = (request.body as { query: { query: string } }).query.query
      expect(parseSelect(text).node).toBe("SelectQuery")
    }
    expect(api.writes).toEqual([])
  })

  it("fails on a uuid stored twice, or a person split in two: exit 1, the failed checks named", async () => {
    api.holdEvents([...server.events, server.events[1]!])
    const twice = await verify("--json")
    expect(twice.code).toBe(1)
    const report = JSON.parse(twice.stdout) as { schemaVersion: number; command: string; ok: boolean; checks: ReadonlyArray<{ id: string; ok: boolean }> }
    expect([report.schemaVersion, report.command, report.ok]).toEqual([1, "verify", false])
    expect(report.checks.filter((check) => !check.ok).map((check) => check.id)).toEqual(["duplicates"])
    expect(JSON.parse(twice.stderr)).toMatchObject({ error: { code: "failure", exitCode: 1, message: "verify: duplicates failed" } })

    api.holdEvents(server.events, { splitPersons: true })
    const split = await verify()
    expect(split.code).toBe(1)
    expect(split.stdout).toMatch(/^  FAIL persons +the install's events count as 2 persons/m)
    expect(split.stderr.trim()).toBe("posthog-backfill: verify: persons failed")
  })

  it("says what is missing: no marker, no key, a refused key", async () => {
    const empty = await spawnCli(space.home, ["verify", "--data-dir", space.freshDir("none"), "--host", api.url, "--project-id", "1"], {
      POSTHOG_PERSONAL_API_KEY: api.apiKey
    })
    expect(empty.code).toBe(1)
    expect(empty.stderr.trim()).toMatch(/^posthog-backfill: no backfill marker in the data dir/)
    const noKey = await spawnCli(space.home, ["verify", "--data-dir", dataDir, "--host", api.url, "--project-id", "1"])
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toContain("POSTHOG_PERSONAL_API_KEY")
    const refused = await verify("--api-key", "phx_wrong")
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/refused the personal API key \(HTTP 401\).*query:read/)
    for (const run of [empty, noKey, refused]) expectNoTrace(run.stderr)
  })
})
