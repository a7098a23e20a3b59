/**
 * The one check every place that takes a PostHog host uses (the sinks, live
 * telemetry, the dashboards client, the CLI): the host is parsed once into an
 * origin and a path, and only a host that means exactly one place is
 * accepted. Refused: anything but `http:` or `https:`, no `//authority`,
 * credentials, a query, a fragment (`http://127.0.0.1/#x` would send every
 * request to `/`), blanks, backslashes, and path segments a URL parser would
 * rewrite (`.`, `..`, characters that need percent-encoding). So the URL the
 * sink sends to is exactly `<origin><path>/batch/`, and the wire refuses any
 * other.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/**
 * PostHog US cloud, the default ingestion host of the backfill and of live
 * events.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_HOST = "https://us.i.posthog.com"

/**
 * A parsed host.
 *
 * @since 0.1.0
 * @category models
 */
export interface Host {
  /** `scheme://host[:port]`, as URLs normalize it (lowercase, default port dropped). */
  readonly origin: string
  /** The path under the origin, without a trailing slash (`""` for none), e.g. `/ingest`. */
  readonly path: string
  /** `origin + path`: the host to hand a PostHog client. */
  readonly url: string
}

const SHAPE = /^(https?):\/\/([^/\\?#@\s]+)(\/[^\\?#\s]*)?$/i
const SEGMENT = /^[A-Za-z0-9._~-]+$/

/**
 * Parses a host: `Right` with its origin and path, or `Left` with one line
 * saying what is wrong with it.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (input: string): Either.Either<Host, string> => {
  const text = input.trim()
  if (text === "") return Either.left("is empty")
  if (/[?#]/.test(text)) return Either.left("has a query or a fragment (?... or #...), which PostHog hosts never have")
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(text)) return Either.left("carries credentials (user@...), which must not be in a host")
  if (!/^https?:/i.test(text)) return Either.left("is not an http(s) URL")
  const shape = SHAPE.exec(text)
  if (shape === null) return Either.left("is not an http(s) URL of the form https://host[:port][/path]")
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left("is not an http(s) URL of the form https://host[:port][/path]")
  }
  if (url.hostname === "") return Either.left("has no host name")
  const segments = (shape[3] ?? "").split("/").filter((segment) => segment !== "")
  if (segments.some((segment) => !SEGMENT.test(segment) || segment === "." || segment === "..")) {
    return Either.left("has a path with characters or segments a URL would rewrite (use letters, digits and . _ ~ -)")
  }
  const path = segments.length === 0 ? "" : `/${segments.join("/")}`
  return Either.right({ origin: url.origin, path, url: `${url.origin}${path}` })
}

/**
 * The host as a client gets it (`origin + path`), or `undefined` when it is
 * refused.
 *
 * @since 0.1.0
 * @category parsing
 */
export const normalize = (host: string): string | undefined =>
  Either.match(parse(host), { onLeft: () => undefined, onRight: (parsed) => parsed.url })

/**
 * True for a host {@link parse} accepts.
 *
 * @since 0.1.0
 * @category parsing
 */
export const isHttpUrl = (host: string): boolean => normalize(host) !== undefined

/**
 * The one URL events are sent to: `<origin><path>/batch/`.
 *
 * @since 0.1.0
 * @category getters
 */
export const batchUrl = (host: Host): string => `${host.url}/batch/`

/**
 * One line that says why a host is refused and what to pass, e.g.
 * `--host "http://x/#y" has a query or a fragment ...; pass e.g. https://us.i.posthog.com`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeRefusal = (where: string, input: string, why: string, example = DEFAULT_HOST): string =>
  `${where} ${JSON.stringify(input)} ${why}; pass e.g. ${example}`
