/**
 * The skeleton every local fake server of `testing/` stands on: an HTTP server
 * on 127.0.0.1 and an ephemeral port that reads each request's whole body
 * before handing it over, answers JSON, closes every connection when it
 * closes, and lives as long as a `Scope` when asked.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** @internal */
export const LOOPBACK_HOST = "127.0.0.1"

/** A request with its whole body. @internal */
export type Handler = (req: Http.IncomingMessage, res: Http.ServerResponse, body: Buffer, base: string) => void

/** A started server. @internal */
export interface Listening {
  readonly url: string
  readonly port: number
  /** Stops listening and ends every open connection (idempotent); `beforeClose` runs first. */
  readonly close: () => Promise<void>
}

/**
 * Starts a server on {@link LOOPBACK_HOST} that hands `handle` each request
 * once its body has arrived (a client that goes away mid-body gets no answer).
 *
 * @internal
 */
export const listen = (handle: Handler, beforeClose: () => void = () => undefined): Promise<Listening> => {
  let base = ""
  const server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => handle(req, res, Buffer.concat(chunks), base))
    req.on("error", () => undefined)
  })
  return new Promise<Listening>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, LOOPBACK_HOST, () => {
      server.off("error", reject)
      const { port } = server.address() as AddressInfo
      base = `http://${LOOPBACK_HOST}:${port}`
      let closing: Promise<void> | undefined
      resolve({
        url: base,
        port,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            beforeClose()
            server.close(() => done())
            server.closeAllConnections()
          }))
      })
    })
  })
}

/**
 * Answers `body` as JSON with `status`.
 *
 * @internal
 */
export const answerJson = (res: Http.ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) })
  res.end(text)
}

/**
 * A server from `start` for the lifetime of the enclosing `Scope`; a start
 * that fails becomes `failure(cause)`.
 *
 * @internal
 */
export const scoped = <S extends { readonly close: () => Promise<void> }, E>(
  start: () => Promise<S>,
  failure: (cause: unknown) => E
): Effect.Effect<S, E, Scope.Scope> =>
  Effect.acquireRelease(Effect.tryPromise({ try: start, catch: failure }), (server) => Effect.promise(() => server.close()))
