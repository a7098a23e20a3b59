/**
 * When a lease may be taken over: its process gone on this host, or older
 * than the bound; a file that holds no lease by its age; a lease dated in the
 * future only when its process is gone.
 */
import { Lease } from "@posthog-backfill/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const NOW = Date.parse("2026-06-12T08:00:00Z")
const HOUR = 3_600_000
const lease = (host: string, ageMs: number): Lease.LeaseRecord => ({ pid: 4242, host, token: "t", startedAt: new Date(NOW - ageMs).toISOString() })
const stale = (facts: Partial<Lease.LeaseFacts> & Pick<Lease.LeaseFacts, "lease">) =>
  Lease.isLeaseStale({ modifiedAtMs: undefined, nowMs: NOW, host: "here", holderAlive: true, staleAfterMs: 2 * HOUR, ...facts })

describe("lease staleness", () => {
  it("on this host: stale exactly when the process is gone, or past the bound", () => {
    expect(stale({ lease: lease("here", 60_000), holderAlive: true })).toBe(false)
    expect(stale({ lease: lease("here", 60_000), holderAlive: false })).toBe(true)
    // A reused pid looks alive: the bound still ends it.
    expect(stale({ lease: lease("here", 2 * HOUR + 1), holderAlive: true })).toBe(true)
  })

  it("from another host: only past the bound (its process cannot be seen)", () => {
    expect(stale({ lease: lease("there", 2 * HOUR), holderAlive: false })).toBe(false)
    expect(stale({ lease: lease("there", 2 * HOUR + 1), holderAlive: false })).toBe(true)
  })

  it("dated in the future (the clock went back): only when its process is gone", () => {
    expect(stale({ lease: lease("here", -5 * HOUR), holderAlive: true })).toBe(false)
    expect(stale({ lease: lease("here", -5 * HOUR), holderAlive: false })).toBe(true)
    expect(stale({ lease: lease("there", -5 * HOUR), holderAlive: false })).toBe(false)
  })

  it("a file that holds no lease counts by its modification time", () => {
    expect(stale({ lease: undefined, modifiedAtMs: NOW - 60_000 })).toBe(false)
    expect(stale({ lease: undefined, modifiedAtMs: NOW - 2 * HOUR - 1 })).toBe(true)
    expect(stale({ lease: undefined, modifiedAtMs: undefined })).toBe(true)
  })

  it("round-trips through its file; anything else is no lease", () => {
    const leases = fc.record({
      pid: fc.integer({ min: 1, max: 2 ** 31 }),
      host: fc.string(),
      token: fc.string({ minLength: 1 }),
      startedAt: fc.integer({ min: 0, max: 4e12 }).map((ms) => new Date(ms).toISOString())
    })
    fc.assert(fc.property(leases, (record) => {
      expect(Lease.parseLease(Lease.encodeLease(record))).toEqual(record)
    }))
    for (const text of ["", "{}", "[]", '{"pid": 0, "host": "h", "token": "t", "startedAt": "2026-01-01T00:00:00Z"}', '{"pid": 1, "host": "h", "token": "", "startedAt": "2026-01-01T00:00:00Z"}', '{"pid": 1, "host": "h", "token": "t", "startedAt": "then"}']) {
      expect([text, Lease.parseLease(text)]).toEqual([text, undefined])
    }
  })
})
