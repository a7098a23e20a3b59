/**
 * A spinner on stderr while long work runs, only when stderr is a terminal
 * (never when it is piped or redirected, and never on stdout). Anything else
 * written to stderr meanwhile (a warning, the dry run's event lines) first
 * clears the spinner's line, so the two never mix on one line.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
const CLEAR_LINE = "\r\x1b[2K"
const TICK_MS = 80

let active = false

const start = (label: string): (() => void) => {
  const stream = process.stderr
  const write = stream.write.bind(stream) as (chunk: string) => boolean
  const original = stream.write
  let frame = 0
  let shown = false
  const draw = () => {
    write(`${CLEAR_LINE}${FRAMES[frame % FRAMES.length]} ${label}`)
    frame += 1
    shown = true
  }
  // Other writes clear the spinner's line first; the next tick redraws it.
  stream.write = function(this: NodeJS.WriteStream, ...args: Parameters<typeof original>) {
    if (shown) {
      write(CLEAR_LINE)
      shown = false
    }
    return original.apply(this, args)
  } as typeof original
  draw()
  const timer = setInterval(draw, TICK_MS)
  return () => {
    clearInterval(timer)
    stream.write = original
    if (shown) write(CLEAR_LINE)
  }
}

/**
 * Runs `effect` with a spinner labelled `label` on stderr when stderr is a
 * TTY; otherwise (or inside another spinner) runs it as is.
 *
 * @since 0.1.0
 * @category progress
 */
export const withSpinner = (label: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    if (process.stderr.isTTY !== true || active) return effect
    return Effect.acquireUseRelease(
      Effect.sync(() => {
        active = true
        return start(label)
      }),
      () => effect,
      (stop) =>
        Effect.sync(() => {
          stop()
          active = false
        })
    )
  })
