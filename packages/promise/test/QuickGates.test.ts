/**
 * The facade decides a marker and consent off without loading its engine:
 * for every file and environment a host can have, its answer is exactly the
 * engine's (`@posthog-backfill/effect`'s own facade, same files, same
 * environment), warnings included; what it cannot decide plainly (a link, a
 * directory, a config that is not a JSON object) it leaves to the engine.
 */
import { Presets } from "@posthog-backfill/core"
import { runHistoricalBackfill as engineRun } from "@posthog-backfill/effect"
import { runHistoricalBackfill } from "@posthog-backfill/promise"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const app = Presets.claudeMem
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "quick-gates-"))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

type Plant = (file: string) => void
const text = (content: string): Plant => (file) => fs.writeFileSync(file, content)
const markers: Record<string, Plant | undefined> = {
  absent: undefined,
  done: text(JSON.stringify({ completedAt: "2026-06-12T08:00:00.000Z", throughDay: "2026-06-09", eventCount: 12, installId: "i" })),
  "claude-mem's own, with extra fields": text(JSON.stringify({ completedAt: "2026-06-12T08:00:00.000Z", throughDay: "2026-06-09", eventCount: 3, installId: "i", version: "10.4.1" })),
  garbage: text("{garbage"),
  empty: text(""),
  "a link": (file) => fs.symlinkSync(path.join(scratch, "elsewhere.json"), file),
  "a directory": (file) => fs.mkdirSync(file)
}
const configs: Record<string, Plant | undefined> = {
  absent: undefined,
  "enabled: false": text(`{"enabled": false}`),
  'enabled: "false"': text(`{"enabled": "false", "installId": "x"}`),
  "enabled: true": text(`{"enabled": true}`),
  "not JSON": text("enabled=false"),
  "an array": text("[]")
}
const envs: Record<string, Record<string, string>> = {
  none: {},
  "DO_NOT_TRACK=1": { DO_NOT_TRACK: "1" },
  "forced on": { CLAUDE_MEM_TELEMETRY: "1" },
  CI: { CI: "true" }
}

describe("the facade's own gates", () => {
  it("answer exactly as the engine does, for every marker, config and environment", async () => {
    let decidedBeforeTheEngine = 0
    for (const [markerName, marker] of Object.entries(markers)) {
      for (const [configName, config] of Object.entries(configs)) {
        for (const [envName, env] of Object.entries(envs)) {
          const where = `${markerName} / ${configName} / ${envName}`
          const run = async (facade: typeof runHistoricalBackfill | typeof engineRun) => {
            const dataDir = fs.mkdtempSync(path.join(scratch, "data-"))
            marker?.(path.join(dataDir, app.markerFileName))
            config?.(path.join(dataDir, app.configFileName))
            const lines: Array<string> = []
            // No database and no key: a run that passes the gates ends at once, the same way for both.
            const result = await facade({ app, dataDir, database: path.join(dataDir, "none.db"), env, inline: true, logger: { warn: (line) => lines.push(line) } })
            const plain = result._tag === "Error" ? { _tag: "Error", message: result.message } : result
            const local = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(dataDir, "<dataDir>")) as { readonly _tag: string }
            return { result: local(plain), warnings: local(lines.filter((line) => line.includes("marker"))) }
          }
          const ours = await run(runHistoricalBackfill)
          const theirs = await run(engineRun)
          expect([where, ours]).toEqual([where, theirs])
          if (ours.result._tag === "AlreadyDone" || ours.result._tag === "NoConsent") decidedBeforeTheEngine++
        }
      }
    }
    expect(decidedBeforeTheEngine).toBeGreaterThan(60)
  })
})
