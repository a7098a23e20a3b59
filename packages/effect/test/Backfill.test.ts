/**
 * The gated program, one gate at a time, by swapping one layer: a recording
 * sink, in-memory marker / install id / activity source, a static consent, a
 * test clock and a capturing console.
 */
import { type BackfillApp, type Backoff, type ConsentRules, DayWindow, type Lease, Marker, Presets, type Query, Rollout } from "@posthog-backfill/core"
import { columnsOfRows, runQueryInMemory } from "@posthog-backfill/testkit/InMemoryQuery"
import {
  ActivitySource,
  AttemptLog,
  Backfill,
  Consent,
  HttpHost,
  InstallId,
  LiveSince,
  MarkerStore,
  PostHogSink,
  SendLease
} from "@posthog-backfill/effect"
import * as MemorySource from "@posthog-backfill/testkit/MemorySource"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"

const NOW = Date.parse("2026-06-12T08:00:00Z") // lastFullDay 2026-06-09
const day = (iso: string) => Date.parse(iso)

/** A small claude-mem history: install 2025-10-19, a legacy second epoch, a backdated artifact. */
const history = {
  sdk_sessions: [
    { started_at_epoch: day("2025-10-19T09:00:00Z"), status: "completed", platform_source: "claude", project: "alpha" },
    { started_at_epoch: Math.floor(day("2025-10-21T10:00:00Z") / 1000), status: "failed", platform_source: " Codex", project: "beta" },
    { started_at_epoch: day("2026-06-11T10:00:00Z"), status: "active", platform_source: "claude", project: "alpha" }
  ],
  observations: [
    { created_at_epoch: day("2025-08-12T10:00:00Z"), type: "bugfix", project: "alpha", agent_type: null },
    { created_at_epoch: day("2025-10-19T09:05:00Z"), type: "Discovery", project: "alpha", agent_type: "explore" },
    { created_at_epoch: day("2025-10-21T10:05:00Z"), type: "feature", project: "beta", agent_type: null }
  ],
  session_summaries: [{ created_at_epoch: day("2025-10-19T09:30:00Z"), discovery_tokens: 100 }],
  user_prompts: [{ created_at_epoch: day("2025-10-19T09:01:00Z") }]
}

const consentOn: ConsentRules.ConsentDecision = { enabled: true, debug: false, source: "default", reason: "on by default" }
const consentOff: ConsentRules.ConsentDecision = { enabled: false, debug: false, source: "env", reason: "CLAUDE_MEM_TELEMETRY=0 turned telemetry off" }
const consentDebug: ConsentRules.ConsentDecision = { ...consentOn, debug: true }

/** An activity source that must not be read (a gate before the database must stop the run). */
const untouchableSource = Layer.succeed(ActivitySource.ActivitySource, {
  columns: Effect.dieMessage("the database was read"),
  run: () => Effect.dieMessage("the database was read")
})

interface Setup {
  readonly marker?: Marker.MarkerState
  readonly pending?: Marker.PendingSend
  readonly nowMs?: number
  /** Make the marker write fail, as a crash between delivery and marker would. */
  readonly markerWriteFails?: boolean
  readonly consent?: ConsentRules.ConsentDecision
  readonly source?: Layer.Layer<ActivitySource.ActivitySource>
  readonly installId?: string
  readonly sink?: PostHogSink.RecordingBehaviour
  readonly apiKey?: string | undefined
  readonly host?: string | undefined
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly attempts?: Backoff.AttemptRecord | undefined
  readonly leaseHolder?: Lease.LeaseRecord | undefined
  readonly liveSince?: string | undefined
  readonly force?: boolean | undefined
  readonly rollout?: Partial<BackfillApp.BackfillApp["rollout"]> | undefined
}

