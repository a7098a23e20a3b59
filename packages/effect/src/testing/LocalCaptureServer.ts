/**
 * A local stand-in for PostHog's `/batch/` capture endpoint, as `posthog-node`
 * 5.70 talks to it: an HTTP server bound to the loopback interface only, on an
 * ephemeral port. It gunzips bodies that start with the gzip magic bytes
 * (whatever the headers say), validates them like the ingestion service
 * (401 for a missing or wrong `api_key`, 400 for a malformed event, 413 above a
 * size cap), records every request and every accepted event, and injects the
 * faults a delivery path has to survive or report: N x 5xx then recovery, a
 * fixed status, dropped connections, answers slower than a client's timeout.
 *
 * The CLI demo, the tests and the benchmarks send to it instead of PostHog.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as Zlib from "node:zlib"
import { answerJson, listen, LOOPBACK_HOST, scoped as scopedServer } from "./internal/loopback.js"

/**
 * The loopback address the server binds to. It never listens on any other
 * interface.
 *
 * @since 0.1.0
 * @category constants
 */
export { LOOPBACK_HOST }

/**
 * The default cap on a request's raw body (as received, before gunzip): 20 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024

/**
 * Faults to inject. Checked in this order for each request: dropped
 * connection, then `failTimes`, then `alwaysStatus`; `delayMs` delays whatever
 * answer follows. Replacing the faults (`setFaults`) resets the counters.
 *
 * @since 0.1.0
 * @category models
 */
export interface CaptureFaults {
  /** Answer the next `count` requests with `status` (default 503), then recover. */
  readonly failTimes?: { readonly count: number; readonly status?: number | undefined } | undefined
  /** Answer every request with this status (a 5xx, a 4xx, 413, ...) until the faults change. */
  readonly alwaysStatus?: number | undefined
  /**
   * Destroy the socket without answering, after the body was read: `true` for
   * every request, a number for the next N requests only.
   */
  readonly dropConnections?: boolean | number | undefined
  /** Wait this many milliseconds before answering (to exceed a client's request timeout). */
  readonly delayMs?: number | undefined
}

/**
 * Options for {@link startLocalCaptureServer} and {@link scoped}.
 *
 * @since 0.1.0
 * @category models
 */
export interface LocalCaptureServerOptions {
  /** When set, only this `api_key` is accepted (401 otherwise). Any non-empty key is accepted when unset. */
  readonly apiKey?: string | undefined
  /** Raw body size above which the server answers 413. Defaults to {@link DEFAULT_MAX_BODY_BYTES}. */
  readonly maxBodyBytes?: number | undefined
  /** Faults active from the start. */
  readonly faults?: CaptureFaults | undefined
}

/**
 * What the server did with a request: the status it answered, `"dropped"` when
 * it destroyed the socket on purpose, `"client-closed"` when the client hung up
 * before a (delayed) answer was written.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordedStatus = number | "dropped" | "client-closed"

/**
 * One request as the server saw it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly status: RecordedStatus
  /** Size of the body as received (compressed when the client gzipped it). */
  readonly bodyBytes: number
  /** Whether the body started with the gzip magic bytes and was gunzipped. */
  readonly gzipped: boolean
  /** The `Content-Encoding` header, if any. */
  readonly contentEncoding: string | undefined
  /** Number of entries in `batch` (0 when the body did not parse). */
  readonly eventCount: number
  /** The `uuid` of each batch entry that had a string one, in order. */
  readonly uuids: ReadonlyArray<string>
  /** The body's `historical_migration` flag (`undefined` when absent). */
  readonly historicalMigration: boolean | undefined
  /** The body's `sent_at` (`undefined` when absent). */
  readonly sentAt: string | undefined
  /** The body's `api_key` (`undefined` when absent). */
  readonly apiKey: string | undefined
}

/**
 * An event the server accepted (answered 2xx for), exactly as it came on the
 * wire.
 *
 * @since 0.1.0
 * @category models
 */
export interface CapturedEvent {
  readonly event: string
  readonly distinct_id: string
  readonly uuid: string
  readonly timestamp?: string | undefined
  readonly properties?: Readonly<Record<string, unknown>> | undefined
  readonly [key: string]: unknown
}

/**
 * One request as it arrived, before any answer (a client killed while it
 * waits still leaves its arrival): where it went and every batch entry.
 *
 * @since 0.1.0
 * @category models
 */
export interface ArrivedRequest {
  readonly path: string
  readonly events: ReadonlyArray<CapturedEvent>
}

/**
 * A running local capture server.
 *
 * @since 0.1.0
 * @category models
 */
