import { expect } from "vitest";
import { POST as trpcPOST } from "@/app/api/trpc/[trpc]/route";

/**
 * Shared steps of the attack suite (server/attacks/*.test.ts): the tRPC endpoint as a browser
 * reaches it, and the 429 contract.
 */

const ORIGIN = "http://localhost";

/** A same-origin JSON tRPC mutation, as the app's own pages send it, from `ip`. */
export function trpcMutation(path: string, input: unknown, options: { cookie?: string; ip?: string } = {}): Promise<Response> {
  const headers = new Headers({
    host: "localhost",
    origin: ORIGIN,
    "sec-fetch-site": "same-origin",
    "content-type": "application/json",
    "x-forwarded-for": options.ip ?? "192.0.2.1",
  });
  if (options.cookie) headers.set("cookie", `admit.session=${options.cookie}`);
  return trpcPOST(new Request(`${ORIGIN}/api/trpc/${path}`, { method: "POST", headers, body: JSON.stringify(input ?? {}) }));
}

/** A 429 with a Retry-After of whole seconds, at most `maxSeconds`; returns the seconds. */
export function expectRetryAfter(response: Response, maxSeconds: number): number {
  expect(response.status).toBe(429);
  const value = response.headers.get("retry-after");
  expect(value, "Retry-After").toMatch(/^\d+$/);
  const seconds = Number(value);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(maxSeconds);
  return seconds;
}
