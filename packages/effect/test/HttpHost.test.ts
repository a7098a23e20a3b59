import { CaptureEvent as CaptureEventModule } from "@posthog-backfill/core"
import { HttpHost, PostHogSink } from "@posthog-backfill/effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

const parsed = (host: string) => Either.getOrUndefined(HttpHost.parse(host))

describe("HttpHost.parse", () => {
  it("accepts absolute http(s) URLs, with a path, and drops trailing slashes", () => {
    expect(parsed(" https://us.i.posthog.com/ ")).toEqual({ origin: "https://us.i.posthog.com", path: "", url: "https://us.i.posthog.com" })
    expect(HttpHost.normalize("http://127.0.0.1:8000//")).toBe("http://127.0.0.1:8000")
    expect(parsed("https://Example.COM:443/ingest/")).toEqual({ origin: "https://example.com", path: "/ingest", url: "https://example.com/ingest" })
    expect(HttpHost.normalize("http://[::1]:8080")).toBe("http://[::1]:8080")
  })

  it("refuses anything that does not name exactly one place, saying why", () => {
    const refused: ReadonlyArray<readonly [string, RegExp]> = [
      ["", /empty/],
      [" ", /empty/],
      ["us.i.posthog.com", /not an http\(s\) URL/],
      ["ftp://example.com", /not an http\(s\) URL/],
      ["file:///etc/passwd", /not an http\(s\) URL/],
      ["javascript:alert(1)", /not an http\(s\) URL/],
      ["http://127.0.0.1:8000/#x", /fragment/],
      ["http://127.0.0.1:8000#x", /fragment/],
      ["https://us.i.posthog.com/?token=1", /query/],
      ["https://user:secret@us.i.posthog.com", /credentials/],
      ["http:///x", /https:\/\/host/],
      ["http:x", /https:\/\/host/],
      ["http:\\\\evil.com", /https:\/\/host/],
      ["http://exa mple.com", /https:\/\/host/],
      ["http://example.com/a/../b", /path/],
      ["http://example.com/%2e%2e", /path/],
      ["http://127.0.0.1:99999", /https:\/\/host/]
    ]
    for (const [host, why] of refused) {
      const result = HttpHost.parse(host)
      expect([host, Either.isLeft(result)]).toEqual([host, true])
      if (Either.isLeft(result)) expect([host, result.left]).toEqual([host, expect.stringMatching(why)])
    }
  })
})

/** Hosts as people and programs write them: some fine, many odd. */
const wellFormed = fc.tuple(
  fc.constantFrom("http", "https", "HTTPS"),
  fc.constantFrom("127.0.0.1", "localhost", "us.i.posthog.com", "[::1]", "EXAMPLE.com"),
  fc.constantFrom("", ":8000", ":443", ":80"),
  fc.constantFrom("", "/", "/ingest", "/ingest/", "/a/b", "/a-b.c_d~e", "/batch"),
  fc.constantFrom("", " ", "/")
).map(([scheme, host, port, path, tail]) => `${scheme}://${host}${port}${path}${tail}`)

const hostText = fc.oneof(
  { arbitrary: wellFormed, weight: 3 },
  { arbitrary: fc.webUrl(), weight: 1 },
  fc.tuple(
    fc.constantFrom("http", "https", "HTTP", "ftp", "http:", "https:/"),
    fc.constantFrom("://", ":", ":///", "://user:pw@", "://user@", ":\\\\"),
    fc.constantFrom("127.0.0.1", "localhost", "us.i.posthog.com", "[::1]", "EXAMPLE.com", "", "a b"),
    fc.constantFrom("", ":8000", ":443", ":80", ":0", ":99999"),
    fc.constantFrom("", "/", "/ingest", "/ingest/", "//", "/a/b", "/a/../b", "/./x", "/%41", "/x y", "/é", "/batch"),
    fc.constantFrom("", "#x", "/#x", "?q=1", "?", "#", " ", "\t")
  ).map((parts) => parts.join("")),
  fc.string(),
  fc.webUrl({ withFragments: true, withQueryParameters: true })
)

const event: CaptureEventModule.CaptureEvent = {
  event: "historical_activity",
  distinctId: "install-1",
  uuid: "0b9f7e2a-3c4d-5e5f-8a6b-7c8d9e0f1a2b",
  timestamp: new Date("2026-01-01T12:00:00Z"),
  properties: { backfilled: true }
}

describe("the host a sink accepts is the host its requests go to", () => {
  it("every host the check accepts sends to exactly <origin><path>/batch/, and nothing else is sent", async () => {
    let acceptedRuns = 0
    await fc.assert(
      fc.asyncProperty(hostText, async (host) => {
        const sentTo: Array<string> = []
        const sink = await Effect.runPromise(
          PostHogSink.make({
            fetchRetryCount: 0,
            fetch: async (url) => {
              sentTo.push(url)
              return new Response("{}", { status: 200 })
            }
          })
        )
        const result = await Effect.runPromise(Effect.either(sink.send([event], { apiKey: "phc_x", host, historicalMigration: true })))
        const accepted = parsed(host)
        if (accepted === undefined) {
          expect(Either.isLeft(result)).toBe(true)
          expect(sentTo).toEqual([])
          return
        }
        acceptedRuns += 1
        expect(Either.isRight(result) && result.right.delivered).toBe(true)
        expect(sentTo).toHaveLength(1)
        const url = new URL(sentTo[0]!)
        expect(url.hash).toBe("")
        expect(`${url.origin}${url.pathname}`).toBe(`${accepted.origin}${accepted.path}/batch/`)
      }),
      { numRuns: 300 }
    )
    // Both sides of the check were exercised.
    expect(acceptedRuns).toBeGreaterThan(30)
    expect(acceptedRuns).toBeLessThan(270)
  }, 60_000)
})