export interface LocalCaptureServer {
  /** Base URL to hand to `posthog-node` as `host`, e.g. `http://127.0.0.1:54321`. */
  readonly url: string
  /** The port the server listens on (always on {@link LOOPBACK_HOST}). */
  readonly port: number
  /** Every request received so far, in arrival order (a snapshot). */
  readonly requests: ReadonlyArray<RecordedRequest>
  /** Every accepted event so far, in arrival order (a snapshot). */
  readonly events: ReadonlyArray<CapturedEvent>
  /** Every request as it arrived, answered or not (a snapshot). */
  readonly arrivals: ReadonlyArray<ArrivedRequest>
  /** Requests whose (delayed) answer is not written yet. */
  readonly inFlight: number
  /** Replaces the active faults (and resets their counters); `{}` clears them. */
  readonly setFaults: (faults: CaptureFaults) => void
  /** Changes the 413 cap on the raw body size. */
  readonly setMaxBodyBytes: (bytes: number) => void
  /** Forgets recorded requests and events, clears the faults, and drops delayed answers still pending. */
  readonly reset: () => void
  /** Stops listening, drops open connections and pending delayed answers. Idempotent. */
  readonly close: () => Promise<void>
}

/**
 * The server could not start listening.
 *
 * @since 0.1.0
 * @category errors
 */
export class LocalCaptureServerError extends Data.TaggedError("LocalCaptureServerError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface Verdict {
  readonly status: number
  readonly body: Record<string, unknown>
}

const ok: Verdict = { status: 200, body: { status: "Ok" } }

const refuse = (status: number, type: string, code: string, detail: string): Verdict => ({
  status,
  body: { type, code, detail }
})

const faultVerdict = (status: number): Verdict =>
  status >= 200 && status < 300 ? ok : refuse(status, "server_error", "injected_fault", `Injected fault: HTTP ${status}`)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value.length > 0

/** Why one batch entry is malformed, or `undefined` when it is fine. */
const malformedEvent = (entry: unknown, index: number): string | undefined => {
  if (!isRecord(entry)) return `batch[${index}] is not an object`
  if (!nonEmptyString(entry["event"])) return `batch[${index}] has no event name`
  const distinctId = entry["distinct_id"]
  if (!nonEmptyString(distinctId) && typeof distinctId !== "number") return `batch[${index}] has no distinct_id`
  if (typeof entry["uuid"] !== "string" || !UUID.test(entry["uuid"])) return `batch[${index}] has no valid uuid`
  const timestamp = entry["timestamp"]
  if (timestamp !== undefined && (typeof timestamp !== "string" || Number.isNaN(Date.parse(timestamp)))) {
    return `batch[${index}] has an unparseable timestamp`
  }
  if (entry["properties"] !== undefined && !isRecord(entry["properties"])) {
    return `batch[${index}] has non-object properties`
  }
  return undefined
}

interface ParsedBody {
  readonly gzipped: boolean
  readonly json: unknown
  readonly error: string | undefined
}

const parseBody = (raw: Buffer): ParsedBody => {
  const gzipped = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b
  let text: string
  try {
    text = (gzipped ? Zlib.gunzipSync(raw) : raw).toString("utf8")
  } catch (cause) {
    return { gzipped, json: undefined, error: `body starts with the gzip magic bytes but does not gunzip: ${String(cause)}` }
  }
  try {
    return { gzipped, json: JSON.parse(text) as unknown, error: undefined }
  } catch {
    return { gzipped, json: undefined, error: "body is not valid JSON" }
  }
}

