import { BackfillApp, DayWindow, Epoch, HistoricalEvents, Presets, type RollupMerge, RollupSpec, Scrub } from "@posthog-backfill/core"
import fc from "fast-check"
import { v5 as uuidPackageV5 } from "uuid"
import { describe, expect, it } from "vitest"

const installId = "0b9f7e2a-3c4d-4e5f-8a6b-7c8d9e0f1a2b"
const base = { version: "10.4.1", os: "linux", os_version: "6.8", runtime: "bun", locale: "en-US", is_ci: false }
const counterKeys = RollupSpec.specKeys(Presets.claudeMem.spec)

const instantMs = fc.integer({ min: Epoch.DEFAULT_FLOOR_MS, max: Date.UTC(2030, 0, 1) })
const rollups = (fromMs: number) =>
  fc.uniqueArray(
    fc.record({
      offset: fc.integer({ min: -5, max: 800 }),
      counters: fc.dictionary(fc.constantFrom(...counterKeys), fc.integer({ min: 0, max: 1e6 }))
    }),
    { selector: (r) => r.offset, maxLength: 40 }
  ).map((items): Array<RollupMerge.DailyRollup> => items.map(({ offset, counters }) => ({ day: DayWindow.utcDay(DayWindow.dayStartMs(DayWindow.utcDay(fromMs)) + offset * DayWindow.DAY_MS), counters })))

const scenario = fc
  .tuple(instantMs, fc.integer({ min: 0, max: 900 * DayWindow.DAY_MS }))
  .chain(([firstMs, ageMs]) => rollups(firstMs).map((days) => ({ firstMs, nowMs: firstMs + ageMs, days })))

const build = (s: { firstMs: number; nowMs: number; days: ReadonlyArray<RollupMerge.DailyRollup> }) => {
  const window = DayWindow.dayWindow({ nowMs: s.nowMs, firstActivityMs: s.firstMs })
  return { window, events: HistoricalEvents.buildHistoricalEvents({ app: Presets.claudeMem, installId, window, rollups: s.days, baseProperties: base }) }
}

/** The properties the scrubber judges: everything but PostHog's `$` controls. */
const scrubbable = (properties: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(properties).filter(([key]) => !key.startsWith("$")))

