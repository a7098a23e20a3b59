/**
 * Part of the claude-mem sample generator (see `../index.ts`).
 *
 * @internal
 */

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------

export const fmix32 = (x: number): number => {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A 32-bit hash of (seed, stream tag, index, sub-index): each row gets its own independent stream. */
export const hash = (seed: number, tag: number, a: number, b = 0): number =>
  fmix32(fmix32(fmix32(seed ^ Math.imul(tag, 0x9e3779b1)) ^ (a >>> 0)) + Math.imul(b + 1, 0x165667b1))

export const unit = (h: number): number => h / 4294967296

/** mulberry32 */
export class Prng {
  private state: number
  constructor(seed: number) {
    this.state = seed | 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** an integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<A>(values: ReadonlyArray<A>): A {
    return values[Math.floor(this.next() * values.length)] as A
  }
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0
  }
}

export interface Weighted<A> {
  readonly values: ReadonlyArray<A>
  readonly cumulative: ReadonlyArray<number>
  readonly total: number
}

export const weighted = <A>(entries: ReadonlyArray<readonly [A, number]>): Weighted<A> => {
  const values: Array<A> = []
  const cumulative: Array<number> = []
  let total = 0
  for (const [value, weight] of entries) {
    total += weight
    values.push(value)
    cumulative.push(total)
  }
  return { values, cumulative, total }
}

export const pickWeighted = <A>(rng: Prng, table: Weighted<A>): A => {
  const x = rng.next() * table.total
  for (let i = 0; i < table.values.length; i++) {
    if (x < (table.cumulative[i] ?? 0)) return table.values[i] as A
  }
  return table.values[table.values.length - 1] as A
}

// Stream tags: one independent stream per purpose.
export const TAG_DAYS = 1
export const TAG_START = 2
export const TAG_TURNS = 3
export const TAG_SESSION = 4
export const TAG_OBS = 5
export const TAG_SUMMARY = 6
export const TAG_PROMPT = 7
export const TAG_PROMPT_TEXT = 8
export const TAG_ALLOC = 9
export const TAG_OVERRIDES = 10
export const TAG_UNIT_SESSION = 11
export const TAG_UNIT_OBS = 12
export const TAG_UNIT_SUMMARY = 13
export const TAG_UNIT_PROMPT = 14
export const TAG_SESSION_TEXT = 15
export const TAG_OBS_TEXT = 16
export const TAG_SUMMARY_TEXT = 17
