/**
 * "Did you mean": the closest known word to a mistyped one, when it is close
 * enough to be a typo (optimal string alignment distance: an insertion, a
 * deletion, a substitution or a swap of neighbours each count one).
 *
 * @since 0.1.0
 */

/** The edit distance between `a` and `b`, counting a swap of neighbours as one edit. */
export const distance = (a: string, b: string): number => {
  const d: Array<Array<number>> = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

/**
 * The known word closest to `typed`, if it is within a typo of it (two edits,
 * one for words of up to four letters), or starts with it.
 *
 * @since 0.1.0
 */
export const suggest = (typed: string, known: ReadonlyArray<string>): string | undefined => {
  const limit = typed.length <= 4 ? 1 : 2
  let best: { readonly word: string; readonly score: number } | undefined
  for (const word of known) {
    const score = word.startsWith(typed) && typed.length >= 2 ? 0.5 : distance(typed, word)
    if (score <= limit && (best === undefined || score < best.score)) best = { word, score }
  }
  return best?.word
}
