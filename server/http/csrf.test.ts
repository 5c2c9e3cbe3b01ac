import { describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { appOrigin, isSameOriginJsonRequest } from "./csrf";

/**
 * Which origin counts as ours for the CSRF check: the demo (and development) accept whichever of
 * localhost or 127.0.0.1 the browser opened; production accepts APP_URL's origin and nothing else.
 */

const settingsFor = (env: { NODE_ENV: "production" | "development"; DEMO?: string; APP_URL?: string }) => loadConfig({ DATA_DIR: ".test-data", PORT: "3000", AUTH_SECRET: "x".repeat(32), ...env });

/** A same-origin JSON request as the browser sends it from a page at `origin`. */
function fromPageAt(origin: string, host = new URL(origin).host) {
  return new Headers({ host, origin, "sec-fetch-site": "same-origin", "content-type": "application/json" });
}

describe("the demo without APP_URL takes the origin it was opened at", () => {
  const demo = settingsFor({ NODE_ENV: "production", DEMO: "1" });

  it("accepts the app's own pages at localhost and at 127.0.0.1", () => {
    expect(demo.originFromRequest).toBe(true);
    expect(isSameOriginJsonRequest(fromPageAt("http://localhost:3000"), true, demo)).toBe(true);
    expect(isSameOriginJsonRequest(fromPageAt("http://127.0.0.1:3000"), true, demo)).toBe(true);
    expect(appOrigin(fromPageAt("http://127.0.0.1:3000"), demo)).toBe("http://127.0.0.1:3000");
  });

  it("still refuses another origin, even one on the same machine", () => {
    expect(isSameOriginJsonRequest(fromPageAt("http://127.0.0.1:3000", "localhost:3000"), true, demo)).toBe(false);
    expect(isSameOriginJsonRequest(fromPageAt("http://localhost:3101", "localhost:3000"), true, demo)).toBe(false);
    expect(isSameOriginJsonRequest(fromPageAt("https://evil.example", "localhost:3000"), true, demo)).toBe(false);
    const crossSite = fromPageAt("http://localhost:3000");
    crossSite.set("sec-fetch-site", "cross-site");
    expect(isSameOriginJsonRequest(crossSite, true, demo)).toBe(false);
  });

  it("serves plain http without Secure cookies (127.0.0.1 is not a secure context)", () => {
    expect(demo.secureCookies).toBe(false);
  });

  it("development behaves the same", () => {
    const development = settingsFor({ NODE_ENV: "development" });
    expect(isSameOriginJsonRequest(fromPageAt("http://127.0.0.1:3000"), true, development)).toBe(true);
  });
});

describe("production keeps the strict APP_URL check", () => {
  it("accepts APP_URL's origin only, whatever Host the request names", () => {
    const production = settingsFor({ NODE_ENV: "production", APP_URL: "https://tickets.example.com" });
    expect(production.originFromRequest).toBe(false);
    expect(isSameOriginJsonRequest(fromPageAt("https://tickets.example.com"), true, production)).toBe(true);
    // A request that names itself consistently is still not ours.
    expect(isSameOriginJsonRequest(fromPageAt("http://127.0.0.1:3000"), true, production)).toBe(false);
    expect(isSameOriginJsonRequest(fromPageAt("https://evil.example"), true, production)).toBe(false);
  });

  it("without APP_URL, only http://localhost:PORT", () => {
    const production = settingsFor({ NODE_ENV: "production" });
    expect(production.originFromRequest).toBe(false);
    expect(isSameOriginJsonRequest(fromPageAt("http://localhost:3000"), true, production)).toBe(true);
    expect(isSameOriginJsonRequest(fromPageAt("http://127.0.0.1:3000"), true, production)).toBe(false);
    expect(isSameOriginJsonRequest(fromPageAt("https://evil.example"), true, production)).toBe(false);
  });

  it("APP_URL wins over DEMO: an operator's origin is never widened", () => {
    const demoWithAppUrl = settingsFor({ NODE_ENV: "production", DEMO: "1", APP_URL: "http://localhost:3000" });
    expect(demoWithAppUrl.originFromRequest).toBe(false);
    expect(isSameOriginJsonRequest(fromPageAt("http://127.0.0.1:3000"), true, demoWithAppUrl)).toBe(false);
  });
});
