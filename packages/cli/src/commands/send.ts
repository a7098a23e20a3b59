/**
 * `posthog-backfill send`: the gated backfill exactly as an embedding app runs
 * it (`Backfill.run` over `NodeBackfill.layer`): consent from the environment
 * and the data dir's config file, `<PREFIX>_DEBUG=1` a dry run, the marker in
 * the data dir. Exit 0 when it delivered or a gate stopped it by design, 1
 * when delivery was not confirmed (no marker written).
 *
 * @since 0.1.0
 */
import { Backfill, HttpHost, InstallId, NodeBackfill } from "@posthog-backfill/effect"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import type { Values } from "../args/parse.js"
import { type CliError, expected, failure, usageError } from "../errors.js"
import { flag, integer, runCommand, text } from "../run.js"
import { resolveApp } from "../appSource.js"
import * as options from "../options.js"
import { printJson } from "../render/json.js"
import { describeOutcome, outcomeJson } from "../render/outcome.js"
import { stdout } from "../render/output.js"
import { withProgress } from "../render/progress.js"
import * as Sink from "../sink.js"

const fromEnv = (name: string): Effect.Effect<string | undefined, CliError> =>
  Config.option(Config.string(name)).pipe(
    Effect.mapError(() => usageError(`could not read ${name} from the environment`)),
    Effect.map((value) => Option.getOrUndefined(Option.filter(value, (text) => text.trim() !== "")))
  )

const given = (value: Option.Option<string>): string | undefined =>
  Option.getOrUndefined(Option.filter(value, (text) => text.trim() !== ""))

/**
 * The API key: `--api-key`, else `POSTHOG_API_KEY`; `undefined` stops the run
 * at the no-API-key gate.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolveApiKey = (flag: Option.Option<string>): Effect.Effect<string | undefined, CliError> => {
  const value = given(flag)
  return value !== undefined ? Effect.succeed(value.trim()) : fromEnv("POSTHOG_API_KEY")
}

/**
 * The host: `--host`, else `POSTHOG_HOST`, else PostHog US cloud; it must be
 * an http(s) URL.
 *
 * @since 0.1.0
 * @category resolving
 */
export const resolveHost = (flag: Option.Option<string>): Effect.Effect<string, CliError> =>
  Effect.gen(function*() {
    // A --host that is given but blank is a mistake, never a quiet fall back to PostHog US.
    const fromFlag = Option.getOrUndefined(flag)
    const fromEnvironment = fromFlag === undefined ? yield* fromEnv("POSTHOG_HOST") : undefined
    const host = fromFlag ?? fromEnvironment ?? HttpHost.DEFAULT_HOST
    const where = fromFlag !== undefined ? "--host" : fromEnvironment !== undefined ? "POSTHOG_HOST" : "the default host"
    return yield* Either.match(HttpHost.parse(host), {
      onLeft: (why) => Effect.fail(usageError(HttpHost.describeRefusal(where, host, why))),
      onRight: (parsed) => Effect.succeed(parsed.url)
    })
  })

/**
 * The send of the command line's values.
 *
 * @since 0.1.0
 * @category commands
 */
export const program = (values: Values) => {
  const args = {
    db: text(values, "db"),
    dataDir: text(values, "data-dir"),
    apiKey: text(values, "api-key"),
    host: text(values, "host"),
    now: text(values, "now"),
    busyTimeout: integer(values, "busy-timeout"),
    force: flag(values, "force"),
    installId: text(values, "install-id"),
    json: flag(values, "json")
  }
  return Effect.gen(function*() {
    const resolved = yield* resolveApp(values)
    const app = resolved.app
    const paths = yield* options.resolvePaths(app, { db: args.db, dataDir: args.dataDir }, resolved)
    const dataDir = yield* options.requireDataDir(app, paths)
    // The library opens the database only when a run gets past the marker and consent gates; on the
    // command line a --db that points nowhere is a mistake worth saying at once, whatever the gates.
    if (!fs.existsSync(paths.database)) {
      return yield* Effect.fail(
        failure(`no database at ${paths.database}: check --db (the app's SQLite file; it is opened read-only)`)
      )
    }
    const nowMs = yield* options.resolveNow(args.now)
    const installId = yield* options.resolveInstallIdFlag(args.installId)
    const apiKey = yield* resolveApiKey(args.apiKey)
    const host = yield* resolveHost(args.host)
    const tuning = yield* Sink.tuningFromEnv
    const busyTimeoutMs = yield* options.resolveBusyTimeout(args.busyTimeout)
    const services = Layer.mergeAll(
      NodeBackfill.layer({ app, dataDir, database: paths.database, sink: tuning, busyTimeoutMs, inline: options.readsInline(paths.database) }),
      // A later layer wins: a fixed install id.
      Option.match(installId, { onNone: () => Layer.empty, onSome: (id) => InstallId.layerStatic(id) })
    )
    // The command line neither schedules nor waits: a person runs it now, not a fleet.
    const rollout = { spreadMs: 0, maxStartDelayMs: 0 }
    const outcome = yield* Backfill.run({ app, apiKey, host, force: args.force, rollout }).pipe(
      Effect.provide(services),
      options.withNow(nowMs),
      withProgress(`backfilling from ${paths.database}`),
      expected
    )
    const described = describeOutcome(outcome, { app, dataDir, host })
    if (args.json) {
      yield* printJson("send", {
        app: app.name,
        database: paths.database,
        dataDir,
        host,
        ...outcomeJson(outcome, described._tag === "Line" ? described.line : described.error.message)
      })
    }
    if (described._tag === "Failure") return yield* Effect.fail(described.error)
    if (!args.json) yield* stdout(described.line)
  })
}

/**
 * `posthog-backfill send`.
 *
 * @since 0.1.0
 * @category commands
 */
export const main = (values: Values): Promise<number> => runCommand(program(values), values)
