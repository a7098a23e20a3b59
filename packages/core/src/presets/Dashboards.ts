/**
 * The bundled dashboards:
 *
 * - {@link activityDashboard}: what the backfill makes visible, reconstructed
 *   weekly and monthly active installs (`historical_activity` together with
 *   the app's live activity events), the adoption curve (`install_inferred`
 *   together with the app's live install event, `is_update = false`, one per
 *   install), weekly cohort retention by `first_active_date`, and installs by
 *   version (live events only: backfilled events are excluded).
 * - {@link compactionDashboard}: the second seed's `compaction_completed`
 *   dashboard: volume, manual vs idle vs auto, effectiveness by model.
 *
 * @since 0.1.0
 */
import { defineDashboard } from "../dashboards/Dashboard.js"
import type { DashboardDefinition, EventMatch } from "../dashboards/Insight.js"
import { HISTORICAL_ACTIVITY, INSTALL_INFERRED } from "../events/HistoricalEvents.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ActivityDashboardOptions {
  /** The app's name, used in titles (e.g. `claude-mem`). */
  readonly appName: string
  /** The dashboard's stable id. Default `<app>-activity` (the app name lowercased, non-alphanumerics as `-`). */
  readonly id?: string | undefined
  /** The app's live activity events (counted with `historical_activity`). May be empty before the app ships one. */
  readonly liveActivityEvents: ReadonlyArray<string>
  /** The app's live install event. Default `install_completed`. */
  readonly liveInstallEvent?: string | undefined
  /** The boolean property telling an update from a fresh install on it. Default `is_update`. */
  readonly isUpdateProperty?: string | undefined
  /** The app version property on live events. Default `version`. */
  readonly versionProperty?: string | undefined
  /** Weeks after the cohort week in the retention table. Default 8. */
  readonly retentionWeeks?: number | undefined
}

/** The caveats of historical backfill (the seed's), said where they apply. */
const SURVIVORSHIP =
  "Caveat: the months before live telemetry come only from installs that later ran a release with the backfill " +
  "(survivorship): installs that churned before it are missing, so early periods undercount."
const GEO = "Locations of backfilled events are where the upload happened, not where the activity was."
const VERSIONS =
  "Version slicing uses live events only: backfilled events carry the version of the day the backfill ran, " +
  "not of the day they describe."

const slug = (name: string): string =>
  name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50) || "app"

/**
 * The activity dashboard of an app.
 *
 * @since 0.1.0
 * @category dashboards
 */
