import { beforeEach, describe, expect, it } from "vitest";
import { GET as trpcGET, POST as trpcPOST } from "@/app/api/trpc/[trpc]/route";
import type { AppDb } from "@/db/client";
import type { User } from "@/db/schema";
import { freshDb, makeUser, TEST_PASSWORD } from "@/server/testing/support";
import { eventInput } from "@/server/testing/event-fixtures";
import { authTables, signInApi } from "@/server/testing/auth-http";
import { createBrowserSession, findLiveBrowserSession } from "./sessions";

/**
 * The tRPC endpoint as the browser reaches it. tRPC v11's fetch adapter takes a non-batched
 * mutation as `POST /api/trpc/<path>` with the raw JSON input as the body (no transformer), and
 * answers `{"result":{"data":…}}` or `{"error":{"message","code","data":{…}}}`.
 */

let db: AppDb;
let user: User;
let current: { secret: string };
let other: { secret: string };

beforeEach(async () => {
  db = await freshDb();
  user = await makeUser(db);
  current = await createBrowserSession(db, user.id, { device: "this browser", ip: "127.0.0.1" });
  other = await createBrowserSession(db, user.id, { device: "other browser", ip: "127.0.0.2" });
});

const ORIGIN = "http://localhost";

function trpcRequest(path: string, init: { method?: string; headers?: Record<string, string>; body?: string | FormData | URLSearchParams; cookie?: string | null } = {}) {
  const headers = new Headers({ host: "localhost" });
  if (init.cookie !== null) headers.set("cookie", `admit.session=${init.cookie ?? current.secret}`);
  for (const [name, value] of Object.entries(init.headers ?? {})) headers.set(name, value);
  return new Request(`${ORIGIN}/api/trpc/${path}`, { method: init.method ?? "POST", headers, body: init.body });
}

const sameOriginJson = { "content-type": "application/json", origin: ORIGIN, "sec-fetch-site": "same-origin" };

async function revokeOthers(headers: Record<string, string>, body: string | FormData | URLSearchParams = "{}") {
  return trpcPOST(trpcRequest("devices.revokeOthers", { headers, body }));
}

type TrpcError = { error: { message: string; code: number; data: { code: string; httpStatus: number; path?: string; fields?: Record<string, string> } } };

async function expectRefused(response: Response, status: number) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  // Whatever refused it, the other browser is still signed in.
  expect(await findLiveBrowserSession(db, other.secret)).toBeDefined();
  expect(await findLiveBrowserSession(db, current.secret)).toBeDefined();
  return text;
}

