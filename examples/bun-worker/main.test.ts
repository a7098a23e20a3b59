import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

describe("examples/bun-worker", () => {
  it("backfills under Bun through the worker's own bun:sqlite connection and leaves it open", () => {
    const result = spawnSync(path.resolve("node_modules/.bin/bun"), [path.resolve("examples/bun-worker/main.ts")], {
      encoding: "utf8",
      timeout: 120_000
    })
    expect(result.status, result.stderr).toBe(0)
    const output = JSON.parse(result.stdout.trim().split("\n").at(-1)!)
    expect(output).toMatchObject({ outcome: "Sent", connectionStillOpen: true })
    expect(output.runtime).toMatch(/^bun /)
    expect(output.received).toBeGreaterThan(1)
  })
})
