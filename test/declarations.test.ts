/**
 * What a host's type checker reads: following each published entry's
 * declarations (the built `dist/*.d.ts`), only the packages the entry declares
 * as dependencies or required peers are named. posthog-node's declarations
 * (which name express and DOM types) and optional peers never reach a host.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const ROOT = fileURLToPath(new URL("..", import.meta.url))

/** The bare module names the declarations reachable from `entry` import. */
const namedPackages = (entry: string): Array<string> => {
  const seen = new Set<string>()
  const named = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    // Code only: doc comments quote import lines as examples.
    const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
    for (const [, specifier] of text.matchAll(/(?:from\s+|import\(\s*)["']([^"']+)["']/g)) {
      if (specifier!.startsWith("node:")) continue // @types/node, which a Node host has
      if (specifier!.startsWith(".")) visit(path.resolve(path.dirname(file), specifier!.replace(/\.js$/, ".d.ts")))
      else named.add(specifier!.startsWith("@") ? specifier!.split("/").slice(0, 2).join("/") : specifier!.split("/")[0]!)
    }
  }
  visit(path.join(ROOT, entry))
  return [...named].sort()
}

describe("published declarations", () => {
  it("name only what each entry requires", () => {
    expect(namedPackages("packages/core/dist/index.d.ts")).toEqual([])
    expect(namedPackages("packages/promise/dist/index.d.ts")).toEqual(["@posthog-backfill/core"])
    expect(namedPackages("packages/promise/dist/live.d.ts")).toEqual(["@posthog-backfill/core"])
    const effectPeers = ["@effect/platform", "@posthog-backfill/core", "effect"]
    expect(namedPackages("packages/effect/dist/index.d.ts")).toEqual(effectPeers)
    expect(namedPackages("packages/effect/dist/testing/index.d.ts")).toEqual(["effect"])
    expect(namedPackages("packages/effect/dist/sql/index.d.ts")).toEqual(["@effect/sql", "@posthog-backfill/core", "effect"])
  })
})