/** Runs the program once over swapped layers and returns the outcome and what every layer saw. */
const runWith = (setup: Setup) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(setup.nowMs ?? NOW)
    const markers = yield* MarkerStore.makeMemory(setup.marker, setup.pending)
    const markerService: MarkerStore.Service = setup.markerWriteFails
      ? { ...markers.service, write: () => Effect.fail(new MarkerStore.MarkerWriteError({ path: "m", message: "disk full" })) }
      : markers.service
    const recording = yield* PostHogSink.makeRecording(setup.sink)
    const stderr: Array<string> = []
    const ids = yield* Effect.scoped(
      Effect.map(Layer.build(InstallId.layerMemory(setup.installId)), (context) => Context.get(context, InstallId.InstallId))
    )
    const attemptLog = yield* AttemptLog.makeMemory(setup.attempts)
    const layers = Layer.mergeAll(
      Layer.succeed(AttemptLog.AttemptLog, attemptLog),
      SendLease.layerStatic(setup.leaseHolder),
      LiveSince.layerMemory(setup.liveSince),
      Layer.succeed(MarkerStore.MarkerStore, markerService),
      Consent.layerStatic(setup.consent ?? consentOn),
      Layer.succeed(InstallId.InstallId, ids),
      setup.source ?? MemorySource.layer(history),
      PostHogSink.layerRecording(recording)
    )
    const current = yield* Effect.console
    const capturing: Console.Console = { ...current, error: (...args) => Effect.sync(() => void stderr.push(args.join(" "))) }
    const result = yield* Backfill.run({
      app: Presets.claudeMem,
      apiKey: "apiKey" in setup ? setup.apiKey : "phc_test",
      host: setup.host,
      force: setup.force,
      // Sends at once unless a test is about the spread.
      rollout: { spreadMs: 0, ...setup.rollout }
    }).pipe(
      Effect.zip(Effect.flatMap(InstallId.InstallId, (ids) => ids.current)),
      Effect.provide(layers),
      Effect.withConsole(capturing),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(setup.env ?? {})))),
      Effect.either
    )
    return {
      result,
      written: yield* markers.written,
      pending: yield* markers.pending,
      recording,
      stderr,
      installIdAfter: yield* ids.current,
      attemptsAfter: yield* attemptLog.current
    }
  })

