/**
 * The app of the compaction example: a Mux-like coding agent. One definition
 * serves its historical backfill (a per-day rollup of its local `compactions`
 * table) and its live events: the consent prefix `MUX_TELEMETRY`, the config
 * file `telemetry.json` in its data dir (consent, install id, notice version),
 * the uuid namespace and the base properties it may ship.
 */
import { BackfillApp, RollupSpec } from "@posthog-backfill/core"

export const mux = BackfillApp.defineBackfillApp({
  name: "mux",
  spec: {
    tables: [{ table: "compactions", timeColumn: "completed_at", metrics: [RollupSpec.count("compaction_count")] }],
    firstActivity: [{ table: "workspaces", timeColumn: "created_at" }]
  },
  namespace: "5b1d7c3e-2a94-5f60-8e1b-c47a90d2e6f3",
  baseProperties: {
    version: "string",
    os: "string",
    os_version: "string",
    arch: "string",
    runtime: "string",
    runtime_version: "string",
    locale: "string"
  },
  personPropertyKeys: ["version", "os", "first_active_date"],
  consentEnvPrefix: "MUX_TELEMETRY"
})
