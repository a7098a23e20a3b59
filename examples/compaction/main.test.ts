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
      // r1's completion seen twice compacts once; r2 failed once and was retried.
      expect(result.compactions).toEqual({ r1: 1, r2: 2, r3: 1 })
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

  // Real model ids, as providers and gateways report them.
  it.each([
    ["claude-3-5-sonnet-20241022", "claude-sonnet-3"],
    ["claude-3-opus-20240229", "claude-opus-3"],
    ["claude-3-5-haiku-latest", "claude-haiku-3"],
    ["claude-opus-4-6", "claude-opus-4"],
    ["claude-opus-4-1-20250805", "claude-opus-4"],
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4"],
    ["claude-haiku-4-5", "claude-haiku-4"],
    ["anthropic:claude-sonnet-4-0", "claude-sonnet-4"],
    ["anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-sonnet-3"],
    ["us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"],
    ["claude-3-5-sonnet@20240620", "claude-sonnet-3"],
    ["openrouter/anthropic/claude-sonnet-4.5", "claude-sonnet-4"],
    ["gpt-5.3-codex", "gpt-5-codex"],
    ["gpt-5.1-codex-mini", "gpt-5-codex"],
    ["gpt-5-codex", "gpt-5-codex"],
    ["openai:gpt-5.2", "gpt-5"],
    ["gpt-5", "gpt-5"],
    ["gpt-5-mini", "gpt-5-mini"],
    ["gpt-5-nano", "gpt-5-mini"],
    ["gpt-4o-2024-08-06", "gpt-4o"],
    ["gpt-4o-mini", "gpt-4o"],
    ["gpt-4.1-mini", "gpt-4.1"],
    ["o3", "o-series"],
    ["o4-mini", "o-series"],
    ["gemini-2.5-pro", "gemini-pro"],
    ["gemini-3-pro-preview", "gemini-pro"],
    ["google:gemini-2.5-flash-lite", "gemini-flash"],
    ["ft:gpt-4o-mini:acme-corp::9xyz", "other"],
    ["ollama:acme-merger-notes", "other"],
    ["llama3.1:70b", "other"],
    ["claude-opus-5", "other"],
    ["gpt-3.5-turbo", "other"],
    ["", "other"]
  ])("the model %j is reported as %s", (raw, family) => {
    expect(modelFamily(raw)).toBe(family)
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
