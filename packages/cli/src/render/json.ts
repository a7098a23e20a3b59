/**
 * The machine output of every command under `--json`: one JSON object on
 * stdout, `{ schemaVersion, command, ... }`. The shapes are documented in the
 * README ("Machine output"); a change that removes or retypes a field bumps
 * `schemaVersion`, adding one does not.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { stdout } from "./output.js"

/**
 * @since 0.1.0
 * @category constants
 */
export const SCHEMA_VERSION = 1

/**
 * Writes a command's result as one JSON object on stdout.
 *
 * @since 0.1.0
 * @category output
 */
export const printJson = (command: string, body: Readonly<Record<string, unknown>>): Effect.Effect<void> =>
  stdout(JSON.stringify({ schemaVersion: SCHEMA_VERSION, command, ...body }, null, 2))
