import { HttpHost } from "@posthog-backfill/effect"
import { describe, expect, it } from "vitest"

describe("HttpHost", () => {
  it("accepts absolute http(s) URLs and drops trailing slashes", () => {
    expect(HttpHost.normalize(" https://us.i.posthog.com/ ")).toBe("https://us.i.posthog.com")
    expect(HttpHost.normalize("http://127.0.0.1:8000//")).toBe("http://127.0.0.1:8000")
  })

  it("refuses what is not an http(s) URL", () => {
    for (const bad of ["", "us.i.posthog.com", "not a url", "ftp://example.com", "file:///etc/passwd", "javascript:alert(1)"]) {
      expect([bad, HttpHost.isHttpUrl(bad)]).toEqual([bad, false])
    }
  })
})
