#!/usr/bin/env node
// The `posthog-backfill` command. A checked-in shim: npm links bins before the
// root `prepare` script (`npm run build`) has built dist/, so the bin must exist in
// a fresh clone; it loads the bundled entry point at run time.
import("../dist/bundle/bin.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/bundle/bin.js")) {
    process.stderr.write(
      "posthog-backfill: the CLI is not built yet (packages/cli/dist is missing); run `npm run build` at the repository root, then try again.\n"
    )
  } else {
    process.stderr.write(`posthog-backfill: could not start: ${error && error.message ? error.message : String(error)}\n`)
  }
  process.exitCode = 1
})
