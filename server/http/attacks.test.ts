import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as exportCsv } from "@/app/api/events/[eventId]/attendees.csv/route";
import { POST as checkinPOST } from "@/app/api/v1/checkin/route";
import { GET as orderGET } from "@/app/api/v1/orders/[orderIdentifier]/route";
import { POST as refreshPOST } from "@/app/api/v1/auth/refresh/route";
import { POST as tokenPOST } from "@/app/api/v1/auth/token/route";
import { GET as trpcGET, POST as trpcPOST } from "@/app/api/trpc/[trpc]/route";
import { GET as ticketsGET } from "@/app/tickets/[orderIdentifier]/route";
import { execute, openDb } from "@/db/client";
import { dialect } from "@/db/dialect";
import { users } from "@/db/schema";
import { authenticateRequest } from "@/server/auth/caller";
import { getMe } from "@/server/testing/auth-http";
import { config, loadConfig } from "@/server/config";
import { createAppServer, MAX_REQUEST_BODY_BYTES } from "@/server/http/front-door";
import { MAX_TRPC_BATCH_CALLS } from "@/lib/trpc-limits";
import { deliverMail, outboxDir } from "@/server/mail";
import { randomId } from "@/server/ids";
import { chunkedBody, streamedInit } from "@/server/testing/bodies";
import { rawHttp } from "@/server/testing/raw-http";
import { buildWorld, type World } from "@/server/testing/world";
import { cachedPdfPath, ticketPdf } from "@/server/tickets/cache";
import { printedTicketsFor } from "@/server/tickets/printed";

/**
 * The attack suite: what an attacker tried against the demo, one test per finding, each named
 * after it. HTTP-level twins against the real production server are in e2e/attacks.spec.ts;
 * Auth.js's own endpoints are attacked in server/auth/nextauth.test.ts, the CSV stream in
 * server/attendees/csv-export.test.ts.
 */

const MiB = 1024 * 1024;
const SECURITY_HEADER_NAMES = ["x-content-type-options", "referrer-policy", "x-frame-options", "content-security-policy"];

type Params = { params: Promise<Record<string, string>> };
const noParams: Params = { params: Promise.resolve({}) };
const url = (p: string) => `http://localhost${p}`;

let world: World;
beforeEach(async () => {
  world = await buildWorld(path.join(mkdtempSync(path.join(tmpdir(), "admit-attacks-")), "attacks.db"));
  // Expected failures (SQLite errors before the fix, tRPC's own logging) stay out of the output.
  vi.spyOn(console, "error").mockImplementation(() => {});
});

const cookieHeaders = async (role: Parameters<World["cookieFor"]>[0]) => ({ cookie: `admit.session=${(await world.cookieFor(role)).cookie}` });

/** A tRPC query over HTTP, through the real route handler. */
function trpcQuery(procedure: string, input: unknown, headers: Record<string, string> = {}) {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return trpcGET(new Request(url(`/api/trpc/${procedure}${query}`), { headers }));
}

/** Same-origin JSON POST, as the app's own pages send it. */
function trpcPost(pathAndQuery: string, body: unknown, headers: Record<string, string> = {}) {
  return trpcPOST(
    new Request(url(`/api/trpc/${pathAndQuery}`), {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost", "sec-fetch-site": "same-origin", ...headers },
      body: JSON.stringify(body),
    }),
  );
}

describe("finding 1: unbounded bodies are refused before parsing (413 PAYLOAD_TOO_LARGE)", () => {
  const posts: [string, (request: Request) => Promise<Response>][] = [
    ["tRPC", (r) => trpcPOST(r)],
    ["POST /api/v1/auth/token", (r) => tokenPOST(r, noParams as never)],
    ["POST /api/v1/auth/refresh", (r) => refreshPOST(r, noParams as never)],
  ];
  for (const [name, handler] of posts) {
    it(`${name}: a chunked body without length is counted while read and cut off at the cap`, async () => {
      const { body, pulledBytes } = chunkedBody(8 * MiB);
      const response = await handler(new Request(url("/api/trpc/auth.register"), streamedInit("POST", body, { "content-type": "application/json", origin: "http://localhost" })));
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
      expect(pulledBytes()).toBeLessThan(MiB);
    });
  }

  it("POST /api/v1/checkin: a bearer's oversized body is refused too", async () => {
    const token = await world.bearerFor("registrar", ["checkin:write"]);
    const { body, pulledBytes } = chunkedBody(8 * MiB);
    const response = await checkinPOST(new Request(url("/api/v1/checkin"), streamedInit("POST", body, { "content-type": "application/json", authorization: `Bearer ${token}` })), noParams as never);
    expect(response.status).toBe(413);
    expect(pulledBytes()).toBeLessThan(MiB);
  });
});

