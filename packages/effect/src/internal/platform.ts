/**
 * The operating system and runtime as a person names them: `macOS 14.4`, not
 * `darwin 23.4.0`; Electron, not the Node inside it. Pure over the facts a
 * process reads (`process.platform`, `os.release()`, `process.versions`, the
 * macOS system version file), so each mapping is tested with any input.
 *
 * @internal
 */

/** How base properties are named: the app's own keys, or PostHog's (`$os`, `$os_version`, `$app_version`). @internal */
export type Naming = "app" | "posthog"

/** The facts detection reads. @internal */
export interface PlatformFacts {
  readonly platform: string
  /** `os.release()`: the kernel's version (Darwin's on macOS). */
  readonly release: string
  readonly versions: Readonly<Record<string, string | undefined>>
  /** `/System/Library/CoreServices/SystemVersion.plist` on macOS, if it could be read. */
  readonly macSystemVersion?: string | undefined
}

/** The OS name: PostHog's own values (`Mac OS X`, as posthog-js reports it) or a person's (`macOS`). @internal */
export const osName = (platform: string, naming: Naming): string => {
  switch (platform) {
    case "darwin":
      return naming === "posthog" ? "Mac OS X" : "macOS"
    case "win32":
      return "Windows"
    case "linux":
      return "Linux"
    case "freebsd":
      return "FreeBSD"
    case "openbsd":
      return "OpenBSD"
    case "android":
      return "Android"
    default:
      return platform
  }
}

/**
 * macOS's product version from its Darwin kernel version, when the system
 * version file cannot be read: Darwin 20-24 are macOS 11-15, Darwin 25 is
 * macOS 26 (the year-named releases), Darwin 19 and below are 10.x.
 *
 * @internal
 */
export const macOSFromDarwin = (release: string): string | undefined => {
  const match = /^(\d+)\.(\d+)/.exec(release)
  if (match === null) return undefined
  const major = Number(match[1])
  const minor = Number(match[2])
  if (major >= 25) return `${major + 1}.${minor}`
  if (major >= 20) return `${major - 9}.${minor}`
  if (major >= 5) return `10.${major - 4}`
  return undefined
}

const productVersion = (plist: string | undefined): string | undefined => {
  const match = plist === undefined ? null : /<key>ProductVersion<\/key>\s*<string>(\d+(?:\.\d+){0,2})<\/string>/.exec(plist)
  return match?.[1]
}

/** The OS version a person recognises: macOS's product version; elsewhere the release. @internal */
export const osVersion = (facts: PlatformFacts): string =>
  facts.platform === "darwin"
    ? productVersion(facts.macSystemVersion) ?? macOSFromDarwin(facts.release) ?? facts.release
    : facts.release

/** The runtime: Electron (its own version), Bun, or Node. @internal */
export const runtimeOf = (versions: PlatformFacts["versions"]): { readonly runtime: string; readonly version: string } =>
  versions["electron"] !== undefined
    ? { runtime: "electron", version: versions["electron"] }
    : versions["bun"] !== undefined
    ? { runtime: "bun", version: versions["bun"] }
    : { runtime: "node", version: versions["node"] ?? "unknown" }
