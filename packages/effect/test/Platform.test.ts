/**
 * The OS and runtime as a person names them (`internal/platform.ts`), and
 * PostHog's own property names on request, through to what a live event
 * carries.
 */
import { BackfillApp, Presets } from "@posthog-backfill/core"
import { EventCatalog, NodeTelemetry, Telemetry } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as os from "node:os"
import { describe, expect, it } from "vitest"
import { macOSFromDarwin, osName, osVersion, runtimeOf } from "../src/internal/platform.js"

describe("the platform as a person names it", () => {
  it("names the OS, PostHog's way or a person's", () => {
    expect([osName("darwin", "posthog"), osName("darwin", "app"), osName("win32", "app"), osName("linux", "posthog")]).toEqual([
      "Mac OS X",
      "macOS",
      "Windows",
      "Linux"
    ])
  })

  it.each([
    ["19.6.0", "10.15"],
    ["20.6.0", "11.6"],
    ["22.1.0", "13.1"],
    ["23.4.0", "14.4"],
    ["24.6.0", "15.6"],
    ["25.0.0", "26.0"],
    ["not a version", undefined]
  ])("Darwin %s is macOS %s", (darwin, macOS) => {
    expect(macOSFromDarwin(darwin)).toBe(macOS)
  })

  it("prefers macOS's own system version file, and leaves other systems' release as it is", () => {
    const plist = "<dict><key>ProductName</key><string>macOS</string><key>ProductVersion</key><string>14.4.1</string></dict>"
    expect(osVersion({ platform: "darwin", release: "23.4.0", versions: {}, macSystemVersion: plist })).toBe("14.4.1")
    expect(osVersion({ platform: "darwin", release: "23.4.0", versions: {} })).toBe("14.4")
    expect(osVersion({ platform: "linux", release: "6.8.0-41-generic", versions: {} })).toBe("6.8.0-41-generic")
    expect(osVersion({ platform: "win32", release: "10.0.22631", versions: {} })).toBe("10.0.22631")
  })

  it("tells Electron and Bun from Node", () => {
    expect(runtimeOf({ node: "20.18.0", electron: "33.2.0" })).toEqual({ runtime: "electron", version: "33.2.0" })
    expect(runtimeOf({ node: "24.3.0", bun: "1.4.5" })).toEqual({ runtime: "bun", version: "1.4.5" })
    expect(runtimeOf({ node: "20.20.2" })).toEqual({ runtime: "node", version: "20.20.2" })
  })

  it("detects this process: never the raw platform string or, on macOS, the kernel version", () => {
    const detected = NodeTelemetry.detectBaseProperties("1.2.3")
    expect(detected).toMatchObject({ version: "1.2.3", arch: process.arch, runtime: "node", runtime_version: process.versions.node })
    if (process.platform === "linux") expect(detected).toMatchObject({ os: "Linux", os_version: os.release() })
    expect(detected["os"]).not.toBe("darwin")
  })

  it("PostHog's names when asked, kept by an app that whitelists them", async () => {
    const detected = NodeTelemetry.detectBaseProperties("1.2.3", { naming: "posthog" })
    expect(Object.keys(detected)).toEqual(expect.arrayContaining(["$app_version", "$os", "$os_version", "arch", "runtime"]))
    expect(detected).not.toHaveProperty("version")
    const app = BackfillApp.defineBackfillApp({
      ...Presets.claudeMem,
      baseProperties: { $app_version: "string", $os: "string", $os_version: "string" },
      personPropertyKeys: ["first_active_date"]
    })
    const Ping = EventCatalog.defineEvent({ name: "ping", payload: Schema.Struct({ n: EventCatalog.Count }) })
    const sent = await Effect.runPromise(
      Effect.gen(function*() {
        const recording = yield* Telemetry.makeRecording({ app, catalog: EventCatalog.defineCatalog([Ping]), baseProperties: detected })
        yield* recording.service.capture(Ping, { n: 1 })
        return recording.events
      }).pipe(Effect.scoped)
    )
    expect(sent[0]?.properties).toMatchObject({ n: 1, $app_version: "1.2.3", $os: detected["$os"], $os_version: detected["$os_version"] })
    expect(sent[0]?.properties).not.toHaveProperty("arch")
  })
})