describe("the front door (scripts/serve.ts): hostile requests never reach Next.js", () => {
  let server: Server;
  let port: number;
  const handled: string[] = [];
  const start = async (appUrl: string | undefined) => {
    server = createAppServer(
      async (req, res) => {
        handled.push(`${req.method} ${req.url}`);
        res.end("from next");
      },
      { appUrl, trustProxy: false },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  };
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  beforeAll(() => start("https://tickets.example.test"));
  afterAll(stop);
  beforeEach(() => {
    handled.length = 0;
  });

  const malformed = ["/tickets/%E0%A4%A", "/tickets/%E0%A4%A/x", "/orders/%E0%A4%A", "/events/%E0%A4%A", "/api/v1/orders/%E0%A4%A", "/api/trpc/%E0%A4%A", "/api/auth/%E0%A4%A", "/dashboard/events/%C0%AF", "/%FF?x=1"];
  it("finding 2, malformed percent-encoding: every malformed path is a 400 in the error contract with the security headers", async () => {
    for (const target of malformed) {
      const response = await rawHttp(port, "GET", target, { accept: "application/json" });
      expect(response.status, target).toBe(400);
      expect(JSON.parse(response.body), target).toMatchObject({ error: { code: "BAD_REQUEST", message: expect.stringContaining("percent-encoding") } });
      for (const name of SECURITY_HEADER_NAMES) expect(response.headers[name], `${target} ${name}`).toBeTruthy();
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.headers["content-security-policy"]).toContain("default-src 'none'");
    }
    expect(handled).toEqual([]);
  });

  it("finding 2, malformed percent-encoding: a browser gets a readable page with the same status", async () => {
    const response = await rawHttp(port, "GET", "/orders/%E0%A4%A", { accept: "text/html,application/xhtml+xml" });
    expect(response.status).toBe(400);
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(response.body).toContain("Error 400");
    expect(response.headers["x-frame-options"]).toBe("DENY");
  });

  it("finding 2, malformed percent-encoding: well-formed encodings still reach the app", async () => {
    for (const target of ["/tickets/%41bc", "/events/caf%C3%A9", "/api/trpc/auth.me?input=%7B%7D&x=%E0"]) {
      expect((await rawHttp(port, "GET", target)).body).toBe("from next");
    }
    expect(handled).toHaveLength(3);
  });

  it("finding 2, unknown methods: TRACE and every other method the app doesn't use is 405 with Allow", async () => {
    for (const method of ["TRACE", "OPTIONS", "PUT", "DELETE", "PATCH", "PROPFIND"]) {
      const response = await rawHttp(port, method, "/", { accept: "application/json" });
      expect(response.status, method).toBe(405);
      expect(response.headers.allow).toBe("GET, HEAD, POST");
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: "METHOD_NOT_ALLOWED" } });
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
    }
    expect(handled).toEqual([]);
  });

  it("finding 1, unbounded bodies: a Content-Length larger than any endpoint accepts is a 413 before Next.js reads it", async () => {
    const response = await rawHttp(port, "POST", "/api/auth/callback/credentials", { "content-length": String(100 * MiB), "content-type": "application/x-www-form-urlencoded" });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    const fits = await rawHttp(port, "POST", "/api/trpc/auth.me", { "content-length": "0" });
    expect(fits.body).toBe("from next");
    expect(handled).toEqual(["POST /api/trpc/auth.me"]);
    expect(MAX_REQUEST_BODY_BYTES).toBeLessThan(100 * MiB);
  });

  it("finding 6, HSTS: with an https APP_URL every answer (the app's and the door's own) pins browsers to https", async () => {
    const passed = await rawHttp(port, "GET", "/");
    expect(passed.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    const refused = await rawHttp(port, "TRACE", "/");
    expect(refused.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  });

  it("finding 6, HSTS: not with an http APP_URL (local demos) or none", async () => {
    for (const appUrl of ["http://localhost:3000", undefined]) {
      await stop();
      await start(appUrl);
      expect((await rawHttp(port, "GET", "/")).headers["strict-transport-security"], String(appUrl)).toBeUndefined();
    }
    await stop();
    await start("https://tickets.example.test");
  });

  it("a client-sent X-Forwarded-For never reaches the app unless TRUST_PROXY is set", async () => {
    let seen: string | undefined = "unset";
    const spy = createAppServer(
      async (req, res) => {
        seen = req.headers["x-forwarded-for"] as string | undefined;
        res.end();
      },
      { trustProxy: false },
    );
    await new Promise<void>((resolve) => spy.listen(0, "127.0.0.1", resolve));
    await rawHttp((spy.address() as AddressInfo).port, "GET", "/", { "x-forwarded-for": "203.0.113.9" });
    await new Promise<void>((resolve) => spy.close(() => resolve()));
    expect(seen).toBeUndefined();
  });
});

