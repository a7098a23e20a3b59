/**
 * `@posthog-backfill/cli`: the `posthog-backfill` command (plan, send, demo, consent, dashboards),
 * a thin shell over `@posthog-backfill/effect`. Run it with
 * `npx posthog-backfill <command>`; the command tree is exported for hosts
 * that embed it in their own `@effect/cli` app.
 *
 * @since 0.1.0
 */

/** The command tree and its runner. */
export { command, run, VERSION } from "./cli.js"
