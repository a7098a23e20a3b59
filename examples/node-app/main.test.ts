import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

describe("examples/node-app", () => {
  it("runs on plain Node: the first start sends, the second is a no-op", () => {
    const result = spawnSync(process.execPath, [path.resolve("examples/node-app/main.mjs")], { encoding: "utf8", timeout: 120_000 })
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/first run: Sent \(\d+ events\)/)
    expect(result.stdout).toMatch(/historical_migration=true/)
    expect(result.stdout).toMatch(/"eventCount": \d+/)
    expect(result.stdout).toMatch(/second run: AlreadyDone/)
  })
})
