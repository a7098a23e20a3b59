/**
 * Managed markers: every dashboard and insight the library manages carries
 * `[posthog-backfill:<dashboard>]` or `[posthog-backfill:<dashboard>/<insight>]`
 * in its description, so an apply finds its own objects by key, never by
 * name: a renamed definition updates the same insight in place and a second
 * apply changes nothing.
 *
 * @since 0.1.0
 */
import type { DashboardDefinition, InsightDefinition } from "./Insight.js"

/**
 * Matches the start of any marker (a description a definition gives may not
 * hold one: the library adds its own).
 *
 * @since 0.1.0
 * @category markers
 */
export const MARKER_TEXT = /\[posthog-backfill:/i


/**
 * The key PostHog objects are matched by: `<dashboard>` or
 * `<dashboard>/<insight>`.
 *
 * @since 0.1.0
 * @category markers
 */
export const managedKey = (dashboardId: string, insightId?: string | undefined): string =>
  insightId === undefined ? dashboardId : `${dashboardId}/${insightId}`

/**
 * The marker written into a managed object's description:
 * `[posthog-backfill:<key>]`.
 *
 * @since 0.1.0
 * @category markers
 */
export const managedMarker = (key: string): string => `[posthog-backfill:${key}]`

const MARKER = /\[posthog-backfill:([a-z0-9][a-z0-9-]{0,62}(?:\/[a-z0-9][a-z0-9-]{0,62})?)\]/

/**
 * The key of the first marker in a description, if any.
 *
 * @since 0.1.0
 * @category markers
 */
export const readManagedKey = (description: string | null | undefined): string | undefined =>
  typeof description === "string" ? MARKER.exec(description)?.[1] : undefined

const managedNote = (key: string): string =>
  `${managedMarker(key)} Managed by posthog-backfill: change the definition and run \`posthog-backfill dashboards apply\`; ` +
  "edits made here are overwritten."

/**
 * The description a managed dashboard carries: its text and its marker.
 *
 * @since 0.1.0
 * @category markers
 */
export const dashboardDescription = (dashboard: DashboardDefinition): string =>
  `${dashboard.description.trim()}\n\n${managedNote(managedKey(dashboard.id))}`.trim()

/**
 * The description a managed insight carries: its text and its marker.
 *
 * @since 0.1.0
 * @category markers
 */
export const insightDescription = (dashboard: DashboardDefinition, insight: InsightDefinition): string =>
  `${insight.description.trim()}\n\n${managedNote(managedKey(dashboard.id, insight.id))}`.trim()
