/**
 * Progress on stderr while long work runs, never on stdout:
 *
 * - on a terminal: one line, redrawn, naming the phase (`reading tables 3/7`,
 *   `sending 412 event(s)`, `retry 1 of 3 in 10.0 s (HTTP 503)`) after a
 *   spinner. Anything else written to stderr meanwhile (a warning, the dry
 *   run's event lines) first clears the line, so the two never mix;
 * - otherwise (piped, redirected, `TERM=dumb`): one line per phase change,
 *   `posthog-backfill: <phase>` (`reading tables: 7 queries`, then building,
 *   sending, each retry), so a CI log shows a send that waits out a retry.
 *
 * The phases come from the library's `BackfillProgress` service.
 *
 * @since 0.1.0
 */
import { BackfillProgress } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import { PREFIX } from "./output.js"

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
const CLEAR_LINE = "\r\x1b[2K"
const TICK_MS = 80

/**
 * Whether stderr can hold a redrawn line: a terminal that is not `TERM=dumb`.
 *
 * @since 0.1.0
 * @category progress
 */
export const redrawable = (stream: { readonly isTTY?: boolean | undefined } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean =>
  stream.isTTY === true && env["TERM"] !== "dumb"

interface Display {
  readonly show: (phase: BackfillProgress.Phase) => void
  readonly stop: () => void
}

/** The redrawn line on a terminal. */
const terminalLine = (label: string): Display => {
  const stream = process.stderr
  const write = stream.write.bind(stream) as (chunk: string) => boolean
  const original = stream.write
  let frame = 0
  let shown = false
  let text = label
  const draw = () => {
    write(`${CLEAR_LINE}${FRAMES[frame % FRAMES.length]} ${text}`)
    frame += 1
    shown = true
  }
  // Other writes clear the line first; the next tick redraws it.
  stream.write = function(this: NodeJS.WriteStream, ...args: Parameters<typeof original>) {
    if (shown) {
      write(CLEAR_LINE)
      shown = false
    }
    return original.apply(this, args)
  } as typeof original
  draw()
  const timer = setInterval(draw, TICK_MS)
  return {
    show: (phase) => {
      text = `${label}: ${BackfillProgress.describe(phase)}`
      draw()
    },
    stop: () => {
      clearInterval(timer)
      stream.write = original
      if (shown) write(CLEAR_LINE)
    }
  }
}

/** One line per phase change, for logs: reading once (with its query count), building, sending, every retry. */
const logLines = (): Display => ({
  show: (phase) => {
    if (phase._tag === "Reading" && phase.done > 0) return
    const text = phase._tag === "Reading"
      ? `reading tables: ${phase.total} quer${phase.total === 1 ? "y" : "ies"}`
      : BackfillProgress.describe(phase)
    process.stderr.write(`${PREFIX}: ${text}\n`)
  },
  stop: () => undefined
})

let active = false

/**
 * Runs `effect` with progress labelled `label` on stderr: the library's
 * phases as they happen. Inside another progress display it runs as is.
 *
 * @since 0.1.0
 * @category progress
 */
export const withProgress = (label: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    if (active) return effect
    return Effect.acquireUseRelease(
      Effect.sync(() => {
        active = true
        return redrawable() ? terminalLine(label) : logLines()
      }),
      (display) =>
        effect.pipe(Effect.provideService(BackfillProgress.BackfillProgress, { report: display.show })),
      (display) =>
        Effect.sync(() => {
          display.stop()
          active = false
        })
    )
  })
