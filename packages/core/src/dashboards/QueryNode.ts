/**
 * PostHog's query nodes for the generated insights: each insight is a SQL
 * insight, a `DataVisualizationNode` over a `HogQLQuery`, drawn as the chart
 * its kind calls for.
 *
 * @since 0.1.0
 */
import type { InsightQuery } from "./Insight.js"
import { insightHogQL } from "./InsightHogQL.js"


/**
 * PostHog's chart kinds (`ChartDisplayType`) the generator uses.
 *
 * @since 0.1.0
 * @category models
 */
export type ChartDisplay = "ActionsLineGraph" | "ActionsBar" | "ActionsStackedBar" | "ActionsTable"

/**
 * How PostHog draws a SQL insight: a chart kind and its axes
 * (`DataVisualizationNode.display` and `chartSettings`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Visualization {
  readonly display: ChartDisplay
  readonly xAxis?: string | undefined
  readonly yAxis?: ReadonlyArray<string> | undefined
  readonly seriesBreakdownColumn?: string | undefined
}

/**
 * The chart an insight query is drawn as.
 *
 * @since 0.1.0
 * @category hogql
 */
export const insightVisualization = (query: InsightQuery): Visualization => {
  switch (query._tag) {
    case "ActiveInstalls":
      return { display: "ActionsLineGraph", xAxis: query.interval, yAxis: ["active_installs"] }
    case "Adoption":
      return { display: "ActionsLineGraph", xAxis: query.interval, yAxis: ["total_installs", "new_installs"] }
    case "CohortRetention":
      return { display: "ActionsTable" }
    case "VersionBreakdown":
      return { display: "ActionsLineGraph", xAxis: query.interval, yAxis: ["installs"], seriesBreakdownColumn: "app_version" }
    case "EventTrend":
      return query.breakdown === undefined
        ? { display: "ActionsBar", xAxis: query.interval, yAxis: [query.countAs ?? "events"] }
        : {
          display: "ActionsStackedBar",
          xAxis: query.interval,
          yAxis: [query.countAs ?? "events"],
          seriesBreakdownColumn: query.breakdown
        }
    case "EventTable":
      return { display: "ActionsTable" }
  }
}

/**
 * A JSON value as PostHog's REST API exchanges it.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * The `query` of a SQL insight: a `DataVisualizationNode` over a
 * `HogQLQuery`, with its chart settings.
 *
 * @since 0.1.0
 * @category hogql
 */
export const insightQueryNode = (query: InsightQuery): { readonly [key: string]: Json } => {
  const visualization = insightVisualization(query)
  const chartSettings: Record<string, Json> = {}
  if (visualization.xAxis !== undefined) chartSettings["xAxis"] = { column: visualization.xAxis }
  if (visualization.yAxis !== undefined) chartSettings["yAxis"] = visualization.yAxis.map((column) => ({ column }))
  if (visualization.seriesBreakdownColumn !== undefined) {
    chartSettings["seriesBreakdownColumn"] = visualization.seriesBreakdownColumn
    chartSettings["showLegend"] = true
  }
  return {
    kind: "DataVisualizationNode",
    source: { kind: "HogQLQuery", query: insightHogQL(query) },
    display: visualization.display,
    ...(Object.keys(chartSettings).length === 0 ? {} : { chartSettings })
  }
}
