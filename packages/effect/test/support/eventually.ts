import * as Effect from "effect/Effect"

/**
 * Retries `check` (an assertion that throws) every 10 ms until it passes, for
 * things that happen a little later in real time (a socket closing, a late
 * answer). The deadline is generous on purpose: a loaded machine only makes
 * it take longer, never fail.
 */
export const eventually = (check: () => void, deadlineMs = 20_000): Effect.Effect<void> =>
  Effect.promise(async () => {
    const until = Date.now() + deadlineMs
    for (;;) {
      try {
        check()
        return
      } catch (error) {
        if (Date.now() > until) throw error
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
  })