describe("the historical event builder", () => {
  it("ships one install_inferred and one historical_activity per in-window day, nothing outside [installDay, lastFullDay]", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { window, events } = build(s)
        if (!DayWindow.isShippable(window)) return void expect(events).toEqual([])
        const inWindow = s.days.filter((d) => window.installDay <= d.day && d.day <= window.lastFullDay)
        expect(events[0]!.event).toBe(HistoricalEvents.INSTALL_INFERRED)
        expect(events.slice(1).map((e) => e.event)).toEqual(inWindow.map(() => HistoricalEvents.HISTORICAL_ACTIVITY))
        for (const event of events) {
          const day = event.timestamp.toISOString().slice(0, 10)
          expect(window.installDay <= day && day <= window.lastFullDay).toBe(true)
          expect(event.timestamp.toISOString()).toBe(`${day}T12:00:00.000Z`)
          expect(s.nowMs - event.timestamp.getTime()).toBeGreaterThanOrEqual(48 * DayWindow.HOUR_MS)
        }
      })
    )
  })

  it("stamps install_inferred at noon of the install day", () => {
    const firstMs = Date.parse("2025-10-19T23:59:59Z")
    const { events } = build({ firstMs, nowMs: Date.parse("2026-06-12T08:00:00Z"), days: [] })
    expect(events).toHaveLength(1)
    expect(events[0]!.timestamp).toEqual(new Date("2025-10-19T12:00:00.000Z"))
  })

  it("lets every property survive the scrubber unchanged (no silent drop)", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        for (const event of build(s).events) {
          const props = scrubbable(event.properties)
          expect(Scrub.scrubProperties(BackfillApp.backfillWhitelist(Presets.claudeMem), props)).toEqual(props)
        }
      })
    )
  })

  it("gives historical_activity counters + backfilled, profile-less, $ignore_sent_at, and no base properties", () => {
    const firstMs = Date.parse("2025-10-19T08:00:00Z")
    const { events } = build({ firstMs, nowMs: Date.parse("2026-06-12T08:00:00Z"), days: [{ day: "2025-10-20", counters: { observation_count: 3, prompt_count: 1 } }] })
    expect(events[1]!.properties).toEqual({
      observation_count: 3,
      prompt_count: 1,
      backfilled: true,
      $process_person_profile: false,
      $ignore_sent_at: true
    })
  })

  it("makes install_inferred a person event: base properties, first_active_date in $set_once, person keys in $set", () => {
    const { events } = build({ firstMs: Date.parse("2025-10-19T08:00:00Z"), nowMs: Date.parse("2026-06-12T08:00:00Z"), days: [] })
    expect(events[0]!.properties).toEqual({
      ...base,
      first_active_date: "2025-10-19",
      backfilled: true,
      $set: { version: "10.4.1", os: "linux", os_version: "6.8", runtime: "bun", locale: "en-US" },
      $set_once: { first_active_date: "2025-10-19" },
      $ignore_sent_at: true
    })
    expect(events[0]!.properties).not.toHaveProperty("$process_person_profile")
  })

  it("drops base properties that are not whitelisted or too long", () => {
    const window = { installDay: "2025-10-19", lastFullDay: "2025-10-19" }
    const [install] = HistoricalEvents.buildHistoricalEvents({
      app: Presets.claudeMem,
      installId,
      window,
      rollups: [],
      baseProperties: { version: "1", hostname: "my-laptop", cwd: "/home/me/secret", os: "x".repeat(500) }
    })
    expect(install!.properties).toMatchObject({ version: "1" })
    expect(JSON.stringify(install)).not.toMatch(/my-laptop|secret|xxxx/)
  })

  it("uses v5 uuids of installId|event|day under the app's namespace (checked with the uuid package)", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const events = build(s).events
        expect(new Set(events.map((e) => e.uuid)).size).toBe(events.length)
        for (const event of events) {
          const key = event.event === HistoricalEvents.INSTALL_INFERRED ? "install" : event.timestamp.toISOString().slice(0, 10)
          expect(event.uuid).toBe(uuidPackageV5(`${installId}|${event.event}|${key}`, Presets.claudeMem.namespace))
          expect(event.distinctId).toBe(installId)
        }
      })
    )
  })

  it("gives a known install the same uuids in every release (pinned values)", () => {
    const window = { installDay: "2025-10-19", lastFullDay: "2025-10-19" }
    const events = HistoricalEvents.buildHistoricalEvents({
      app: Presets.claudeMem,
      installId,
      window,
      rollups: [{ day: "2025-10-19", counters: { observation_count: 1 } }]
    })
    expect(events.map((event) => [event.event, event.uuid])).toEqual([
      ["install_inferred", "a403bf15-2db8-57ea-9be9-b374a36052f0"],
      ["historical_activity", "3222fdde-b2fa-5930-8fb2-f1f0cb6eace8"]
    ])
  })

  it("summarizes totals and the active-day range", () => {
    const window = { installDay: "2025-10-19", lastFullDay: "2025-10-30" }
    const events = HistoricalEvents.buildHistoricalEvents({
      app: Presets.claudeMem,
      installId,
      window,
      rollups: [
        { day: "2025-10-21", counters: { observation_count: 2 } },
        { day: "2025-10-25", counters: { observation_count: 5, prompt_count: 1 } }
      ]
    })
    expect(HistoricalEvents.summarizeEvents(window, events)).toEqual({
      installDay: "2025-10-19",
      lastFullDay: "2025-10-30",
      firstActiveDay: "2025-10-21",
      lastActiveDay: "2025-10-25",
      days: 2,
      events: 3,
      totals: { observation_count: 7, prompt_count: 1 }
    })
  })
})
