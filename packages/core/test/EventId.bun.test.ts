import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// Runs Bun on the TypeScript sources and compares uuidV5 with Bun.randomUUIDv5
// (see test/bun/uuidV5.bun.ts), so a retry from a Bun host dedupes.
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
const bun = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url))
const script = "packages/core/test/bun/uuidV5.bun.ts"

interface Summary {
  readonly compared: number
  readonly mismatches: number
}

describe("uuidV5 under Bun", () => {
  it("is byte-identical to Bun.randomUUIDv5", () => {
    expect(existsSync(bun), `bun binary missing at ${bun}`).toBe(true)
    const result = spawnSync(bun, ["run", script], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 })
    expect(result.error).toBeUndefined()
    expect(result.status, `bun exited ${String(result.status)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0)
    const lastLine = result.stdout.trim().split("\n").at(-1) ?? ""
    const summary = JSON.parse(lastLine) as Summary
    expect(summary.mismatches).toBe(0)
    expect(summary.compared).toBeGreaterThan(0)
  }, 90_000)
})
