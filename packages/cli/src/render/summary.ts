/**
 * The human plan summary: where the data comes from, the window (install day
 * .. last full day), days and events, totals per counter, the first and last
 * active day, and a per-month activity chart (one character per day).
 *
 * @since 0.1.0
 */
import type { Backfill } from "@posthog-backfill/effect"
import { type BackfillApp, DayWindow, HistoricalEvents } from "@posthog-backfill/core"

/**
 * Where the install id of a plan came from.
 *
 * @since 0.1.0
 * @category models
 */
export type InstallIdSource =
  | { readonly _tag: "Flag" }
  | { readonly _tag: "DataDir"; readonly configPath: string }
  | { readonly _tag: "Placeholder"; readonly why: string }

/**
 * @since 0.1.0
 * @category models
 */
export interface SummaryInput {
  readonly app: BackfillApp.BackfillApp
  readonly database: string
  readonly installId: string
  readonly installIdSource: InstallIdSource
  readonly plan: Backfill.Plan
  readonly color: boolean
}

/**
 * ANSI styling, off when the output is not a color terminal.
 *
 * @since 0.1.0
 * @category rendering
 */
export const styles = (color: boolean) => {
  const wrap = (open: string) => (text: string) => (color ? `\x1b[${open}m${text}\x1b[0m` : text)
  return { bold: wrap("1"), dim: wrap("2"), green: wrap("32"), yellow: wrap("33"), cyan: wrap("36") }
}

/**
 * A number with thousands separators.
 *
 * @since 0.1.0
 * @category rendering
 */
export const formatCount = (value: number): string =>
  Number.isInteger(value) ? value.toLocaleString("en-US") : value.toLocaleString("en-US", { maximumFractionDigits: 2 })

const plural = (count: number, one: string, many = `${one}s`) => `${formatCount(count)} ${count === 1 ? one : many}`

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

/**
 * The per-month activity chart: one row per month of the window, one
 * character per day (`█` active, `·` in the window without activity, blank
 * outside the window), and the month's active-day count.
 *
 * @since 0.1.0
 * @category rendering
 */
export const monthChart = (
  window: { readonly installDay: string; readonly lastFullDay: string },
  activeDays: ReadonlyArray<string>,
  color = false
): ReadonlyArray<string> => {
  const s = styles(color)
  const active = new Set(activeDays)
  const rows: Array<string> = []
  let year = Number(window.installDay.slice(0, 4))
  let month = Number(window.installDay.slice(5, 7))
  const lastYear = Number(window.lastFullDay.slice(0, 4))
  const lastMonth = Number(window.lastFullDay.slice(5, 7))
  while (year < lastYear || (year === lastYear && month <= lastMonth)) {
    const prefix = `${year}-${String(month).padStart(2, "0")}`
    let strip = ""
    let inWindow = 0
    let activeCount = 0
    for (let day = 1; day <= daysInMonth(year, month); day++) {
      const date = `${prefix}-${String(day).padStart(2, "0")}`
      if (date < window.installDay || date > window.lastFullDay) {
        strip += " "
      } else if (active.has(date)) {
        strip += s.green("█")
        inWindow += 1
        activeCount += 1
      } else {
        strip += s.dim("·")
        inWindow += 1
      }
    }
    rows.push(`${prefix}  ${strip}${" ".repeat(31 - daysInMonth(year, month))}  ${String(activeCount).padStart(2)}/${inWindow} days`)
    month += 1
    if (month > 12) {
      month = 1
      year += 1
    }
  }
  return rows
}

const table = (rows: ReadonlyArray<readonly [string, string]>, indent = "  "): ReadonlyArray<string> => {
  const width = Math.max(0, ...rows.map(([label]) => label.length))
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`)
}

const installIdLine = (input: SummaryInput): string => {
  switch (input.installIdSource._tag) {
    case "Flag":
      return `${input.installId} (from --install-id)`
    case "DataDir":
      return `${input.installId} (from ${input.installIdSource.configPath})`
    case "Placeholder":
      return `${input.installId} (a PLACEHOLDER: ${input.installIdSource.why}; a real send uses the app's own id)`
  }
}

/**
 * The whole human summary, as lines.
 *
 * @since 0.1.0
 * @category rendering
 */
export const planSummary = (input: SummaryInput): ReadonlyArray<string> => {
  const s = styles(input.color)
  const { plan } = input
  const { summary, window } = plan
  const lines: Array<string> = [
    `${s.bold(`posthog-backfill plan: ${input.app.name}`)} ${s.dim("(dry run: nothing written, nothing sent)")}`,
    ...table([
      ["database", input.database],
      ["install id", installIdLine(input)]
    ]),
    ""
  ]
  if (!DayWindow.isShippable(window)) {
    lines.push(
      ...table([
        ["last full day", window.lastFullDay],
        [
          "nothing to send",
          window.installDay === null
            ? "no activity in the database (no row dated at or after the project floor)"
            : `the first activity (${window.installDay}) is after the last full day; days ship once they are ` +
              "whole UTC days at least 60 hours old"
        ]
      ])
    )
    return lines
  }
  const byName = new Map<string, number>()
  for (const event of plan.events) byName.set(event.event, (byName.get(event.event) ?? 0) + 1)
  const breakdown = [...byName].map(([name, count]) => `${formatCount(count)} ${name}`).join(" + ")
  lines.push(
    ...table([
      ["window", `${window.installDay} .. ${window.lastFullDay} (install day .. last full day, ${plural(DayWindow.windowLength(window), "day")})`],
      [
        "active days",
        `${formatCount(summary.days)}` +
          (summary.firstActiveDay === null ? "" : ` (first ${summary.firstActiveDay}, last ${summary.lastActiveDay})`)
      ],
      ["events", `${formatCount(summary.events)} (${breakdown})`]
    ])
  )
  const totals = Object.entries(summary.totals)
  if (totals.length > 0) {
    lines.push("", `${s.bold("totals")} ${s.dim("(sums of the daily values)")}`)
    const width = Math.max(...totals.map(([, value]) => formatCount(value).length))
    lines.push(...table(totals.map(([key, value]) => [key, formatCount(value).padStart(width)] as const)))
  }
  if (plan.dropped.length > 0) {
    lines.push("", s.bold("left out (this database lacks what they need)"))
    lines.push(...table(plan.dropped.map(({ key, reason }) => [key, reason] as const)))
  }
  const activeDays = plan.events
    .filter((event) => event.event === HistoricalEvents.HISTORICAL_ACTIVITY)
    .map((event) => event.timestamp.toISOString().slice(0, 10))
  lines.push("", `${s.bold("activity per month")} ${s.dim("(one column per day: █ active, · idle)")}`)
  lines.push(...monthChart(window, activeDays, input.color).map((row) => `  ${row}`))
  return lines
}