describe("finding 2: a malformed session cookie is treated as absent", () => {
  const malformed = { cookie: "admit.session=%E0%A4%A" };

  it("authenticating the request: anonymous, not an exception", async () => {
    expect(await authenticateRequest(world.db, new Headers(malformed))).toEqual({ kind: "anonymous" });
  });

  it("tRPC: a public query answers as for a signed-out visitor", async () => {
    const response = await trpcQuery("auth.me", undefined, malformed);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { data: unknown } }).result.data).toBeNull();
  });

  it("route handlers: a cookie-or-bearer route says 401, not 500", async () => {
    const tickets = await ticketsGET(new Request(url(`/tickets/${world.order.id}`), { headers: { ...malformed, accept: "application/json" } }), {
      params: Promise.resolve({ orderIdentifier: world.order.id }),
    });
    expect(tickets.status).toBe(401);
    const csv = await exportCsv(new Request(url(`/api/events/${world.event.id}/attendees.csv`), { headers: malformed }), { params: Promise.resolve({ eventId: world.event.id }) });
    expect(csv.status).toBe(401);
  });
});

describe("finding 2: control characters in a search are 400 naming the field", () => {
  const evil = ["ab\u0000cd", "\u0000", "Zo\u0007e", "name\u001bx"];

  it("the roster search (attendees.list, whose full-text query SQLite refused with a 500)", async () => {
    for (const search of evil) {
      const response = await trpcQuery("attendees.list", { eventId: world.event.id, search }, await cookieHeaders("organizer"));
      const text = await response.text();
      expect(response.status, JSON.stringify(search)).toBe(400);
      expect(JSON.parse(text).error.data.fields.search).toBe("Search must not contain control characters");
      expect(text).not.toMatch(/sqlite|fts5|syntax/i);
    }
  });

  it("every other search box: door list, orders, admin users and events", async () => {
    const cases: [string, object, Parameters<World["cookieFor"]>[0]][] = [
      ["attendees.forCheckIn", { eventId: world.event.id }, "registrar"],
      ["attendees.orders", { eventId: world.event.id }, "organizer"],
      ["admin.users", {}, "staff"],
      ["admin.events", {}, "staff"],
    ];
    for (const [procedure, input, role] of cases) {
      const response = await trpcQuery(procedure, { ...input, search: "ab\u0000cd" }, await cookieHeaders(role));
      expect(response.status, procedure).toBe(400);
      expect(((await response.json()) as { error: { data: { fields: Record<string, string> } } }).error.data.fields.search, procedure).toBeDefined();
    }
  });

  it("ordinary text with spaces, quotes and wildcards still searches", async () => {
    const response = await trpcQuery("attendees.list", { eventId: world.event.id, search: `  "50%_off" O'Brien ` }, await cookieHeaders("organizer"));
    expect(response.status).toBe(200);
  });

  it("the CSV export: 400 naming the field instead of a download that breaks off", async () => {
    const response = await exportCsv(
      new Request(url(`/api/events/${world.event.id}/attendees.csv?search=${encodeURIComponent("ab\u0000cd")}`), { headers: { ...(await cookieHeaders("organizer")), accept: "application/json" } }),
      { params: Promise.resolve({ eventId: world.event.id }) },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "BAD_REQUEST", fields: { search: "Search must not contain control characters" } } });
  });

  it("an unexpected error's message (SQL, paths) never reaches a tRPC client", async () => {
    // Roster search breaks: its FTS5 table gone (SQLite), its folding function renamed (PostgreSQL).
    if (dialect === "postgres") await execute(world.db, sql`ALTER FUNCTION admit_fold(text) RENAME TO admit_fold_gone`);
    else await execute(world.db, sql`DROP TABLE attendees_search`);
    try {
      const broken = await trpcQuery("attendees.list", { eventId: world.event.id, search: "holder" }, await cookieHeaders("organizer"));
      const text = await broken.text();
      expect(broken.status).toBe(500);
      expect(JSON.parse(text).error.message).toBe("Something went wrong on our side");
      expect(text).not.toMatch(/attendees_search|no such table|admit_fold|does not exist/i);
    } finally {
      if (dialect === "postgres") await execute(world.db, sql`ALTER FUNCTION admit_fold_gone(text) RENAME TO admit_fold`);
    }
  });
});

