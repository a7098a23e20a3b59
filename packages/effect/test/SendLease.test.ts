/**
 * The one-sender lease over real files, in one process: taken exclusively,
 * held against a second taker, released only while it is still this one's,
 * and taken over when stale (a dead process on this host, another host's
 * lease past the bound, a garbage file by its age).
 */
import { it } from "@effect/vitest"
import { SendLease } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect } from "vitest"

const dirs: Array<string> = []
const leaseFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "send-lease-"))
  dirs.push(dir)
  return path.join(dir, "backfill.lease.json")
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})
const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>
const HOUR = 3_600_000
/** A pid that has certainly exited: a child that ran and was reaped. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!

describe("SendLease over a file", () => {
  it.effect("is taken exclusively with this process's pid, host, start time and a token; a second taker finds it held", () =>
    Effect.gen(function*() {
      const file = leaseFile()
      const first = yield* SendLease.make({ path: file })
      const second = yield* SendLease.make({ path: file })
      expect(yield* first.acquire).toEqual({ _tag: "Acquired" })
      const record = read(file)
      expect(record).toMatchObject({ pid: process.pid, host: os.hostname(), token: expect.stringMatching(/^[0-9a-f-]{36}$/) })
      expect(Math.abs(Date.parse(String(record["startedAt"])) - Date.now())).toBeLessThan(60_000)
      expect(yield* second.acquire).toEqual({ _tag: "Held", holder: record })
      // Releasing a lease one never took leaves it; the holder's release removes it.
      yield* second.release
      expect(fs.existsSync(file)).toBe(true)
      yield* first.release
      expect(fs.existsSync(file)).toBe(false)
      expect(yield* second.acquire).toEqual({ _tag: "Acquired" })
    }))

  it.effect("takes over a lease whose process is gone on this host, and a holder taken over does not remove the new lease", () =>
    Effect.gen(function*() {
      const file = leaseFile()
      const old = yield* SendLease.make({ path: file })
      expect((yield* old.acquire)._tag).toBe("Acquired")
      // The holder dies: its record now names a pid that has exited.
      fs.writeFileSync(file, JSON.stringify({ ...read(file), pid: deadPid() }))
      const next = yield* SendLease.make({ path: file })
      expect(yield* next.acquire).toEqual({ _tag: "Acquired" })
      const taken = read(file)
      yield* old.release
      expect(read(file)).toEqual(taken)
    }))

  it.effect("another host's lease holds until the bound; a garbage file holds until it is as old", () =>
    Effect.gen(function*() {
      const file = leaseFile()
      const lease = yield* SendLease.make({ path: file })
      const elsewhere = { pid: 1, host: "another-host", token: "t" }
      fs.writeFileSync(file, JSON.stringify({ ...elsewhere, startedAt: new Date(Date.now() - HOUR).toISOString() }))
      expect((yield* lease.acquire)._tag).toBe("Held")
      fs.writeFileSync(file, JSON.stringify({ ...elsewhere, startedAt: new Date(Date.now() - 3 * HOUR).toISOString() }))
      expect((yield* lease.acquire)._tag).toBe("Acquired")
      yield* lease.release

      fs.writeFileSync(file, "half a lea")
      expect(yield* lease.acquire).toEqual({ _tag: "Held", holder: undefined })
      const old = (Date.now() - 3 * HOUR) / 1000
      fs.utimesSync(file, old, old)
      expect((yield* lease.acquire)._tag).toBe("Acquired")
    }))
})
