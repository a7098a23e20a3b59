import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

// In-process imports resolve to the TypeScript sources, not the built `dist/`, so a
// test of a module never runs a stale build of it. Tests that spawn the CLI or the
// benchmarks run `dist/`: `npm test` builds first (`pretest`).
const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))
const alias = [
  { find: /^@posthog-backfill\/core$/, replacement: src("core") },
  { find: /^@posthog-backfill\/effect\/testing$/, replacement: path("./packages/effect/src/testing/index.ts") },
  { find: /^@posthog-backfill\/effect\/sql$/, replacement: path("./packages/effect/src/sql/index.ts") },
  { find: /^@posthog-backfill\/effect$/, replacement: src("effect") },
  { find: /^@posthog-backfill\/promise\/live$/, replacement: path("./packages/promise/src/live.ts") },
  { find: /^@posthog-backfill\/promise$/, replacement: src("promise") },
  { find: /^@posthog-backfill\/testkit\/sample$/, replacement: path("./packages/testkit/src/sample/index.ts") },
  { find: /^@posthog-backfill\/testkit\/(InMemoryQuery|MemorySource|hogqlParser)$/, replacement: path("./packages/testkit/src/$1.ts") }
]

export default defineConfig({
  resolve: { alias },
  test: {
    // Generous bounds: a test's speed is never what it checks (benchmarks measure that), and a
    // slow, loaded machine must pass exactly like a fast, quiet one.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: "core", include: ["packages/core/test/**/*.test.ts"] } },
      { extends: true, test: { name: "effect", include: ["packages/effect/test/**/*.test.ts"] } },
      { extends: true, test: { name: "testkit", include: ["packages/testkit/test/**/*.test.ts"] } },
      { extends: true, test: { name: "promise", include: ["packages/promise/test/**/*.test.ts"] } },
      { extends: true, test: { name: "cli", include: ["packages/cli/test/**/*.test.ts"] } },
      { extends: true, test: { name: "examples", include: ["examples/**/*.test.ts"] } },
      { extends: true, test: { name: "repo", include: ["test/**/*.test.ts"] } }
    ]
  }
})