describe("Backfill.run gates", () => {
  it.effect("1. a present marker stops before the database, consent and client", () =>
    Effect.gen(function*() {
      const done = Marker.parseMarker(JSON.stringify({ completedAt: "x", throughDay: "2026-01-01", eventCount: 3, installId: "i", version: "9.0.0" }))
      const { recording, result, written } = yield* runWith({ marker: done, source: untouchableSource })
      expect(result._tag === "Right" && result.right[0]._tag).toBe("AlreadyDone")
      expect(recording.clientsConstructed).toBe(0)
      expect(written).toEqual([])
    }))

  it.effect("1. an unreadable marker also means done", () =>
    Effect.gen(function*() {
      const { recording, result } = yield* runWith({ marker: Marker.parseMarker("{garbage"), source: untouchableSource })
      expect(result._tag === "Right" && result.right[0]._tag).toBe("AlreadyDone")
      expect(recording.clientsConstructed).toBe(0)
    }))

  it.effect("2. consent off stops before the database, writes no marker and constructs no client", () =>
    Effect.gen(function*() {
      const { recording, result, written } = yield* runWith({ consent: consentOff, source: untouchableSource })
      expect(result._tag === "Right" && result.right[0]).toMatchObject({ _tag: "NoConsent", consent: consentOff })
      expect(recording.clientsConstructed).toBe(0)
      expect(written).toEqual([])
    }))

  it.effect("4. debug prints a summary and every event to stderr, sends nothing, writes nothing, creates no install id", () =>
    Effect.gen(function*() {
      const { recording, result, stderr, written } = yield* runWith({ consent: consentDebug })
      expect(result._tag).toBe("Right")
      const [outcome, installId] = (result as { right: [Backfill.Outcome, string | undefined] }).right
      expect(outcome._tag).toBe("DryRun")
      expect(installId).toBeUndefined()
      expect(recording.clientsConstructed).toBe(0)
      expect(written).toEqual([])
      expect(stderr[0]).toMatch(/dry run: 3 events, 2 active days in 2025-10-19\.\.2026-06-09; nothing sent, nothing written/)
      expect(stderr).toHaveLength(4)
      expect(JSON.parse(stderr[1]!)).toMatchObject({ event: "install_inferred", timestamp: "2025-10-19T12:00:00.000Z" })
      expect(stderr.join("\n")).toContain(InstallId.PLACEHOLDER_INSTALL_ID)
    }))

  it.effect("4. debug on an empty database still prints, and writes no marker", () =>
    Effect.gen(function*() {
      const { result, stderr, written } = yield* runWith({ consent: consentDebug, source: MemorySource.layer({}) })
      expect(result._tag === "Right" && result.right[0]._tag).toBe("DryRun")
      expect(stderr).toEqual([expect.stringMatching(/dry run: 0 events, no activity; last full day 2026-06-09/)])
      expect(written).toEqual([])
    }))

  it.effect("5. zero events write a marker with eventCount 0 and construct no client", () =>
    Effect.gen(function*() {
      const fresh = { sdk_sessions: [{ started_at_epoch: NOW - 3_600_000, status: "active", platform_source: "claude", project: "a" }] }
      const { recording, result, written } = yield* runWith({ source: MemorySource.layer(fresh), installId: "id-5" })
      expect(result._tag === "Right" && result.right[0]._tag).toBe("NothingToSend")
      expect(recording.clientsConstructed).toBe(0)
      expect(written).toEqual([{ completedAt: "2026-06-12T08:00:00.000Z", throughDay: "2026-06-09", eventCount: 0, installId: "id-5" }])
    }))

  it.effect("6. no API key stops without a client or a marker", () =>
    Effect.gen(function*() {
      const { recording, result, written } = yield* runWith({ apiKey: undefined })
      expect(result._tag === "Right" && result.right[0]._tag).toBe("NoApiKey")
      expect(recording.clientsConstructed).toBe(0)
      expect(written).toEqual([])
    }))

  it.effect("7-9. a confirmed delivery sends every event once through a historical-migration client and writes the marker", () =>
    Effect.gen(function*() {
      const { recording, result, written } = yield* runWith({ installId: "install-7" })
      expect(result._tag === "Right" && result.right[0]).toMatchObject({ _tag: "Sent", eventCount: 3 })
      expect(recording.clientsConstructed).toBe(1)
      expect(recording.sends[0]!.options).toEqual({ apiKey: "phc_test", host: HttpHost.DEFAULT_HOST, historicalMigration: true })
      expect(recording.events.map((e) => [e.event, e.timestamp.toISOString(), e.distinctId])).toEqual([
        ["install_inferred", "2025-10-19T12:00:00.000Z", "install-7"],
        ["historical_activity", "2025-10-19T12:00:00.000Z", "install-7"],
        ["historical_activity", "2025-10-21T12:00:00.000Z", "install-7"]
      ])
      expect(written).toEqual([{ completedAt: "2026-06-12T08:00:00.000Z", throughDay: "2026-06-09", eventCount: 3, installId: "install-7" }])
    }))

  it.effect("7. a real send creates the install id when there is none, and the events carry it", () =>
    Effect.gen(function*() {
      const { recording, result, written } = yield* runWith({})
      const [, installId] = (result as { right: [Backfill.Outcome, string | undefined] }).right
      expect(installId).toMatch(/^[0-9a-f-]{36}$/)
      expect(new Set(recording.events.map((e) => e.distinctId))).toEqual(new Set([installId]))
      expect(written[0]!.installId).toBe(installId)
    }))

  it.effect("9. an unconfirmed delivery fails the run and writes no marker", () =>
    Effect.gen(function*() {
      const { recording, result, written } = yield* runWith({ sink: { _tag: "Reject", errors: ["HTTP 503"] } })
      expect(result._tag === "Right" && result.right[0]).toMatchObject({ _tag: "Failed" })
      expect((result as unknown as { right: [{ reason: string }] }).right[0].reason).toMatch(/0\/3 events acknowledged; HTTP 503; no marker written/)
      expect(recording.clientsConstructed).toBe(1)
      expect(written).toEqual([])
    }))

  it.effect("9. a partial acknowledgement is not a delivery", () =>
    Effect.gen(function*() {
      const { result, written } = yield* runWith({ installId: "i", sink: { _tag: "AcknowledgeOnly", uuids: [] } })
      expect(result._tag === "Right" && result.right[0]._tag).toBe("Failed")
      expect(written).toEqual([])
    }))

  it.effect("a sink that refuses to send fails in the error channel and writes no marker", () =>
    Effect.gen(function*() {
      const error = new PostHogSink.PostHogSinkError({ reason: "CaptureModeV1", message: "unset POSTHOG_CAPTURE_MODE" })
      const { result, written } = yield* runWith({ sink: { _tag: "Fail", error } })
      expect(result._tag === "Left" && result.left).toBe(error)
      expect(written).toEqual([])
    }))

  it.effect("a second run after success sends nothing", () =>
    Effect.gen(function*() {
      const first = yield* runWith({ installId: "i" })
      const marker: Marker.MarkerState = { _tag: "Present", marker: first.written[0]! }
      const second = yield* runWith({ installId: "i", marker })
      expect(second.result._tag === "Right" && second.result.right[0]._tag).toBe("AlreadyDone")
      expect(second.recording.clientsConstructed).toBe(0)
    }))

  it.effect("a retry after a failed delivery sends byte-identical uuids and timestamps", () =>
    Effect.gen(function*() {
      const failed = yield* runWith({ installId: "i", sink: { _tag: "Reject", errors: ["dropped"] } })
      const retried = yield* runWith({ installId: "i" })
      const shape = (r: typeof failed) => r.recording.events.map((e) => [e.uuid, e.timestamp.toISOString(), e.event, e.distinctId])
      expect(shape(retried)).toEqual(shape(failed))
    }))

  it.effect("a crash between delivery and marker: a later retry is the same send (pinned window), not a larger one", () =>
    Effect.gen(function*() {
      const crashed = yield* runWith({ installId: "i", markerWriteFails: true })
      expect(crashed.result._tag).toBe("Left")
      expect(crashed.pending).toMatchObject({ throughDay: "2026-06-09", installId: "i", eventCount: 3 })
      const shape = (r: typeof crashed) => r.recording.events.map((e) => [e.uuid, e.timestamp.toISOString(), JSON.stringify(e.properties)])

      // Three days later the window would include 2026-06-11's session; the pending send pins it.
      const later = NOW + 3 * DayWindow.DAY_MS
      const retried = yield* runWith({ installId: "i", nowMs: later, pending: crashed.pending! })
      expect(retried.result._tag === "Right" && retried.result.right[0]._tag).toBe("Sent")
      expect(shape(retried)).toEqual(shape(crashed))
      expect(retried.written[0]!.throughDay).toBe("2026-06-09")
      expect(retried.pending).toBeUndefined()

      const unpinned = yield* runWith({ installId: "i", nowMs: later })
      expect(unpinned.recording.events.length).toBe(4)
    }))

  it.effect("a host or a capture mode the sink refuses stops the run before the install id or the pending send is written", () =>
    Effect.gen(function*() {
      for (const setup of [{ host: "http://127.0.0.1:8000/#x" }, { env: { POSTHOG_CAPTURE_MODE: "v1" } }]) {
        const { installIdAfter, pending, recording, result, written } = yield* runWith(setup)
        expect(result._tag === "Left" && result.left).toMatchObject({ _tag: "PostHogSinkError" })
        expect(pending).toBeUndefined()
        expect(written).toEqual([])
        expect(recording.clientsConstructed).toBe(0)
        expect(installIdAfter).toBeUndefined()
      }
    }))

  it.effect("a retry keeps the pending send's install id when the config's id changed since (restored, regenerated)", () =>
    Effect.gen(function*() {
      const crashed = yield* runWith({ installId: "old", markerWriteFails: true })
      const retried = yield* runWith({ installId: "new", pending: crashed.pending! })
      expect(retried.result._tag === "Right" && retried.result.right[0]._tag).toBe("Sent")
      const ids = (r: typeof crashed) => r.recording.events.map((e) => [e.distinctId, e.uuid])
      expect(ids(retried)).toEqual(ids(crashed))
      expect(new Set(retried.recording.events.map((e) => e.distinctId))).toEqual(new Set(["old"]))
      expect(retried.written[0]!.installId).toBe("old")
    }))

  it.effect("records the pending send before any event leaves, and never in a dry run", () =>
    Effect.gen(function*() {
      const failed = yield* runWith({ installId: "i", sink: { _tag: "Reject", errors: ["HTTP 500"] } })
      expect(failed.pending).toMatchObject({ throughDay: "2026-06-09", eventCount: 3 })
      const dry = yield* runWith({ consent: consentDebug })
      expect(dry.pending).toBeUndefined()
    }))
})

