/**
 * Backoff after a failed delivery: the waits (1 h doubling to 7 days, jitter
 * in [0.5, 1), the cap at once for an answer retrying cannot change), the
 * classes of failure, the record on disk, and when an attempt may start.
 */
import { Backoff, Presets } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.parse("2026-06-12T08:00:00Z")
const ns = Presets.claudeMem.namespace
const policy = Backoff.DEFAULT_BACKOFF
const delay = (attempts: number, installId: string, failure: Backoff.FailureClass = "Retriable") =>
  Backoff.backoffDelayMs({ policy, attempts, failure, namespace: ns, installId })

describe("backoff delays", () => {
  it("double from 1 h to the 7-day cap, each scaled by a jitter in [0.5, 1)", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 30 }), (id, attempts) => {
        const ceiling = Math.min(7 * DAY, HOUR * 2 ** (attempts - 1))
        const wait = delay(attempts, id)
        expect(wait).toBeGreaterThanOrEqual(ceiling / 2)
        expect(wait).toBeLessThan(ceiling)
      })
    )
    // By hand: the ceilings of attempts 1..9 (1 h, 2 h, 4 h, ... then 7 days).
    const ceilings = [1, 2, 4, 8, 16, 32, 64, 128, 168].map((h) => h * HOUR)
    for (const [i, ceiling] of ceilings.entries()) {
      expect(delay(i + 1, "3f1b7c9e-52a4-4d8e-9b1c-6a2e7d4f8c01")).toBeLessThan(ceiling)
      expect(delay(i + 1, "3f1b7c9e-52a4-4d8e-9b1c-6a2e7d4f8c01")).toBeGreaterThanOrEqual(ceiling / 2)
    }
  })

  it("wait the cap at once after an answer retrying cannot change", () => {
    fc.assert(fc.property(fc.uuid(), fc.integer({ min: 1, max: 9 }), (id, attempts) => {
      expect(delay(attempts, id, "NonRetriable")).toBe(7 * DAY)
    }))
  })

  it("are the install's own: the same on every run, spread over a fleet that failed together", () => {
    const id = "3f1b7c9e-52a4-4d8e-9b1c-6a2e7d4f8c01"
    expect(delay(3, id)).toBe(delay(3, id))
    const fleet = Array.from({ length: 2000 }, (_, i) => delay(1, `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`))
    // Ten equal bins of [30 min, 1 h): each holds about a tenth of the fleet.
    const bins = Array.from({ length: 10 }, (_, b) => fleet.filter((wait) => Math.floor((wait - HOUR / 2) / (HOUR / 20)) === b).length)
    for (const bin of bins) expect(bin).toBeGreaterThan(140)
  })
})

describe("failure classes", () => {
  it("a 400, 401, 403 or 404 is non-retriable; network errors, 5xx, 429 and 413 are retriable", () => {
    for (const status of [400, 401, 403, 404]) expect(Backoff.classifyFailure([500, status])).toBe("NonRetriable")
    for (const statuses of [[], [500], [502, 503], [429], [413, 200]]) expect(Backoff.classifyFailure(statuses)).toBe("Retriable")
  })
})

describe("the attempt record", () => {
  const failure = (previous: Backoff.AttemptRecord | undefined, failureClass: Backoff.FailureClass = "Retriable") =>
    Backoff.recordFailure({ previous, nowMs: NOW, failure: failureClass, error: "HTTP 502", policy, namespace: ns, installId: "i" })

  it("counts failures from a schedule or a previous failure, and keeps the last", () => {
    const first = failure(Backoff.scheduled(NOW - DAY, HOUR))
    expect(first).toMatchObject({ attempts: 1, lastFailure: { at: "2026-06-12T08:00:00.000Z", class: "Retriable", error: "HTTP 502" } })
    const third = failure(failure(first), "NonRetriable")
    expect(third).toEqual({
      attempts: 3,
      nextEligibleAt: "2026-06-19T08:00:00.000Z",
      lastFailure: { at: "2026-06-12T08:00:00.000Z", class: "NonRetriable", error: "HTTP 502" }
    })
  })

  it("round-trips through its file; anything else reads as no record", () => {
    const records = fc.oneof(
      fc.integer({ min: 0, max: 1e6 }).map((offset) => Backoff.scheduled(NOW, offset)),
      fc.record({ attempts: fc.integer({ min: 1, max: 50 }), cls: fc.constantFrom<Backoff.FailureClass>("Retriable", "NonRetriable"), error: fc.string() })
        .map(({ attempts, cls, error }) => ({ ...failure(undefined, cls), attempts, lastFailure: { at: "2026-06-12T08:00:00.000Z", class: cls, error } }))
    )
    fc.assert(fc.property(records, (record) => {
      expect(Backoff.parseAttempts(Backoff.encodeAttempts(record))).toEqual(record)
    }))
    for (const text of ["", "{", "[]", "null", '{"attempts": 1, "nextEligibleAt": "2026-06-12T09:00:00Z"}', '{"attempts": -1, "nextEligibleAt": "2026-06-12T09:00:00Z"}', '{"attempts": 0, "nextEligibleAt": "soon"}', '{"attempts": 2, "nextEligibleAt": "2026-06-12T09:00:00Z", "lastFailure": {"at": "x", "class": "Fatal", "error": "e"}}']) {
      expect([text, Backoff.parseAttempts(text)]).toEqual([text, undefined])
    }
  })
})

describe("eligibility", () => {
  const at = (offset: number, attempts: number): Backoff.AttemptRecord =>
    attempts === 0 ? Backoff.scheduled(NOW, offset) : { attempts, nextEligibleAt: new Date(NOW + offset).toISOString(), lastFailure: { at: "x", class: "Retriable", error: "e" } }
  const when = (record: Backoff.AttemptRecord | undefined, options: { force?: boolean; spreadMs?: number } = {}) =>
    Backoff.eligibility(record, { nowMs: NOW, force: options.force ?? false, spreadMs: options.spreadMs ?? DAY, policy })._tag

  it("no record, or a time passed: eligible", () => {
    expect(when(undefined)).toBe("Eligible")
    expect(when(at(-1, 0))).toBe("Eligible")
    expect(when(at(-1, 3))).toBe("Eligible")
    expect(when(at(0, 3))).toBe("Eligible")
  })

  it("a backoff holds unless forced; a schedule holds while the rollout spreads, force or not", () => {
    expect(when(at(HOUR, 2))).toBe("BackingOff")
    expect(when(at(HOUR, 2), { force: true })).toBe("Eligible")
    expect(when(at(HOUR, 0))).toBe("Scheduled")
    expect(when(at(HOUR, 0), { force: true })).toBe("Scheduled")
    expect(when(at(HOUR, 0), { spreadMs: 0 })).toBe("Eligible")
  })

  it("a wait longer than any the record could have been given was written under a wrong clock, and is ignored", () => {
    expect(when(at(7 * DAY, 2))).toBe("BackingOff")
    expect(when(at(7 * DAY + 1, 2))).toBe("Eligible")
    expect(when(at(DAY, 0))).toBe("Scheduled")
    expect(when(at(DAY + 1, 0))).toBe("Eligible")
  })
})
