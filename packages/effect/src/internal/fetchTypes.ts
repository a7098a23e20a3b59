/**
 * The `fetch` the wire hands posthog-node, in this library's own terms: the
 * same shape as posthog-node's `PostHogFetchOptions` / `PostHogFetchResponse`
 * (structurally compatible), so no declaration of this package reaches into
 * posthog-node's and a host type-checks without `skipLibCheck`.
 *
 * @internal
 */

/** What posthog-node asks a `fetch` for. @internal */
export interface FetchInit {
  readonly method: "GET" | "POST" | "PUT" | "PATCH"
  readonly mode?: "no-cors" | undefined
  readonly credentials?: "omit" | undefined
  readonly headers: { readonly [key: string]: string }
  readonly body?: string | Blob | Uint8Array | undefined
  readonly signal?: AbortSignal | undefined
}

/** What posthog-node reads of the answer. @internal */
export interface FetchResponse {
  readonly status: number
  readonly text: () => Promise<string>
  readonly json: () => Promise<any>
  readonly headers?: { get(name: string): string | null }
  readonly body?: ReadableStream<Uint8Array> | null
}

/** A `fetch` for posthog-node. @internal */
export type FetchFn = (url: string, init: FetchInit) => Promise<FetchResponse>