const outcomeOf = (result: { readonly result: { _tag: string } }) => {
  const either = result.result as { _tag: "Right"; right: [Backfill.Outcome, string | undefined] } | { _tag: "Left"; left: unknown }
  if (either._tag === "Left") throw new Error(`the run failed: ${String(either.left)}`)
  return either.right[0]
}
const HOUR = 3_600_000

describe("Backfill.run: one sender, backoff, rollout, live era, clock", () => {
  it.effect("another process holds the lease: Busy, nothing read, nothing written", () =>
    Effect.gen(function*() {
      const holder = { pid: 4242, host: "build-7", token: "t", startedAt: "2026-06-12T07:59:00.000Z" }
      const run = yield* runWith({ installId: "i", leaseHolder: holder, source: untouchableSource })
      expect(outcomeOf(run)).toEqual(Backfill.Outcome.Busy({ holder }))
      expect([run.written, run.pending, run.attemptsAfter, run.recording.clientsConstructed]).toEqual([[], undefined, undefined, 0])
    }))

  it.effect("a failed delivery is recorded: 401 waits the 7-day cap, a 503 about an hour; the next run backs off without reading", () =>
    Effect.gen(function*() {
      const refused = yield* runWith({ installId: "i", sink: { _tag: "Reject", errors: ["HTTP 401"], statuses: [401] } })
      expect(outcomeOf(refused)).toMatchObject({ _tag: "Failed", nextAttemptAt: "2026-06-19T08:00:00.000Z" })
      expect(refused.attemptsAfter).toMatchObject({ attempts: 1, nextEligibleAt: "2026-06-19T08:00:00.000Z", lastFailure: { class: "NonRetriable" } })

      const flaky = yield* runWith({ installId: "i", sink: { _tag: "Reject", errors: ["HTTP 503"], statuses: [503, 503, 503] } })
      const record = flaky.attemptsAfter!
      expect(record).toMatchObject({ attempts: 1, lastFailure: { class: "Retriable", error: expect.stringContaining("HTTP 503") } })
      const wait = Date.parse(record.nextEligibleAt) - NOW
      expect(wait).toBeGreaterThanOrEqual(HOUR / 2)
      expect(wait).toBeLessThan(HOUR)

      const early = yield* runWith({ installId: "i", attempts: record, pending: flaky.pending!, source: untouchableSource })
      expect(outcomeOf(early)).toEqual(Backfill.Outcome.BackingOff({ until: record.nextEligibleAt, attempts: record }))
      expect([early.written, early.recording.clientsConstructed]).toEqual([[], 0])

      // Once due, the retry is the same send, and success clears the record.
      const due = yield* runWith({ installId: "i", attempts: record, pending: flaky.pending!, nowMs: Date.parse(record.nextEligibleAt) })
      expect(outcomeOf(due)._tag).toBe("Sent")
      expect(due.recording.events.map((e) => e.uuid)).toEqual(flaky.recording.events.map((e) => e.uuid))
      expect(due.attemptsAfter).toBeUndefined()
      // A second failure counts on, and doubles the wait.
      const again = yield* runWith({ installId: "i", attempts: record, nowMs: Date.parse(record.nextEligibleAt), sink: { _tag: "Reject", errors: ["x"], statuses: [502] } })
      expect(again.attemptsAfter?.attempts).toBe(2)
    }))

  it.effect("force ignores the backoff, never the marker or the lease", () =>
    Effect.gen(function*() {
      const record = { attempts: 3, nextEligibleAt: "2026-06-13T08:00:00.000Z", lastFailure: { at: "x", class: "Retriable" as const, error: "e" } }
      expect(outcomeOf(yield* runWith({ installId: "i", attempts: record, force: true }))._tag).toBe("Sent")
      const done = Marker.parseMarker(JSON.stringify({ completedAt: "x", throughDay: "2026-01-01", eventCount: 3, installId: "i" }))
      expect(outcomeOf(yield* runWith({ installId: "i", attempts: record, force: true, marker: done, source: untouchableSource }))._tag).toBe("AlreadyDone")
      const holder = { pid: 1, host: "h", token: "t", startedAt: "x" }
      expect(outcomeOf(yield* runWith({ installId: "i", attempts: record, force: true, leaseHolder: holder, source: untouchableSource }))._tag).toBe("Busy")
    }))

  it.effect("outside the rollout: NotInRollout before the database, nothing written; raising the fraction lets it in", () =>
    Effect.gen(function*() {
      const id = "6f9d2c1a-0000-4000-8000-000000000001"
      const point = Rollout.rolloutPoint(Presets.claudeMem.namespace, id)
      const below = Math.max(0, point - 0.01)
      const out = yield* runWith({ installId: id, rollout: { fraction: below }, source: untouchableSource })
      expect(outcomeOf(out)).toEqual(Backfill.Outcome.NotInRollout({ fraction: below, point }))
      expect([out.written, out.pending, out.attemptsAfter]).toEqual([[], undefined, undefined])
      expect(outcomeOf(yield* runWith({ installId: id, rollout: { fraction: Math.min(1, point + 0.01) } }))._tag).toBe("Sent")
      // Without an id, the rollout creates it: the decision is the install's own.
      const fresh = yield* runWith({ rollout: { fraction: 0 }, source: untouchableSource })
      expect(outcomeOf(fresh)._tag).toBe("NotInRollout")
      expect(fresh.installIdAfter).toMatch(/^[0-9a-f-]{36}$/)
    }))

  it.effect("the spread: the first run schedules the send and stops before the database; a run once due sends", () =>
    Effect.gen(function*() {
      const id = "6f9d2c1a-0000-4000-8000-000000000002"
      const offset = Rollout.spreadOffsetMs(Presets.claudeMem.namespace, id, 86_400_000)
      const first = yield* runWith({ installId: id, rollout: { spreadMs: 86_400_000 }, source: untouchableSource })
      const at = new Date(NOW + offset).toISOString()
      expect(outcomeOf(first)).toEqual(Backfill.Outcome.Scheduled({ at, why: "Spread" }))
      expect(first.attemptsAfter).toEqual({ attempts: 0, nextEligibleAt: at })
      expect([first.written, first.pending]).toEqual([[], undefined])
      const early = yield* runWith({ installId: id, attempts: first.attemptsAfter, rollout: { spreadMs: 86_400_000 }, nowMs: NOW + offset - 1, source: untouchableSource })
      expect(outcomeOf(early)._tag).toBe("Scheduled")
      const due = yield* runWith({ installId: id, attempts: first.attemptsAfter, rollout: { spreadMs: 86_400_000 }, nowMs: NOW + offset })
      expect(outcomeOf(due)._tag).toBe("Sent")
      expect(due.attemptsAfter).toBeUndefined()
    }))

  it.effect("the live era: the backfill ends the day before it; one that began on the install day leaves nothing, and the marker", () =>
    Effect.gen(function*() {
      const cut = yield* runWith({ installId: "i", liveSince: "2025-10-21" })
      expect(outcomeOf(cut)).toMatchObject({ _tag: "Sent", eventCount: 2, summary: { installDay: "2025-10-19", lastFullDay: "2025-10-20" } })
      expect(cut.recording.events.map((e) => e.timestamp.toISOString())).toEqual(["2025-10-19T12:00:00.000Z", "2025-10-19T12:00:00.000Z"])
      expect(cut.written).toEqual([{ completedAt: "2026-06-12T08:00:00.000Z", throughDay: "2025-10-20", eventCount: 2, installId: "i" }])

      const covered = yield* runWith({ installId: "i", liveSince: "2025-10-19" })
      expect(outcomeOf(covered)).toMatchObject({ _tag: "NothingToSend", why: "LiveEra" })
      expect(covered.recording.clientsConstructed).toBe(0)
      expect(covered.written).toEqual([{ completedAt: "2026-06-12T08:00:00.000Z", throughDay: "2025-10-18", eventCount: 0, installId: "i" }])
    }))

  it.effect("a clock before the floor or the install day is refused: no marker, and the next run with a right clock sends", () =>
    Effect.gen(function*() {
      for (const nowMs of [day("2023-06-01T00:00:00Z"), day("2025-09-01T00:00:00Z")]) {
        const wrong = yield* runWith({ installId: "i", nowMs })
        expect(outcomeOf(wrong)).toMatchObject({ _tag: "ClockRefused", reason: expect.stringMatching(/^the clock says /) })
        expect([wrong.written, wrong.pending, wrong.attemptsAfter, wrong.recording.clientsConstructed]).toEqual([[], undefined, undefined, 0])
      }
      expect(outcomeOf(yield* runWith({ installId: "i" }))._tag).toBe("Sent")
    }))
})

