/**
 * `posthog-backfill verify`: after a send, what PostHog holds for this
 * install, checked against the data dir's marker (the library's
 * `BackfillVerify`). Exit 0 when every check passed, 1 when one failed.
 *
 * @since 0.1.0
 */
import type { BackfillVerification } from "@posthog-backfill/core"
import { AppDataDir, BackfillVerify } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import type { Values } from "../args/parse.js"
import { resolveApp } from "../appSource.js"
import { failure, usageError } from "../errors.js"
import { printJson } from "../render/json.js"
import { colorful, stdout } from "../render/output.js"
import { flag, required, runCommand, text } from "../run.js"
import { resolveDataDir } from "./consent.js"
import { resolvePersonalApiKey } from "./dashboards.js"

/**
 * The report in lines: one per check, passed or not.
 *
 * @since 0.1.0
 * @category rendering
 */
export const reportLines = (report: BackfillVerification.VerificationReport, color: boolean): ReadonlyArray<string> => {
  const failed = report.checks.filter((check) => !check.ok).length
  const mark = (ok: boolean) => (ok ? (color ? "\x1b[32m✓\x1b[0m" : "ok  ") : (color ? "\x1b[31m✗\x1b[0m" : "FAIL"))
  return [
    `verify ${report.installId}: ${failed === 0 ? `all ${report.checks.length} checks passed` : `${failed} of ${report.checks.length} checks failed`}` +
    (report.firstDay === null ? "" : ` (${report.firstDay} .. ${report.lastDay})`),
    ...report.checks.map((check) => `  ${mark(check.ok)} ${check.id.padEnd(10)}  ${check.summary}`)
  ]
}

const program = (values: Values) =>
  Effect.gen(function*() {
    const resolved = yield* resolveApp(values)
    const dataDir = yield* resolveDataDir(resolved, text(values, "data-dir"))
    const target = {
      host: yield* required(values, "host", "PostHog's app host, e.g. --host https://us.posthog.com"),
      projectId: yield* required(values, "project-id", "the numeric project id (Project settings), e.g. --project-id 12345"),
      apiKey: yield* resolvePersonalApiKey(text(values, "api-key"))
    }
    const report = yield* BackfillVerify.verify(target).pipe(
      Effect.provide(BackfillVerify.layerFetch),
      Effect.provide(AppDataDir.layer({ app: resolved.app, dataDir })),
      Effect.mapError((error) => (error.reason === "InvalidTarget" ? usageError(error.message) : failure(error.message)))
    )
    if (flag(values, "json")) {
      yield* printJson("verify", { app: resolved.app.name, ...report })
    } else {
      yield* stdout(...reportLines(report, colorful()))
    }
    if (!report.ok) return yield* Effect.fail(failure(`verify: ${report.checks.filter((check) => !check.ok).map((check) => check.id).join(", ")} failed`))
  })

/**
 * `posthog-backfill verify`.
 *
 * @since 0.1.0
 * @category commands
 */
export const main = (values: Values): Promise<number> => runCommand(program(values), values)
