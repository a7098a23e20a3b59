/**
 * `@posthog-backfill/cli`: the `posthog-backfill` command. Its command line
 * as data, for tools that want it.
 *
 * @since 0.1.0
 */
export { COMMANDS, GLOBAL_OPTIONS, PROGRAM } from "./spec.js"
export type { CommandSpec, OptionSpec } from "./spec.js"