/** A history large enough to split: a prompt every 10 minutes for a year and a half, an observation every 12. */
const largeHistory = (() => {
  const start = day("2024-12-01T00:00:00Z")
  const prompts = Array.from({ length: 75_000 }, (_, i) => ({ created_at_epoch: start + i * 600_000 }))
  const observations = Array.from({ length: 66_000 }, (_, i) => ({
    created_at_epoch: start + i * 720_000,
    type: ["bugfix", "Discovery", "feature"][i % 3],
    project: ["alpha", "beta"][i % 2],
    agent_type: i % 5 === 0 ? "explore" : null
  }))
  return { ...history, user_prompts: prompts, observations }
})()

/** An in-memory source with `concurrency` connections that records the queries it runs and its snapshots. */
const severalConnections = (options: { readonly concurrency: number; readonly shared?: boolean | undefined }) => {
  const asked: Array<Query.AnyQuery> = []
  const snapshots = { begun: 0, ended: 0 }
  const layer = Layer.succeed(ActivitySource.ActivitySource, {
    columns: Effect.sync(() => columnsOfRows(largeHistory)),
    run: (query) =>
      Effect.sync(() => {
        asked.push(query)
        return runQueryInMemory(query, largeHistory)
      }),
    concurrency: options.concurrency,
    sharedSnapshot: options.shared === undefined ? undefined : Effect.acquireRelease(
      Effect.sync(() => {
        snapshots.begun++
        return options.shared!
      }),
      () => Effect.sync(() => void snapshots.ended++)
    )
  })
  return { layer, asked, snapshots }
}

