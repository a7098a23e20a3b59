/**
 * A small, unrelated example app: an agent job runner that keeps `jobs`,
 * `job_logs` and `workspaces` tables, with second-unit timestamps. It exists to
 * prove the spec is general (and as a template for writing your own).
 *
 * @since 0.1.0
 */
import { type BackfillApp, defineBackfillApp } from "../app/BackfillApp.js"
import { closedEnum } from "../events/ClosedEnum.js"
import { buckets, count, countNotNull, type RollupSpec, sum } from "../rollup/RollupSpec.js"

/**
 * @since 0.1.0
 * @category specs
 */
export const jobRunnerSpec: RollupSpec = {
  tables: [
    {
      table: "jobs",
      timeColumn: "created_at",
      metrics: [
        count("job_count"),
        buckets(
          "status",
          closedEnum({
            buckets: [
              { key: "jobs_succeeded_count", values: ["succeeded", "success", "ok"] },
              { key: "jobs_failed_count", values: ["failed", "error"] },
              { key: "jobs_cancelled_count", values: ["cancelled", "canceled"] }
            ],
            other: "jobs_other_status_count"
          })
        ),
        countNotNull("jobs_retried_count", "retry_of"),
        sum("input_bytes", "input_bytes")
      ]
    },
    {
      table: "job_logs",
      timeColumn: "logged_at",
      metrics: [
        count("log_line_count"),
        buckets(
          "level",
          closedEnum({ buckets: [{ key: "log_error_count", values: ["error", "fatal"] }] })
        )
      ]
    }
  ],
  distinctCounts: [
    {
      key: "active_workspace_count",
      sources: [
        { table: "jobs", timeColumn: "created_at", column: "workspace_id" },
        { table: "job_logs", timeColumn: "logged_at", column: "workspace_id" }
      ]
    }
  ],
  firstActivity: [
    { table: "workspaces", timeColumn: "created_at" },
    { table: "jobs", timeColumn: "created_at" }
  ]
}

/**
 * The job-runner example app.
 *
 * @since 0.1.0
 * @category apps
 */
export const jobRunner: BackfillApp = defineBackfillApp({
  name: "job-runner",
  spec: jobRunnerSpec,
  namespace: "3f0c9a52-7d1e-5b84-a6c2-91e4d7b05f3a",
  baseProperties: { version: "string", os: "string" },
  personPropertyKeys: ["version", "os", "first_active_date"],
  consentEnvPrefix: "JOB_RUNNER_TELEMETRY",
  floorMs: Date.UTC(2023, 0, 1)
})
