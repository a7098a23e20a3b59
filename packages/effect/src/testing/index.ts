/**
 * Test helpers shipped with `@posthog-backfill/effect`, for hosts' own tests
 * too: a local PostHog capture server and a local fake of the dashboards REST
 * API, both on 127.0.0.1.
 *
 * @since 0.1.0
 */

/**
 * A local PostHog `/batch/` capture server on 127.0.0.1 with request recording and fault injection.
 *
 * @since 0.1.0
 */
export * as LocalCaptureServer from "./LocalCaptureServer.js"

/**
 * Promise entry point of the local capture server, for non-Effect hosts (the CLI demo).
 *
 * @since 0.1.0
 */
export { startLocalCaptureServer } from "./LocalCaptureServer.js"

/**
 * A local fake of PostHog's dashboards and insights REST endpoints on 127.0.0.1, recording every request.
 *
 * @since 0.1.0
 */
export * as LocalPostHogApi from "./LocalPostHogApi.js"

/**
 * Promise entry point of the local PostHog REST API fake, for non-Effect hosts.
 *
 * @since 0.1.0
 */
export { startLocalPostHogApi } from "./LocalPostHogApi.js"
