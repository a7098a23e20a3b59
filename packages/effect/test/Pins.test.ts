/**
 * Delivery semantics depend on posthog-node's and @posthog/core's exact source
 * (retries, 413 halving, shutdown swallowing errors, the capture-mode switch):
 * they are pinned to exact versions, and a lockfile refresh must not move them.
 */
import { createRequire } from "node:module"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const manifest = JSON.parse(fs.readFileSync(path.resolve("packages/effect/package.json"), "utf8")) as {
  dependencies: Record<string, string>
}
const root = JSON.parse(fs.readFileSync(path.resolve("package.json"), "utf8")) as { overrides: Record<string, string> }
/** The version of `name` as Node would resolve it from `from` (these packages do not export package.json). */
const versionFrom = (from: string, name: string): string => {
  for (const dir of createRequire(from).resolve.paths(name) ?? []) {
    const file = path.join(dir, name, "package.json")
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version
  }
  throw new Error(`${name} is not installed`)
}
const effectPackage = path.resolve("packages/effect/package.json")
const installed = (name: string) => versionFrom(effectPackage, name)

describe("pinned delivery dependencies", () => {
  it.each(["posthog-node", "@posthog/core"])("%s is pinned to an exact version and installed at it", (name) => {
    const pinned = manifest.dependencies[name]
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/)
    expect(installed(name)).toBe(pinned)
  })

  it("posthog-node's own @posthog/core resolves to the pinned one (root override)", () => {
    expect(root.overrides["@posthog/core"]).toBe(manifest.dependencies["@posthog/core"])
    const posthogNodeDir = path.dirname(createRequire(effectPackage).resolve("posthog-node")).replace(/\/dist.*$/, "")
    expect(versionFrom(path.join(posthogNodeDir, "package.json"), "@posthog/core")).toBe(manifest.dependencies["@posthog/core"])
  })
})

describe("the pin check a host's tree meets at run time", () => {
  it("finds the tested versions in this tree, and words a drift as a refusal that says how to fix it", async () => {
    const { TESTED, resolvedVersions, untested } = await import("../src/internal/pins.js")
    expect(TESTED).toEqual({ "posthog-node": manifest.dependencies["posthog-node"], "@posthog/core": manifest.dependencies["@posthog/core"] })
    expect(await resolvedVersions()).toEqual(TESTED)
    expect(await untested()).toEqual([])
    expect(await untested({ "posthog-node": "5.71.0", "@posthog/core": "1.67.3" })).toEqual([
      "posthog-node 5.71.0 is installed, but this release of posthog-backfill is tested with exactly 5.70.0 (its delivery checks " +
        "rely on that version's behaviour): install posthog-node@5.70.0 or remove the override that moved it"
    ])
    // A bundled posthog-node has no file to read its @posthog/core from: its own version is still checked.
    expect(await untested({ "posthog-node": "5.70.0", "@posthog/core": undefined })).toEqual([])
  })
})