describe("finding 3: every tRPC answer, and every answer that depends on who asks, is private, no-store", () => {
  const expectPrivate = (response: Response, what: string) => expect(response.headers.get("cache-control"), what).toBe("private, no-store");

  it("tRPC queries, mutations, errors and batches", async () => {
    expectPrivate(await trpcQuery("auth.me", undefined, await cookieHeaders("buyer")), "query");
    expectPrivate(await trpcQuery("attendees.list", { eventId: world.event.id }, await cookieHeaders("organizer")), "query with attendee emails");
    expectPrivate(await trpcQuery("attendees.list", { eventId: world.event.id }), "401");
    expectPrivate(await trpcQuery("attendees.list", { eventId: world.event.id, page: 0 }, await cookieHeaders("organizer")), "400");
    expectPrivate(await trpcQuery("no.such.procedure", undefined), "404");
    expectPrivate(await trpcPost("devices.revokeOthers", {}, await cookieHeaders("buyer")), "mutation");
    expectPrivate(await trpcGET(new Request(url(`/api/trpc/auth.me,auth.me?batch=1&input=${encodeURIComponent("{}")}`), { headers: await cookieHeaders("buyer") })), "batch");
    const { body } = chunkedBody(MiB);
    expectPrivate(await trpcPOST(new Request(url("/api/trpc/auth.register"), streamedInit("POST", body, { "content-type": "application/json" }))), "413");
  });

  it("JSON route handlers: answers and errors", async () => {
    const token = await world.bearerFor("buyer");
    expectPrivate(await getMe({ headers: { authorization: `Bearer ${token}` } }), "GET /api/v1/me");
    expectPrivate(await getMe(), "401");
    expectPrivate(await orderGET(new Request(url(`/api/v1/orders/${world.order.id}`), { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ orderIdentifier: world.order.id }) }), "an order");
    expectPrivate(await tokenPOST(new Request(url("/api/v1/auth/token"), { method: "POST", headers: { "content-type": "application/json" }, body: "{" }), noParams as never), "400");
  });
});

describe("finding 4: tRPC batches are capped", () => {
  const batchOf = (n: number, procedure: string) => Array.from({ length: n }, () => procedure).join(",");

  it(`a batch of ${MAX_TRPC_BATCH_CALLS + 1} calls is refused with a 400 before any call runs`, async () => {
    const emails = Array.from({ length: MAX_TRPC_BATCH_CALLS + 1 }, (_, i) => `batch-${i}-${Date.now()}@attack.test`);
    const body = Object.fromEntries(emails.map((email, i) => [i, { name: "Batch", email, password: "batch-password-1" }]));
    const response = await trpcPost(`${batchOf(emails.length, "auth.register")}?batch=1`, body);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.stringify(await response.json())).toMatch(/batch/i);
    expect((await world.db.select().from(users).where(inArray(users.email, emails)))).toEqual([]);
  });

  it(`a batch of ${MAX_TRPC_BATCH_CALLS} calls (what the app's own batch link sends at most) runs`, async () => {
    const input = Object.fromEntries(Array.from({ length: MAX_TRPC_BATCH_CALLS }, (_, i) => [i, {}]));
    const response = await trpcGET(new Request(url(`/api/trpc/${batchOf(MAX_TRPC_BATCH_CALLS, "auth.me")}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`), { headers: await cookieHeaders("buyer") }));
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveLength(MAX_TRPC_BATCH_CALLS);
  });
});

