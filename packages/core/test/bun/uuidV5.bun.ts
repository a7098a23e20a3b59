/// <reference types="bun-types" />
/**
 * Cross-runtime check, run by Bun straight from the TypeScript sources:
 * `uuidV5` / `eventUuid` must be byte-identical to `Bun.randomUUIDv5`, so a
 * backfill retried from a Bun host dedupes against one sent from Node.
 *
 * Inputs are generated deterministically (fixed fast-check seed). Prints one
 * JSON summary line on stdout and exits 1 on any mismatch.
 *
 * Run: node_modules/.bin/bun run packages/core/test/bun/uuidV5.bun.ts
 */
import * as fc from "fast-check"
import { eventUuid, INSTALL_DAY_KEY, uuidV5 } from "../../src/events/EventId.ts"

const SEED = 20251019
const CLAUDE_MEM_NAMESPACE = "8a9c2f4e-31b7-5d68-9c4a-f02e6d5b8a17"
const FIXED_NAMESPACES = [
  CLAUDE_MEM_NAMESPACE,
  "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  "00000000-0000-0000-0000-000000000000",
  "8A9C2F4E-31B7-5D68-9C4A-F02E6D5B8A17"
]

interface Mismatch {
  readonly name: string
  readonly namespace: string
  readonly ours: string
  readonly bun: string
}

const sample = <A>(arbitrary: fc.Arbitrary<A>, numRuns: number): Array<A> => fc.sample(arbitrary, { seed: SEED, numRuns })

const namespaces = [...FIXED_NAMESPACES, ...sample(fc.uuid(), 20)]
const installIds = sample(fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 })), 40)
const days = sample(
  fc.date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true }),
  40
).map((date) => date.toISOString().slice(0, 10))
const freeNames = [
  "",
  "www.example.com",
  "😀👩‍👩‍👧‍👦",
  "a\uD800b", // lone surrogate: both sides must encode it as U+FFFD
  "x".repeat(10_000),
  ...sample(fc.string({ unit: "binary", maxLength: 200 }), 120),
  ...sample(fc.string({ unit: "grapheme", maxLength: 60 }), 60),
  ...sample(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), 60)
]

let compared = 0
const mismatches: Array<Mismatch> = []
const check = (name: string, namespace: string, ours: string): void => {
  const bun = Bun.randomUUIDv5(name, namespace)
  compared++
  if (ours !== bun) mismatches.push({ name, namespace, ours, bun })
}

installIds.forEach((installId, index) => {
  const namespace = namespaces[index % namespaces.length] ?? CLAUDE_MEM_NAMESPACE
  for (const day of days) {
    check(`${installId}|historical_activity|${day}`, CLAUDE_MEM_NAMESPACE, eventUuid(CLAUDE_MEM_NAMESPACE, installId, "historical_activity", day))
  }
  check(`${installId}|install_inferred|${INSTALL_DAY_KEY}`, CLAUDE_MEM_NAMESPACE, eventUuid(CLAUDE_MEM_NAMESPACE, installId, "install_inferred", INSTALL_DAY_KEY))
  check(`${installId}|historical_activity|2025-10-19`, namespace, eventUuid(namespace, installId, "historical_activity", "2025-10-19"))
})

freeNames.forEach((name, index) => {
  const namespace = namespaces[index % namespaces.length] ?? CLAUDE_MEM_NAMESPACE
  check(name, namespace, uuidV5(name, namespace))
})

console.log(JSON.stringify({ runtime: `bun ${Bun.version}`, seed: SEED, compared, mismatches: mismatches.length, examples: mismatches.slice(0, 5) }))
if (mismatches.length > 0 || compared === 0) process.exit(1)
