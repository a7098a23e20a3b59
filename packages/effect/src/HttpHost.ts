/**
 * The one check every place that takes a PostHog host uses (the sinks, the
 * dashboards client, the CLI): an absolute http(s) URL, without trailing
 * slashes.
 *
 * @since 0.1.0
 */

/**
 * PostHog US cloud, the default ingestion host of the backfill and of live
 * events.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_HOST = "https://us.i.posthog.com"

/**
 * The host without surrounding spaces and trailing slashes, when it is an
 * absolute `http:` or `https:` URL; otherwise `undefined`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const normalize = (host: string): string | undefined => {
  const trimmed = host.trim().replace(/\/+$/, "")
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return undefined
  }
  return url.protocol === "http:" || url.protocol === "https:" ? trimmed : undefined
}

/**
 * True for an absolute `http:` or `https:` URL.
 *
 * @since 0.1.0
 * @category parsing
 */
export const isHttpUrl = (host: string): boolean => normalize(host) !== undefined
