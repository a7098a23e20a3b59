/**
 * The transport under the wire: a `fetch` over `node:http` / `node:https`
 * (Node and Bun alike) that can let the host's process exit. With
 * `keepAlive: false` its socket is unref'd, so a request in flight never holds
 * a short-lived host open; the host that awaits a send holds the process
 * itself (see `keepAlive.ts`). The global `fetch` cannot do that: its sockets
 * always keep the event loop alive.
 *
 * One connection per request (no agent pool): a backfill sends one batch, and
 * live telemetry a batch every few seconds at most.
 *
 * @internal
 */
import * as http from "node:http"
import * as https from "node:https"
import type { FetchFn, FetchInit } from "./fetchTypes.js"

/** The request body as bytes (posthog-node hands a string, a `Uint8Array` or a `Blob`). */
const bodyBytes = async (body: FetchInit["body"]): Promise<Uint8Array | undefined> => {
  if (body === undefined || body === null) return undefined
  if (typeof body === "string") return Buffer.from(body, "utf8")
  if (body instanceof Uint8Array) return body
  return new Uint8Array(await new Response(body as Blob).arrayBuffer())
}

/**
 * A `fetch` over `node:http(s)`. `keepAlive: false` unrefs the socket.
 *
 * @internal
 */
export const makeHttpFetch = (options: { readonly keepAlive: boolean }): FetchFn => async (url, init) => {
  const target = new URL(url)
  const body = await bodyBytes(init.body)
  const request = target.protocol === "https:" ? https.request : http.request
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"))
    const req = request(target, { method: init.method ?? "GET", headers: { ...init.headers }, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("error", reject)
      res.on("end", () => {
        const headers = new Headers()
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value)
        }
        const status = res.statusCode ?? 0
        // A Response cannot carry a body with these statuses.
        const empty = status === 204 || status === 205 || status === 304
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers }))
      })
    })
    if (!options.keepAlive) req.on("socket", (socket) => socket.unref())
    const abort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"))
    signal?.addEventListener("abort", abort, { once: true })
    req.on("close", () => signal?.removeEventListener("abort", abort))
    req.on("error", reject)
    req.end(body)
  })
}