describe("CSRF: cookie-authenticated tRPC mutations", () => {
  it("(d) same-origin JSON is accepted: 200 and the other session is revoked", async () => {
    const response = await revokeOthers(sameOriginJson);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: { data: { revoked: 1 } } });
    expect(await findLiveBrowserSession(db, other.secret)).toBeUndefined();
    expect(await findLiveBrowserSession(db, current.secret)).toBeDefined();
  });

  it("same-origin JSON through the batch link the app uses is accepted too", async () => {
    const response = await trpcPOST(trpcRequest("devices.revokeOthers?batch=1", { headers: sameOriginJson, body: JSON.stringify({ 0: {} }) }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([{ result: { data: { revoked: 1 } } }]);
  });

  it("an Origin header alone (no Sec-Fetch-Site, an older browser) is enough when it is ours", async () => {
    expect((await revokeOthers({ "content-type": "application/json", origin: ORIGIN })).status).toBe(200);
  });

  it("(a) Origin: https://evil.example → 403, nothing revoked", async () => {
    const before = await authTables(db);
    const text = await expectRefused(await revokeOthers({ ...sameOriginJson, origin: "https://evil.example", "sec-fetch-site": "cross-site" }), 403);
    expect((JSON.parse(text) as TrpcError).error.data.code).toBe("FORBIDDEN");
    // Even a browser that sends no Sec-Fetch-Site is refused on the Origin alone.
    await expectRefused(await revokeOthers({ "content-type": "application/json", origin: "https://evil.example" }), 403);
    await expectRefused(await revokeOthers({ "content-type": "application/json", origin: "null" }), 403);
    await expectRefused(await revokeOthers({ "content-type": "application/json", origin: "http://localhost.evil.example" }), 403);
    await expectRefused(await revokeOthers({ "content-type": "application/json", origin: "https://localhost" }), 403);
    expect(await authTables(db)).toEqual(before);
  });

  it("(b) an HTML form's content types are refused", async () => {
    const before = await authTables(db);
    const form = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };
    await expectRefused(await revokeOthers({ ...form, "content-type": "application/x-www-form-urlencoded" }, "a=b"), 415);
    await expectRefused(await revokeOthers({ ...form, "content-type": "text/plain" }, '{"":"="}'), 415);
    // tRPC itself accepts multipart/form-data for mutations, so this one must be stopped by us.
    const multipart = new FormData();
    multipart.set("a", "b");
    await expectRefused(await trpcPOST(trpcRequest("devices.revokeOthers", { headers: form, body: multipart })), 403);
    // Even claiming to be same-origin, a form post is not JSON and is refused.
    await expectRefused(await revokeOthers({ origin: ORIGIN, "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded" }, "a=b"), 415);
    await expectRefused(await trpcPOST(trpcRequest("devices.revokeOthers", { headers: { origin: ORIGIN, "sec-fetch-site": "same-origin" }, body: multipart })), 403);
    expect(await authTables(db)).toEqual(before);
  });

  it("(c) Sec-Fetch-Site: cross-site → 403 (and same-site, from a sibling origin, too)", async () => {
    const before = await authTables(db);
    await expectRefused(await revokeOthers({ "content-type": "application/json", "sec-fetch-site": "cross-site" }), 403);
    await expectRefused(await revokeOthers({ ...sameOriginJson, "sec-fetch-site": "cross-site" }), 403);
    await expectRefused(await revokeOthers({ "content-type": "application/json", "sec-fetch-site": "same-site", origin: "http://localhost:3101" }), 403);
    await expectRefused(await revokeOthers({ "content-type": "application/json", "sec-fetch-site": "none" }), 403);
    expect(await authTables(db)).toEqual(before);
  });

  it("a cookie request with neither Origin nor Sec-Fetch-Site is refused", async () => {
    await expectRefused(await revokeOthers({ "content-type": "application/json" }), 403);
  });

  it("a mutation can't be smuggled through GET", async () => {
    const response = await trpcGET(trpcRequest("devices.revokeOthers", { method: "GET", headers: { "sec-fetch-site": "cross-site" } }));
    await expectRefused(response, 405);
  });

  it("devices.revoke of a specific session is guarded the same way", async () => {
    const { session } = await createBrowserSession(db, user.id, { device: "target", ip: "127.0.0.3" });
    const body = JSON.stringify({ id: session.id });
    const refused = await trpcPOST(trpcRequest("devices.revoke", { headers: { ...sameOriginJson, origin: "https://evil.example", "sec-fetch-site": "cross-site" }, body }));
    expect(refused.status).toBe(403);
    const accepted = await trpcPOST(trpcRequest("devices.revoke", { headers: sameOriginJson, body }));
    expect(accepted.status).toBe(200);
  });

  it("Bearer requests are exempt: a browser never attaches one on its own", async () => {
    const tokens = await signInApi(user.email, TEST_PASSWORD, { scopes: ["events:manage"] });
    const response = await trpcPOST(
      trpcRequest("events.create", {
        cookie: null,
        headers: { authorization: `Bearer ${tokens.token}`, "content-type": "application/json", origin: "https://scanner-app.example" },
        body: JSON.stringify(eventInput()),
      }),
    );
    expect(response.status, await response.clone().text()).toBe(200);
  });

  it("a bearer token, whatever its scopes, can't sign the user out elsewhere (devices are browser-only)", async () => {
    const tokens = await signInApi(user.email, TEST_PASSWORD, { scopes: ["tickets:read", "orders:read", "checkin:write", "events:manage"] });
    const response = await trpcPOST(
      trpcRequest("devices.revokeOthers", { cookie: null, headers: { authorization: `Bearer ${tokens.token}`, "content-type": "application/json" }, body: "{}" }),
    );
    expect(response.status).toBe(403);
    expect(await findLiveBrowserSession(db, other.secret)).toBeDefined();
  });

  it("anonymous cross-site mutations (e.g. register) are refused too", async () => {
    const response = await trpcPOST(
      trpcRequest("auth.register", {
        cookie: null,
        headers: { "content-type": "application/json", origin: "https://evil.example", "sec-fetch-site": "cross-site" },
        body: JSON.stringify({ name: "X", email: "csrf@example.test", password: "long-enough-pw" }),
      }),
    );
    expect(response.status).toBe(403);
  });
});

describe("tRPC over HTTP: errors", () => {
  it("zod errors come back as 400 with per-field messages in data.fields", async () => {
    const response = await trpcPOST(
      trpcRequest("auth.register", { cookie: null, headers: sameOriginJson, body: JSON.stringify({ name: "", email: "not-an-email", password: "short" }) }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as TrpcError;
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(body.error.data.httpStatus).toBe(400);
    expect(body.error.data.path).toBe("auth.register");
    expect(Object.keys(body.error.data.fields ?? {}).sort()).toEqual(["email", "name", "password"]);
    expect(body.error.data.fields!.password).toMatch(/8/);
    expect(JSON.stringify(body)).not.toMatch(/stack|node_modules/);
  });

  it("wrong types and missing input are per-field 400s, not 500s", async () => {
    for (const body of ['{"name":1,"email":[],"password":{}}', "{}", "null"]) {
      const response = await trpcPOST(trpcRequest("auth.register", { cookie: null, headers: sameOriginJson, body }));
      expect(response.status, body).toBe(400);
      const json = (await response.json()) as TrpcError;
      expect(json.error.data.fields, body).toBeDefined();
    }
  });

  it("malformed JSON is a 400, never a 500", async () => {
    const response = await trpcPOST(trpcRequest("auth.register", { cookie: null, headers: sameOriginJson, body: "{nope" }));
    expect(response.status).toBe(400);
  });

  it("an oversized body is 413 in the contract's error shape", async () => {
    const body = JSON.stringify({ name: "x".repeat(300 * 1024), email: "a@b.c", password: "long-enough-pw" });
    const response = await trpcPOST(trpcRequest("auth.register", { cookie: null, headers: { ...sameOriginJson, accept: "application/json" }, body }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("a dead cookie is anonymous (401 on an authed procedure), a dead Bearer token is 401 everywhere", async () => {
    const anon = await trpcGET(trpcRequest("devices.list", { method: "GET", cookie: "dead-cookie" }));
    expect(anon.status).toBe(401);
    const me = await trpcGET(trpcRequest("auth.me", { method: "GET", cookie: "dead-cookie" }));
    expect(me.status).toBe(200);
    const bearer = await trpcGET(trpcRequest("auth.me", { method: "GET", cookie: null, headers: { authorization: "Bearer junk" } }));
    expect(bearer.status).toBe(401);
  });
});
