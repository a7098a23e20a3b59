/**
 * The two gates most starts of a host end at, decided without the engine:
 * a marker (done) and consent off. Only clear cases are decided here: a
 * small regular file read without following a link, or no file at all.
 * Anything odd (a link, a FIFO, a huge file, a config that is not a JSON
 * object, a data dir that cannot exist) is left to the engine, which reads
 * the same files the careful way and says why. The decisions are the
 * engine's own: the core's `Marker.parseMarker` and
 * `ConsentRules.resolveConsent` on the same inputs.
 *
 * @internal
 */
import { type BackfillApp, ConsentRules, Marker } from "@posthog-backfill/core"
import { constants } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { HistoricalBackfillResult } from "../types.js"

const MAX_BYTES = 1 << 20

type Read = { readonly _tag: "Absent" } | { readonly _tag: "Text"; readonly text: string } | { readonly _tag: "Odd" }

/** A state file as the engine would accept it, or `Odd` for the engine to judge. */
const readSmall = async (file: string): Promise<Read> => {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    return (error as { code?: unknown }).code === "ENOENT" ? { _tag: "Absent" } : { _tag: "Odd" }
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile() || stat.size > MAX_BYTES) return { _tag: "Odd" }
    return { _tag: "Text", text: await handle.readFile("utf8") }
  } catch {
    return { _tag: "Odd" }
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/** @internal */
export interface QuickGateInput {
  readonly app: BackfillApp.BackfillApp
  readonly dataDir: string
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  readonly warn: (message: string) => void
}

/**
 * `AlreadyDone` or `NoConsent` when the files say so plainly; `undefined`
 * when the engine must run.
 *
 * @internal
 */
export const quickGates = async (input: QuickGateInput): Promise<HistoricalBackfillResult | undefined> => {
  const markerPath = path.join(input.dataDir, input.app.markerFileName)
  const marker = await readSmall(markerPath)
  if (marker._tag === "Odd") return undefined
  if (marker._tag === "Text") {
    const state = Marker.parseMarker(marker.text)
    if (state._tag === "Unreadable") input.warn(Marker.describeUnreadable(markerPath, state.reason))
    if (Marker.isMarkerDone(state)) return { _tag: "AlreadyDone", marker: state }
  }
  const config = await readSmall(path.join(input.dataDir, input.app.configFileName))
  if (config._tag === "Odd") return undefined
  let object: Readonly<Record<string, unknown>> | undefined
  if (config._tag === "Text") {
    let value: unknown
    try {
      value = JSON.parse(config.text)
    } catch {
      return undefined
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined
    object = value as Readonly<Record<string, unknown>>
  }
  const consent = ConsentRules.resolveConsent({ env: input.env ?? process.env, envPrefix: input.app.consentEnvPrefix, config: object })
  return consent.enabled ? undefined : { _tag: "NoConsent", consent }
}
