/**
 * `posthog-backfill plan`: a dry run. Opens the database read-only, builds
 * the events the next send would capture (the window a pending send pins,
 * ended by the live era) and shows them with where the data dir stands;
 * writes nothing anywhere (no marker, no config file, no install id).
 *
 * @since 0.1.0
 */
import { type BackfillApp } from "@posthog-backfill/core"
import { AppDataDir, Backfill, BackfillStatus, ConfigFile, InstallId, RuntimeActivitySource } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Values } from "../args/parse.js"
import { expected } from "../errors.js"
import { flag, integer, runCommand, text } from "../run.js"
import { resolveApp } from "../appSource.js"
import { printJson } from "../render/json.js"
import * as options from "../options.js"
import { planJson } from "../render/planJson.js"
import { colorful, note, stdout } from "../render/output.js"
import { withProgress } from "../render/progress.js"
import { statusJson, statusRows } from "../render/status.js"
import { type InstallIdSource, planSummary, styles } from "../render/summary.js"
import * as fs from "node:fs"

/**
 * The install id a plan shows: `--install-id`, else the data dir's (read
 * only, never created), else {@link InstallId.PLACEHOLDER_INSTALL_ID}.
 *
 * @since 0.1.0
 * @category resolving
 */
export const planInstallId = (
  app: BackfillApp.BackfillApp,
  dataDir: string | undefined,
  flag: Option.Option<string>
) =>
  Effect.gen(function*() {
    if (Option.isSome(flag)) return { id: flag.value, source: { _tag: "Flag" } as InstallIdSource }
    const placeholder = (why: string) => ({
      id: InstallId.PLACEHOLDER_INSTALL_ID,
      source: { _tag: "Placeholder", why } as InstallIdSource
    })
    if (dataDir === undefined) return placeholder("no data dir given, so no install id to read")
    const { configPath } = AppDataDir.files(app, dataDir)
    const ids = yield* InstallId.make({ key: app.installIdKey }).pipe(Effect.provide(ConfigFile.layer({ path: configPath })))
    const current = yield* Effect.either(ids.current)
    if (current._tag === "Left") {
      yield* note(`warning: ${current.left.message}`)
      return placeholder(`the install id in ${configPath} cannot be read`)
    }
    return current.right === undefined
      ? placeholder(`no install id in ${configPath} yet`)
      : { id: current.right, source: { _tag: "DataDir", configPath } as InstallIdSource }
  })

/**
 * Where the backfill stands in the data dir, read without writing; `undefined`
 * when there is no data dir (yet), or with a warning when it cannot be read.
 */
const readStatus = (app: BackfillApp.BackfillApp, dataDir: string | undefined) =>
  dataDir === undefined || !fs.existsSync(dataDir)
    ? Effect.succeed(undefined)
    : BackfillStatus.read.pipe(
      Effect.provide(AppDataDir.layer({ app, dataDir })),
      Effect.catchAll((error) => Effect.as(note(`warning: ${error.message}`), undefined))
    )

const placeholderNote = (id: string, source: InstallIdSource): string =>
  source._tag === "Placeholder"
    ? `note: the events use the placeholder install id ${id} (${source.why}); pass --install-id <id> to plan with a real one`
    : ""

/**
 * The plan of the command line's values.
 *
 * @since 0.1.0
 * @category commands
 */
export const program = (values: Values) => {
  const args = {
    db: text(values, "db"),
    dataDir: text(values, "data-dir"),
    now: text(values, "now"),
    busyTimeout: integer(values, "busy-timeout"),
    installId: text(values, "install-id"),
    json: flag(values, "json")
  }
  return Effect.gen(function*() {
    const resolved = yield* resolveApp(values)
    const app = resolved.app
    const paths = yield* options.resolvePaths(app, { db: args.db, dataDir: args.dataDir }, resolved)
    const nowMs = yield* options.resolveNow(args.now)
    const flag = yield* options.resolveInstallIdFlag(args.installId)
    const { id, source } = yield* planInstallId(app, paths.dataDir, flag)
    const status = yield* readStatus(app, paths.dataDir)
    // The plan is the next send's: a pending send pins its window, the live era ends it.
    const plan = yield* Backfill.plan({
      app,
      installId: status?.pending?.installId ?? id,
      pinnedLastFullDay: status?.pending?.throughDay,
      liveSince: status?.liveSince
    }).pipe(
      Effect.provide(RuntimeActivitySource.layer(paths.database, {
        busyTimeoutMs: yield* options.resolveBusyTimeout(args.busyTimeout),
        inline: options.readsInline(paths.database)
      })),
      options.withNow(nowMs),
      withProgress(`reading ${paths.database}`),
      expected
    )
    if (args.json) {
      if (source._tag === "Placeholder") yield* note(placeholderNote(id, source))
      yield* printJson("plan", {
        app: app.name,
        database: paths.database,
        installId: { id, source: source._tag },
        ...planJson(plan),
        state: status === undefined ? null : statusJson(status)
      })
      return
    }
    const color = colorful()
    yield* stdout(
      ...planSummary({ app, database: paths.database, installId: id, installIdSource: source, plan, color }),
      ...(status === undefined || paths.dataDir === undefined
        ? []
        : ["", styles(color).bold(`state of ${paths.dataDir}`), ...statusRows(status, Option.getOrElse(nowMs, () => Date.now())).map(([label, value]) => `  ${label.padEnd(12)}  ${value}`)])
    )
  })
}

/**
 * `posthog-backfill plan`.
 *
 * @since 0.1.0
 * @category commands
 */
export const main = (values: Values): Promise<number> => runCommand(program(values), values)
