/**
 * Part of the claude-mem sample generator (see `../index.ts`).
 *
 * @internal
 */
import { Prng, type Weighted, weighted } from "./random.js"
import { DAY_MS, SECONDS_THRESHOLD } from "./units.js"
import { type ClaudeMemSessionStatus } from "../rows.js"

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

export const TYPES: Weighted<string> = weighted<string>([
  ["discovery", 22],
  ["bugfix", 14],
  ["feature", 16],
  ["change", 14],
  ["decision", 8],
  ["refactor", 9],
  [" Bugfix ", 2],
  ["DISCOVERY", 2],
  ["Decision ", 1],
  ["Refactor", 1],
  [" feature", 1],
  ["BUGFIX", 1],
  ["investigation", 1]
])

export const PLATFORMS: Weighted<string | null> = weighted<string | null>([
  ["claude", 70],
  ["codex", 5],
  [" Codex", 2],
  ["gemini-cli", 5],
  ["GEMINI", 2],
  ["gemini", 2],
  ["cursor", 3],
  ["claude-desktop", 1],
  [null, 4]
])

export const STATUSES: Weighted<ClaudeMemSessionStatus> = weighted<ClaudeMemSessionStatus>([
  ["completed", 78],
  ["failed", 8],
  ["active", 14]
])

export const AGENT_TYPES: ReadonlyArray<string> = ["Explore", "general-purpose", "code-reviewer", "Plan", "test-runner"]

export interface ProjectDef {
  readonly name: string
  /** active between these fractions of the history */
  readonly from: number
  readonly to: number
  readonly weight: number
}

export const PROJECTS: ReadonlyArray<ProjectDef> = [
  { name: "private-project", from: 0, to: 1, weight: 10 },
  { name: "claude-mem", from: 0, to: 0.6, weight: 5 },
  { name: "acme-billing-SECRET-9001", from: 0.1, to: 0.9, weight: 4 },
  { name: "dotfiles", from: 0, to: 1, weight: 1 },
  { name: "website", from: 0.3, to: 1, weight: 3 },
  { name: "ml-experiments", from: 0.5, to: 0.8, weight: 3 },
  { name: "infra", from: 0.65, to: 1, weight: 2 },
  { name: "mobile-app", from: 0.8, to: 1, weight: 4 }
]

export const PRIVATE_ROOT = "/home/user/private-project"

export const FILES: ReadonlyArray<string> = [
  "src/auth/session.ts",
  "src/db/migrations.ts",
  "src/worker/queue.ts",
  "src/api/routes.ts",
  "src/ui/Chart.tsx",
  "src/search/indexer.ts",
  "src/config/load.ts",
  "lib/parser.rs",
  "scripts/deploy.sh",
  "test/e2e/login.spec.ts",
  "docs/architecture.md",
  "src/cache/embeddings.py",
  "src/hooks/useSocket.ts",
  "infra/main.tf",
  "package.json"
]

export const SUBJECTS: ReadonlyArray<string> = [
  "the token refresh race",
  "a flaky retry loop",
  "the SQLite migration runner",
  "session cleanup on exit",
  "the search index rebuild",
  "an off-by-one in pagination",
  "the config loader",
  "worker startup ordering",
  "the websocket reconnect path",
  "cache invalidation for embeddings",
  "the billing webhook handler",
  "timezone handling in reports",
  "the deploy script's rollback",
  "memory growth in the indexer",
  "the login form validation"
]

export const VERBS: ReadonlyArray<string> = [
  "Fixed",
  "Discovered",
  "Refactored",
  "Decided on",
  "Investigated",
  "Added",
  "Removed",
  "Documented",
  "Optimized",
  "Traced"
]

export const CONCEPTS: ReadonlyArray<string> = [
  "how-it-works",
  "gotcha",
  "pattern",
  "trade-off",
  "problem-solution",
  "why-it-exists",
  "what-changed"
]

export const SENTENCES: ReadonlyArray<(subject: string, file: string, n: number) => string> = [
  (s, f) => `While tracing ${s}, the call chain in ${PRIVATE_ROOT}/${f} turned out to swallow the original error.`,
  (_s, f, n) => `The fix keeps the credential SECRET-${n} out of the logs and moves the retry into ${f}.`,
  (s) => `Root cause: ${s} assumed a single writer, but two workers raced on the same row.`,
  (s, f) => `Reproduced ${s} with a minimal case next to ${PRIVATE_ROOT}/${f} before touching anything.`,
  (_s, _f, n) => `Customer ticket SECRET-${n} described the symptom precisely: the dashboard froze after login.`,
  (s) => `Decided to keep ${s} behind a feature flag until the next release to limit the blast radius.`,
  (_s, f) => `Added a regression test; the suite around ${f} now runs in under two seconds.`,
  (s) => `Benchmarks show ${s} costs about 40ms per request on a cold cache, mostly in JSON parsing.`,
  (_s, f, n) => `Left a TODO(SECRET-${n}) in ${PRIVATE_ROOT}/${f}: the timeout is still hard-coded.`,
  (s) => `The previous approach to ${s} leaked file handles; the new one closes them in a finally block.`
]

export const PROMPT_OPENERS: ReadonlyArray<string> = [
  "Can you look into",
  "Please fix",
  "Why is",
  "Help me refactor",
  "Write tests for",
  "Explain",
  "Continue with",
  "Review"
]

export const iso = (ms: number): string => new Date(ms).toISOString()

export const dayString = (ms: number): string => iso(ms).slice(0, 10)

export const startOfDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS

export const normalizeMs = (v: number): number => (v < SECONDS_THRESHOLD ? v * 1000 : v)

export const HEX_BYTES: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

export const hex8 = (x: number): string =>
  (HEX_BYTES[(x >>> 24) & 0xff] ?? "") + (HEX_BYTES[(x >>> 16) & 0xff] ?? "") + (HEX_BYTES[(x >>> 8) & 0xff] ?? "") +
  (HEX_BYTES[x & 0xff] ?? "")

/** A v4-shaped uuid string drawn from the generator (deterministic). */
export const uuidFrom = (rng: Prng): string => {
  const a = hex8(rng.u32())
  const b = hex8(rng.u32())
  const c = hex8(rng.u32())
  const d = hex8(rng.u32())
  const variant = ((parseInt(c.charAt(0), 16) & 0x3) | 0x8).toString(16)
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`
}

export const jsonList = (items: ReadonlyArray<string>): string => `[${items.map((item) => `"${item}"`).join(",")}]`