/**
 * Starts a local capture server on {@link LOOPBACK_HOST} and an ephemeral port.
 * Call `close()` when done (or use {@link scoped}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const startLocalCaptureServer = (options: LocalCaptureServerOptions = {}): Promise<LocalCaptureServer> => {
  const requests: Array<RecordedRequest> = []
  const events: Array<CapturedEvent> = []
  const arrivals: Array<ArrivedRequest> = []
  /** Delayed answers not sent yet, with their responses (dropped by `reset` and `close`). */
  const pendingTimers = new Map<ReturnType<typeof setTimeout>, Http.ServerResponse>()
  let maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  let faults: CaptureFaults = {}
  let failTimesLeft = 0
  let dropsLeft = 0

  const setFaults = (next: CaptureFaults): void => {
    faults = { ...next }
    failTimesLeft = next.failTimes?.count ?? 0
    dropsLeft = typeof next.dropConnections === "number" ? next.dropConnections : 0
  }
  setFaults(options.faults ?? {})

  /** The injected verdict for this request, consuming counters; `"drop"` to destroy the socket. */
  const injectedFault = (): Verdict | "drop" | undefined => {
    if (faults.dropConnections === true) return "drop"
    if (dropsLeft > 0) {
      dropsLeft -= 1
      return "drop"
    }
    if (faults.failTimes !== undefined && failTimesLeft > 0) {
      failTimesLeft -= 1
      return faultVerdict(faults.failTimes.status ?? 503)
    }
    if (faults.alwaysStatus !== undefined) return faultVerdict(faults.alwaysStatus)
    return undefined
  }

  /** The verdict on a well-routed request from its body alone (no faults). */
  const judge = (bodyBytes: number, parsed: ParsedBody): Verdict => {
    if (bodyBytes > maxBodyBytes) {
      return refuse(413, "validation_error", "payload_too_large", `Body of ${bodyBytes} bytes exceeds ${maxBodyBytes}`)
    }
    if (parsed.error !== undefined) return refuse(400, "validation_error", "invalid_payload", parsed.error)
    const json = parsed.json
    if (!isRecord(json)) return refuse(400, "validation_error", "invalid_payload", "body is not a JSON object")
    const apiKey = json["api_key"]
    if (!nonEmptyString(apiKey)) {
      return refuse(401, "authentication_error", "invalid_api_key", "Project API key invalid. Set api_key in the body.")
    }
    if (options.apiKey !== undefined && apiKey !== options.apiKey) {
      return refuse(401, "authentication_error", "invalid_api_key", "Project API key invalid.")
    }
    const batch = json["batch"]
    if (!Array.isArray(batch)) return refuse(400, "validation_error", "invalid_payload", "body has no batch array")
    for (let index = 0; index < batch.length; index++) {
      const problem = malformedEvent(batch[index], index)
      if (problem !== undefined) return refuse(400, "validation_error", "invalid_event", problem)
    }
    return ok
  }

  const handle = (req: Http.IncomingMessage, res: Http.ServerResponse, raw: Buffer): void => {
    const path = (req.url ?? "/").split("?")[0] ?? "/"
    const parsed = parseBody(raw)
    const json = isRecord(parsed.json) ? parsed.json : {}
    const batch: ReadonlyArray<unknown> = Array.isArray(json["batch"]) ? json["batch"] : []
    const base = {
      method: req.method ?? "",
      path,
      bodyBytes: raw.length,
      gzipped: parsed.gzipped,
      contentEncoding: req.headers["content-encoding"],
      eventCount: batch.length,
      uuids: batch.flatMap((entry) => (isRecord(entry) && typeof entry["uuid"] === "string" ? [entry["uuid"]] : [])),
      historicalMigration: typeof json["historical_migration"] === "boolean" ? json["historical_migration"] : undefined,
      sentAt: typeof json["sent_at"] === "string" ? json["sent_at"] : undefined,
      apiKey: typeof json["api_key"] === "string" ? json["api_key"] : undefined
    }

    arrivals.push({ path, events: batch.filter((entry): entry is CapturedEvent => isRecord(entry)) })
    let clientGone = false
    res.on("close", () => {
      if (!res.writableEnded) clientGone = true
    })

    const fault = injectedFault()
    if (fault === "drop") {
      requests.push({ ...base, status: "dropped" })
      req.socket.destroy()
      return
    }
    const routed = req.method === "POST" && (path === "/batch/" || path === "/batch")
    const verdict = fault ?? (routed ? judge(raw.length, parsed) : refuse(404, "not_found", "not_found", `No route for ${req.method} ${path}`))

    const answer = (): void => {
      if (clientGone || res.destroyed) {
        requests.push({ ...base, status: "client-closed" })
        return
      }
      requests.push({ ...base, status: verdict.status })
      if (routed && verdict.status >= 200 && verdict.status < 300) {
        for (const entry of batch) events.push(entry as CapturedEvent)
      }
      answerJson(res, verdict.status, verdict.body)
    }

    const delayMs = faults.delayMs ?? 0
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer)
        answer()
      }, delayMs)
      pendingTimers.set(timer, res)
    } else {
      answer()
    }
  }

  const dropPendingAnswers = () => {
    for (const [timer, res] of pendingTimers) {
      clearTimeout(timer)
      res.destroy()
    }
    pendingTimers.clear()
  }

  return listen((req, res, raw) => handle(req, res, raw), dropPendingAnswers).then((listening) => ({
    url: listening.url,
    port: listening.port,
    get requests() {
      return requests.slice()
    },
    get events() {
      return events.slice()
    },
    get arrivals() {
      return arrivals.slice()
    },
    get inFlight() {
      return pendingTimers.size
    },
    setFaults,
    setMaxBodyBytes: (bytes) => {
      maxBodyBytes = bytes
    },
    reset: () => {
      // A delayed answer from before the reset must not be recorded after it.
      dropPendingAnswers()
      requests.length = 0
      events.length = 0
      arrivals.length = 0
      setFaults({})
    },
    close: listening.close
  }))
}

/**
 * A local capture server that lives as long as the enclosing `Scope`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scoped = (
  options: LocalCaptureServerOptions = {}
): Effect.Effect<LocalCaptureServer, LocalCaptureServerError, Scope.Scope> =>
  scopedServer(
    () => startLocalCaptureServer(options),
    (cause) =>
      new LocalCaptureServerError({ message: `Could not start the local capture server on ${LOOPBACK_HOST}: ${String(cause)}`, cause })
  )
