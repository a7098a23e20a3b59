import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

// Tests run against the TypeScript sources, not the built `dist/`, so `npm test`
// never depends on a stale build.
const alias = [
  { find: /^@posthog-backfill\/core$/, replacement: src("core") },
  { find: /^@posthog-backfill\/effect\/testing$/, replacement: fileURLToPath(new URL("./packages/effect/src/testing/index.ts", import.meta.url)) },
  { find: /^@posthog-backfill\/effect$/, replacement: src("effect") }
]

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { extends: true, test: { name: "core", include: ["packages/core/test/**/*.test.ts"] } },
      { extends: true, test: { name: "effect", include: ["packages/effect/test/**/*.test.ts"] } },
      { extends: true, test: { name: "cli", include: ["packages/cli/test/**/*.test.ts"] } },
      { extends: true, test: { name: "examples", include: ["examples/**/*.test.ts"] } }
    ]
  }
})
