/**
 * The bundles the packages ship, built after `tsc -b` from its output:
 *
 * - `@posthog-backfill/core`: `dist/core.js`, the whole core in one file (a
 *   host imports it in a few milliseconds instead of loading ~45 modules);
 *   the declarations stay tsc's.
 * - `@posthog-backfill/promise`: `dist/engine.js` replaced by one bundle of the
 *   engine with the Effect 3 runtime and `@posthog-backfill/effect` inside: the
 *   package declares no dependency on `effect`, so a host's own Effect (any
 *   version) never meets it. The core, posthog-node, @posthog/core and the
 *   SQLite drivers stay outside (dependencies, and native code).
 * - `@posthog-backfill/cli`: `dist/bundle/`, the command as one small entry
 *   (the parser and the help, no Effect) and one chunk per command, loaded
 *   when it runs; everything but the native SQLite driver is inside.
 *
 * Run by `npm run build` (and so by `prepare` and `pretest`).
 */
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const at = (...parts) => path.join(ROOT, ...parts)

const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  legalComments: "linked",
  logLevel: "warning"
}

await esbuild.build({
  ...common,
  entryPoints: [at("packages/core/dist/index.js")],
  outfile: at("packages/core/dist/core.js")
})

await esbuild.build({
  ...common,
  entryPoints: [at("packages/promise/dist/engine.js")],
  outfile: at("packages/promise/dist/engine.js"),
  allowOverwrite: true,
  external: ["@posthog-backfill/core", "posthog-node", "@posthog/core", "better-sqlite3", "bun:sqlite"],
  metafile: true
}).then(({ metafile }) => {
  // The engine must never carry a test library (Effect's Schema can reach fast-check).
  const [output] = Object.values(metafile.outputs)
  const carried = Object.entries(output.inputs).filter(([input, { bytesInOutput }]) => input.includes("node_modules/fast-check/") && bytesInOutput > 0)
  if (carried.length > 0) throw new Error(`the engine bundle carries fast-check (${carried.length} modules): find what imports it`)
})

// Chunk names carry a hash: a stale chunk of an earlier build must not linger beside the new ones.
fs.rmSync(at("packages/cli/dist/bundle"), { recursive: true, force: true })
await esbuild.build({
  ...common,
  entryPoints: [at("packages/cli/dist/bin.js")],
  outdir: at("packages/cli/dist/bundle"),
  splitting: true,
  // Minified: a command's start-up is mostly V8 compiling its chunks.
  minify: true,
  metafile: true,
  chunkNames: "chunks/[name]-[hash]",
  external: ["better-sqlite3", "bun:sqlite"],
  // posthog-node and some Effect packages are CommonJS: give them a require in an ES module.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }
}).then(({ metafile }) => fs.writeFileSync(at("packages/cli/dist/bundle-meta.json"), JSON.stringify(metafile)))
