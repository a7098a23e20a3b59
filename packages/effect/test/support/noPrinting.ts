/**
 * The library prints nothing into its host: a suite that calls this fails any
 * test during which `console` was written to, except what the test itself
 * takes (`take()`, for the documented dry-run output).
 */
import { afterEach, beforeEach, expect, vi } from "vitest"

const METHODS = ["log", "info", "warn", "error", "debug"] as const

export const forbidPrinting = () => {
  const printed: Array<string> = []
  beforeEach(() => {
    for (const method of METHODS) {
      vi.spyOn(console, method).mockImplementation((...args: Array<unknown>) => void printed.push(`${method}: ${args.join(" ")}`))
    }
  })
  afterEach(() => {
    const left = printed.splice(0)
    vi.restoreAllMocks()
    expect(left, "the library printed into its host").toEqual([])
  })
  return {
    /** What was printed so far (and forget it: the test expected it). */
    take: (): ReadonlyArray<string> => printed.splice(0)
  }
}