describe("finding 5: the Bearer scheme name is case-insensitive", () => {
  it("bearer, BEARER and Bearer all authenticate", async () => {
    const token = await world.bearerFor("buyer");
    for (const scheme of ["bearer", "BEARER", "Bearer", "bEaReR"]) {
      const response = await getMe({ headers: { authorization: `${scheme} ${token}` } });
      expect(response.status, scheme).toBe(200);
      expect(((await response.json()) as { id: string }).id).toBe(world.users.buyer.id);
    }
  });

  it("another scheme, or a bearer with no token, is still 401", async () => {
    const token = await world.bearerFor("buyer");
    for (const header of [`Basic ${token}`, "bearer", `bearer${token}`, `Token ${token}`]) {
      expect((await getMe({ headers: { authorization: header } })).status, header).toBe(401);
    }
  });
});

describe("finding 7: data files are readable by the server's user only", () => {
  const modeOf = (file: string) => statSync(file).mode & 0o777;

  it("the data dir is 0700 and the generated secret 0600, including ones an older version left open", () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), "admit-modes-")), "data");
    loadConfig({ NODE_ENV: "development", DATA_DIR: dataDir });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(path.join(dataDir, "auth-secret"))).toBe(0o600);

    const oldDir = path.join(mkdtempSync(path.join(tmpdir(), "admit-modes-")), "data");
    mkdirSync(oldDir, { mode: 0o755 });
    chmodSync(oldDir, 0o755);
    writeFileSync(path.join(oldDir, "auth-secret"), "x".repeat(48), { mode: 0o644 });
    chmodSync(path.join(oldDir, "auth-secret"), 0o644);
    loadConfig({ NODE_ENV: "development", DATA_DIR: oldDir });
    expect(modeOf(oldDir)).toBe(0o700);
    expect(modeOf(path.join(oldDir, "auth-secret"))).toBe(0o600);
  });

  it.skipIf(dialect === "postgres")("the database and its -wal and -shm files are 0600 from their first open, and an old 0644 database is tightened", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "admit-modes-"));
    const file = path.join(dir, "sub", "admit.db");
    const db = openDb(file);
    await execute(db, sql`CREATE TABLE probe (x)`);
    await execute(db, sql`INSERT INTO probe VALUES (1)`);
    for (const each of [file, `${file}-wal`, `${file}-shm`]) {
      expect(existsSync(each), each).toBe(true);
      expect(modeOf(each), each).toBe(0o600);
    }
    expect(modeOf(path.dirname(file))).toBe(0o700);
    await db.$admit.close();

    chmodSync(file, 0o644);
    await openDb(file).$admit.close();
    expect(modeOf(file)).toBe(0o600);
  });

  it("outbox mails and their folder", async () => {
    const dir = outboxDir();
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    const before = new Set(readdirSync(dir));
    await deliverMail({ to: "modes@attack.test", subject: "Modes", text: "secret link" }, randomId());
    expect(modeOf(dir)).toBe(0o700);
    const written = readdirSync(dir).filter((name) => !before.has(name));
    expect(written).toHaveLength(1);
    expect(modeOf(path.join(dir, written[0]))).toBe(0o600);
  });

  it("cached ticket PDFs and their folders", async () => {
    const tickets = await printedTicketsFor(world.db, world.order.id, [world.order.buyerAttendeeId]);
    await ticketPdf(tickets);
    const file = cachedPdfPath(tickets);
    expect(modeOf(file)).toBe(0o600);
    for (let dir = path.dirname(file); dir.startsWith(config().dataDir + path.sep); dir = path.dirname(dir)) {
      expect(modeOf(dir), dir).toBe(0o700);
    }
    expect(modeOf(config().dataDir)).toBe(0o700);
  });
});
