/**
 * The versions of posthog-node and @posthog/core this library is tested with.
 * Delivery confirmation relies on their exact source (the wire's facts, in
 * `wire.ts`), so they are exact dependencies; if a host's tree resolved
 * others anyway (an `overrides`, a dedupe), the backfill refuses to send and
 * says which, and live telemetry warns.
 *
 * @internal
 */
import { createRequire } from "node:module"
import * as fs from "node:fs"
import * as nodePath from "node:path"

/** @internal */
export const TESTED = { "posthog-node": "5.70.0", "@posthog/core": "1.67.3" } as const

/** The version in the nearest package.json named `name` at or above `file`, if any. */
const versionAbove = (file: string, name: string): string | undefined => {
  for (let dir = nodePath.dirname(file); dir !== nodePath.dirname(dir); dir = nodePath.dirname(dir)) {
    const manifest = nodePath.join(dir, "package.json")
    if (!fs.existsSync(manifest)) continue
    try {
      const parsed = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown }
      if (parsed.name === name) return typeof parsed.version === "string" ? parsed.version : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

/**
 * What resolved: posthog-node's own version, and the @posthog/core that
 * posthog-node itself loads. A bundled posthog-node (no file to look at)
 * reports only its own version.
 *
 * @internal
 */
export const resolvedVersions = async (): Promise<{ readonly "posthog-node": string; readonly "@posthog/core": string | undefined }> => {
  let core: string | undefined
  try {
    const here = createRequire(import.meta.url)
    const posthogNode = here.resolve("posthog-node")
    core = versionAbove(createRequire(posthogNode).resolve("@posthog/core"), "@posthog/core")
  } catch {
    core = undefined
  }
  const { PostHog } = await import("posthog-node")
  return { "posthog-node": new PostHog("phc_version_probe", { disabled: true }).getLibraryVersion(), "@posthog/core": core }
}

/**
 * One line per dependency that resolved to an untested version (empty when
 * all is as tested).
 *
 * @internal
 */
export const untested = async (given?: Awaited<ReturnType<typeof resolvedVersions>>): Promise<ReadonlyArray<string>> => {
  const versions = given ?? (await resolvedVersions())
  return (Object.keys(TESTED) as Array<keyof typeof TESTED>).flatMap((name) => {
    const found = versions[name]
    return found === undefined || found === TESTED[name]
      ? []
      : [`${name} ${found} is installed, but this release of posthog-backfill is tested with exactly ${TESTED[name]} ` +
        `(its delivery checks rely on that version's behaviour): install ${name}@${TESTED[name]} or remove the override that moved it`]
  })
}
