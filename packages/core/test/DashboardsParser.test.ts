/**
 * Every generated HogQL query is read by PostHog's own parser
 * (`@posthog/hogql-parser`): the bundled dashboards' queries, exactly as
 * `apply` sends them in the insight's query node, and random names and
 * literals through our escaping. And the queries mean what their insights
 * say: exact medians, days in UTC.
 */
import { BundledDashboards, HogQL, type Insight, InsightHogQL, QueryNode } from "@posthog-backfill/core"
import { callsOf, nodesOf, parseSelect } from "@posthog-backfill/testkit/hogqlParser"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

const dashboards: ReadonlyArray<Insight.DashboardDefinition> = [
  BundledDashboards.activityDashboard({ appName: "claude-mem", liveActivityEvents: ["worker_started"] }),
  BundledDashboards.activityDashboard({ appName: "notes", liveActivityEvents: [] }),
  BundledDashboards.compactionDashboard()
]
const insights = dashboards.flatMap((dashboard) => dashboard.insights.map((insight) => [`${dashboard.id}/${insight.id}`, insight] as const))

/** The HogQL a query node carries (what `apply` stores in PostHog). */
const sentText = (insight: Insight.InsightDefinition): string => {
  const node = QueryNode.insightQueryNode(insight.query) as { readonly source: { readonly kind: string; readonly query: string } }
  expect(node.source.kind).toBe("HogQLQuery")
  return node.source.query
}

const BUCKETS = new Set(["toDate", "toStartOfDay", "toStartOfWeek", "toStartOfMonth", "toStartOfYear", "toStartOfInterval"])
/** `timestamp`, or an aggregate straight over it: a value in the project's timezone. */
const isRawTimestamp = (node: unknown): boolean => {
  const n = node as { node?: string; chain?: ReadonlyArray<string>; name?: string; args?: ReadonlyArray<unknown> }
  if (n.node === "Field") return n.chain?.at(-1) === "timestamp"
  if (n.node === "Call" && ["min", "max", "any"].includes(n.name ?? "")) return isRawTimestamp(n.args?.[0])
  return false
}

describe("PostHog's parser reads every generated query", () => {
  it.each(insights)("%s, as apply sends it", (_key, insight) => {
    const text = sentText(insight)
    expect(text).toBe(InsightHogQL.insightHogQL(insight.query))
    expect(parseSelect(text).node).toMatch(/^Select(Set)?Query$/)
  })

  it("names and literals survive our escaping, character for character", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/),
        fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$.:-]{0,30}$/),
        (literal, property, event) => {
          const ast = parseSelect(
            `SELECT ${HogQL.hogqlString(literal)} AS ${HogQL.hogqlAlias(property)}, ${HogQL.hogqlProperty(property)} FROM events ` +
              `WHERE event = ${HogQL.hogqlEvent(event)}`
          )
          const nodes = Array.from(nodesOf(ast))
          const alias = nodes.find((node) => node.node === "Alias") as { alias: string; expr: { value: unknown } }
          expect(alias.alias).toBe(property)
          expect(alias.expr.value).toBe(literal)
          expect(nodes.some((node) => node.node === "Field" && JSON.stringify(node["chain"]) === JSON.stringify(["properties", property]))).toBe(true)
          const compare = nodes.find((node) => node.node === "CompareOperation") as { right: { value: unknown } }
          expect(compare.right.value).toBe(event)
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("the queries mean what their insights say", () => {
  it.each(insights)("%s: medians are exact, days are UTC days", (_key, insight) => {
    const calls = callsOf(parseSelect(sentText(insight)))
    // ClickHouse's median interpolates (512 and 1024 give 768) and samples past 8,192 rows.
    expect(calls.filter((call) => ["median", "quantile", "quantiles", "medianTDigest"].includes(call.name))).toEqual([])
    // Timestamps are bucketed in UTC, as the backfill's noon stamps assume, not in the project's timezone.
    expect(calls.filter((call) => BUCKETS.has(call.name) && isRawTimestamp(call.args[0])).map((call) => call.name)).toEqual([])
  })

  it("the effectiveness insight takes exact medians", () => {
    const effectiveness = BundledDashboards.compactionDashboard().insights.find((insight) => insight.id === "effectiveness-by-model")!
    expect(callsOf(parseSelect(sentText(effectiveness))).map((call) => call.name)).toContain("medianExact")
  })

  it("each description carries the caveats that apply to it", () => {
    const [activity, , compaction] = dashboards
    expect(activity!.description).toMatch(/survivorship/)
    expect(activity!.description).toMatch(/where the upload happened/)
    expect(activity!.description).toMatch(/UTC days/)
    for (const insight of activity!.insights) {
      if (insight.id === "installs-by-version") expect(insight.description).toMatch(/backfilled events carry the version of the day the backfill ran/)
      else expect([insight.id, insight.description]).toEqual([insight.id, expect.stringMatching(/survivorship/)])
    }
    const effectiveness = compaction!.insights.find((insight) => insight.id === "effectiveness-by-model")!
    expect(effectiveness.description).toMatch(/Medians are exact \(medianExact/)
    expect(effectiveness.description).not.toMatch(/so medians are too/)
  })
})
