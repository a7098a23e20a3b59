import { it } from "@effect/vitest"
import { EventCatalog } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { CompactionCompleted, compactionCompletedPayload, modelFamily } from "./catalog.js"
import { NOTICE, program } from "./main.js"

const ROOT = fileURLToPath(new URL("../..", import.meta.url))

describe("examples/compaction", () => {
  it.live("emits compaction_completed once per successful request, and applies the dashboard idempotently", () =>
    Effect.gen(function*() {
      const result = yield* program.pipe(Logger.withMinimumLogLevel(LogLevel.Warning))
      expect(result.report).toMatchObject({ captured: 3, acknowledged: 3, unacknowledged: 0, delivered: true })
      const received = result.received.map((event) => event.properties ?? {})
      expect(received.map((properties) => properties["compaction_source"])).toEqual(["manual", "idle", "auto"])
      // Context usage wins over raw usage; sizes are base-2 buckets; the model is its family.
      expect(received[0]).toMatchObject({ model: "claude-sonnet-4", input_tokens_b2: 262_144, output_tokens_b2: 16_384 })
      expect(received[2]).toMatchObject({ model: "gpt-5", input_tokens_b2: 131_072, output_tokens_b2: 8_192 })
      expect(result.firstApply).toBe(4)
      expect(result.secondApply).toBe(0)
    }))

  it("builds valid payloads from whatever metadata a provider reports", () => {
    const payload = compactionCompletedPayload({
      metadata: { model: "ollama:acme-merger-notes", usage: { inputTokens: Number.NaN, outputTokens: 300 } },
      source: "auto",
      durationMs: 2_500
    })
    expect(payload).toEqual({ model: "other", duration_b2: 4, input_tokens_b2: 0, output_tokens_b2: 512, compaction_source: "auto" })
    expect(Either.isRight(EventCatalog.validate(CompactionCompleted, payload))).toBe(true)
    expect(modelFamily("ft:gpt-4o:acme-corp::abc123")).toBe("other")
    expect(modelFamily(" Anthropic:Claude-Opus-4-5 ")).toBe("claude-opus-4")
  })

  it("the first-run notice names a command that works: it turns the app's telemetry off", () => {
    const [, command] = /`(bunx posthog-backfill [^`]+)`/.exec(NOTICE.text) ?? []
    expect(command).toBe("bunx posthog-backfill consent disable --app ./app.ts --data-dir ~/.mux")
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mux-notice-"))
    fs.writeFileSync(path.join(dataDir, "telemetry.json"), `{"installId":"5b0c7a0e-3f7e-4d8a-9a53-0c2f1f6f2e11"}`)
    // Run as the notice says, from the app's folder (Bun runs the TypeScript module), with this data dir.
    const args = command!.split(" ").slice(2).map((arg) => (arg === "~/.mux" ? dataDir : arg))
    const out = execFileSync(path.join(ROOT, "node_modules", ".bin", "bun"), [path.join(ROOT, "packages/cli/bin/posthog-backfill.js"), ...args], {
      cwd: path.join(ROOT, "examples", "compaction"),
      encoding: "utf8",
      env: { PATH: process.env["PATH"] ?? "", HOME: dataDir }
    })
    expect(out).toContain("mux: wrote \"enabled\": false")
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, "telemetry.json"), "utf8"))).toEqual({
      installId: "5b0c7a0e-3f7e-4d8a-9a53-0c2f1f6f2e11",
      enabled: false
    })
    fs.rmSync(dataDir, { recursive: true, force: true })
  })
})