describe("Backfill.plan over several connections", () => {
  const plan = (layer: Layer.Layer<ActivitySource.ActivitySource>) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      return yield* Backfill.plan({ app: Presets.claudeMem, installId: "i" }).pipe(Effect.provide(layer))
    })
  const chunksOf = (asked: ReadonlyArray<Query.AnyQuery>) => asked.filter((query) => query._tag === "TableQuery" && query.rowidRange !== undefined)

  it.effect("splits large tables into rowid chunks on one shared snapshot, and plans exactly the same days and events", () =>
    Effect.gen(function*() {
      const one = severalConnections({ concurrency: 1, shared: true })
      const reference = yield* plan(one.layer)
      // One connection reads in one snapshot too, but has nobody to share a table with.
      expect(one.snapshots).toEqual({ begun: 1, ended: 1 })
      expect(chunksOf(one.asked)).toEqual([])
      expect(reference.summary.totals["prompt_count"]).toBeGreaterThan(20_000)

      const two = severalConnections({ concurrency: 2, shared: true })
      expect(yield* plan(two.layer)).toEqual(reference)
      const chunks = chunksOf(two.asked)
      expect(new Set(chunks.map((query) => (query as Query.TableQuery).table))).toEqual(new Set(["observations", "user_prompts"]))
      expect(chunks.length).toBeGreaterThanOrEqual(4)
      // The snapshot spans every query of the plan, and ends with it.
      expect(two.snapshots).toEqual({ begun: 1, ended: 1 })
    }))

  it.effect("reads every table whole when the connections do not share a snapshot (or cannot say)", () =>
    Effect.gen(function*() {
      const reference = yield* plan(severalConnections({ concurrency: 1 }).layer)
      for (const shared of [false, undefined]) {
        const source = severalConnections({ concurrency: 2, shared })
        expect(yield* plan(source.layer)).toEqual(reference)
        expect(chunksOf(source.asked)).toEqual([])
        expect(source.asked.filter((query) => query._tag === "RowidBoundsQuery")).toEqual([])
        expect(source.snapshots).toEqual(shared === undefined ? { begun: 0, ended: 0 } : { begun: 1, ended: 1 })
      }
    }))
})