export const activityDashboard = (options: ActivityDashboardOptions): DashboardDefinition => {
  const installEvent = options.liveInstallEvent ?? "install_completed"
  const isUpdate = options.isUpdateProperty ?? "is_update"
  const versionProperty = options.versionProperty ?? "version"
  const activity: ReadonlyArray<EventMatch> = [
    { event: HISTORICAL_ACTIVITY },
    ...options.liveActivityEvents.map((event) => ({ event }))
  ]
  const liveEvents: ReadonlyArray<EventMatch> = [
    ...options.liveActivityEvents.map((event) => ({ event })),
    { event: installEvent }
  ]
  const together = options.liveActivityEvents.length === 0
    ? "from historical_activity (no live activity event configured yet)"
    : `from historical_activity together with ${options.liveActivityEvents.join(", ")}`
  return defineDashboard({
    id: options.id ?? `${slug(options.appName)}-activity`,
    name: `${options.appName} • Activity`,
    description: `Installs over time, active installs and retention, including the months before live telemetry ` +
      `(reconstructed by posthog-backfill). Days are UTC days. ${SURVIVORSHIP} ${GEO} ${VERSIONS}`,
    insights: [
      {
        id: "weekly-active-installs",
        name: "Weekly active installs",
        description: `Distinct installs active in each calendar week (Monday start, UTC), ${together}. ${SURVIVORSHIP}`,
        query: { _tag: "ActiveInstalls", interval: "week", activity, lookback: { amount: 104, unit: "week" } }
      },
      {
        id: "monthly-active-installs",
        name: "Monthly active installs",
        description: `Distinct installs active in each calendar month (UTC), ${together}. ${SURVIVORSHIP}`,
        query: { _tag: "ActiveInstalls", interval: "month", activity, lookback: { amount: 36, unit: "month" } }
      },
      {
        id: "adoption",
        name: "Adoption curve",
        description: `New installs per week (UTC) and the running total: each install counted once, at its earliest ` +
          `${INSTALL_INFERRED} or ${installEvent} with ${isUpdate} = false. ${SURVIVORSHIP}`,
        query: {
          _tag: "Adoption",
          interval: "week",
          installs: [{ event: INSTALL_INFERRED }, { event: installEvent, where: { [isUpdate]: false } }]
        }
      },
      {
        id: "weekly-retention",
        name: "Weekly cohort retention",
        description: `Installs grouped by the week of their first_active_date (installs without one: their first ` +
          `event), and the percentage of each cohort active N weeks later. ${SURVIVORSHIP} Early cohorts therefore ` +
          "look more retained than they were: their installs that churned before the backfill shipped are missing.",
        query: {
          _tag: "CohortRetention",
          activity,
          cohortEvent: INSTALL_INFERRED,
          cohortProperty: "first_active_date",
          weeks: options.retentionWeeks ?? 8,
          lookback: { amount: 26, unit: "week" }
        }
      },
      {
        id: "installs-by-version",
        name: "Weekly installs by version",
        description: `Distinct installs per ${versionProperty} each week (UTC), from live events only. ${VERSIONS}`,
        query: {
          _tag: "VersionBreakdown",
          events: liveEvents,
          versionProperty,
          interval: "week",
          lookback: { amount: 26, unit: "week" }
        }
      }
    ]
  })
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CompactionDashboardOptions {
  /** Used in the title. Default `Mux` (the seed's app). */
  readonly appName?: string | undefined
  /** Default `<app>-compaction`. */
  readonly id?: string | undefined
  /** Default `compaction_completed`. */
  readonly event?: string | undefined
  /** Default 30. */
  readonly days?: number | undefined
}

/**
 * The second seed's compaction dashboard: daily volume, manual vs idle vs
 * auto, and effectiveness (token buckets before and after, duration) by
 * model and source.
 *
 * @since 0.1.0
 * @category dashboards
 */
export const compactionDashboard = (options: CompactionDashboardOptions = {}): DashboardDefinition => {
  const appName = options.appName ?? "Mux"
  const event = { event: options.event ?? "compaction_completed" }
  const days = options.days ?? 30
  const lookback = { amount: days, unit: "day" } as const
  return defineDashboard({
    id: options.id ?? `${slug(appName)}-compaction`,
    name: `${appName} • Compaction`,
    description: "Compaction completion volume and effectiveness, from live events only (nothing is backfilled). Days are UTC days.",
    insights: [
      {
        id: "volume",
        name: "Compactions per day",
        description: `Completed compactions per UTC day, last ${days} days (one event per compaction request).`,
        query: { _tag: "EventTrend", event, interval: "day", lookback, countAs: "compactions" }
      },
      {
        id: "by-source",
        name: "Compactions by source",
        description: `Manual vs idle vs auto compactions per UTC day, last ${days} days.`,
        query: { _tag: "EventTrend", event, interval: "day", lookback, breakdown: "compaction_source", countAs: "compactions" }
      },
      {
        id: "effectiveness-by-model",
        name: "Compaction effectiveness by model",
        description: `Per model and source, last ${days} days: compactions, median token buckets before (input) and ` +
          "after (output), the average output/input ratio (lower is a stronger compaction) and the median duration " +
          "bucket in seconds. Medians are exact (medianExact: one of the values, never interpolated or sampled), so " +
          "a median of base-2 buckets is itself a power of two; the ratio is an average of bucket ratios, a rough guide.",
        query: {
          _tag: "EventTable",
          event,
          groupBy: ["model", "compaction_source"],
          measures: [
            { _tag: "Count", as: "compactions" },
            { _tag: "Median", property: "input_tokens_b2", as: "median_input_tokens_b2" },
            { _tag: "Median", property: "output_tokens_b2", as: "median_output_tokens_b2" },
            { _tag: "Ratio", numerator: "output_tokens_b2", denominator: "input_tokens_b2", as: "avg_output_to_input" },
            { _tag: "Median", property: "duration_b2", as: "median_duration_b2_s" }
          ],
          lookback,
          limit: 100
        }
      }
    ]
  })
}
