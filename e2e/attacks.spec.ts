import { readdirSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { inArray } from "drizzle-orm";
import { openDb, type AppDb } from "@/db/client";
import { eventMembers, users, type User } from "@/db/schema";
import { createUser } from "@/server/auth/accounts";
import { createBrowserSession } from "@/server/auth/sessions";
import { rawHttp } from "@/server/testing/raw-http";
import { insertEvent, insertOrder } from "@/server/testing/inserts";
import { registerViaApi, signIn } from "./support";

/**
 * The attack suite's HTTP-level half, against the production build behind scripts/serve.ts: what
 * an attacker tried against the demo, one test per finding. Malformed request lines go over a raw
 * socket (server/testing/raw-http.ts), since HTTP clients normalize them. The function-level half
 * is server/http/attacks.test.ts.
 */

const PORT = Number(process.env.E2E_PORT ?? 3100);
const DATA_DIR = path.resolve(".e2e-data");
const DB_FILE = path.join(DATA_DIR, "admit.db");
const PASSWORD = "e2e-password-123";
const MiB = 1024 * 1024;
const suffix = Date.now().toString(36);

let db: AppDb;
let organizer: User;
let event: { id: string; slug: string };
let orderId: string;
let organizerCookie: string;

test.beforeAll(async () => {
  // The server has already migrated this file; WAL lets both processes use it.
  db = openDb(DB_FILE, { migrate: false });
  organizer = await createUser(db, { email: `attack-organizer-${suffix}@e2e.test`, name: "Otto Organizer", password: PASSWORD, verified: true });
  event = (await insertEvent(db, "E2E Attack Conf"));
  await db.insert(eventMembers).values({ eventId: event.id, userId: organizer.id, role: "owner", createdAt: Date.now() });
  orderId = (await insertOrder(db, await insertEvent(db, "E2E Attack Order Conf"), organizer, [{ name: "Otto Organizer", email: organizer.email }])).id;
  organizerCookie = `admit.session=${(await createBrowserSession(db, organizer.id, { device: "e2e", ip: "127.0.0.1" })).secret}`;
});

test.afterAll(() => db?.$admit.close());

/** Streams `totalBytes` with no Content-Length (chunked) and reports how much was sent when the answer came. */
function postChunked(pathname: string, totalBytes: number, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; sentWhenAnswered: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = http.request({ host: "127.0.0.1", port: PORT, path: pathname, method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers } }, (response) => {
      answered = true;
      const sentWhenAnswered = sent;
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => {
        request.destroy();
        resolve({ status: response.statusCode!, body, sentWhenAnswered });
      });
    });
    // The server may close the connection on the rest of the body; the answer is what counts.
    request.on("error", (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, "a");
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once("drain", pump);
      }
      if (!answered) request.end();
    };
    pump();
  });
}

test.describe("finding 1: unbounded bodies", () => {
  test("a 100 MiB chunked form to Auth.js's sign-in is refused with 413 long before it is all sent", async () => {
    const answer = await postChunked("/api/auth/callback/credentials", 100 * MiB);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.any(String) } });
    expect(answer.sentWhenAnswered).toBeLessThan(100 * MiB);
  });

  test("a declared 100 MiB Content-Length is refused before a byte of it is read", async () => {
    for (const target of ["/api/auth/callback/credentials", "/api/trpc/auth.register", "/signin"]) {
      const answer = await rawHttp(PORT, "POST", target, { "content-length": String(100 * MiB), "content-type": "application/x-www-form-urlencoded" });
      expect(answer.status, target).toBe(413);
      expect(JSON.parse(answer.body), target).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    }
  });

  test("a chunked JSON body to tRPC and to the token endpoint is cut off at their caps", async () => {
    for (const target of ["/api/trpc/auth.register", "/api/v1/auth/token"]) {
      const answer = await postChunked(target, 20 * MiB, { "content-type": "application/json", origin: `http://localhost:${PORT}` });
      expect(answer.status, target).toBe(413);
      expect(answer.sentWhenAnswered, target).toBeLessThan(20 * MiB);
    }
  });
});

test.describe("finding 2: no 5xx from input", () => {
  const MALFORMED = ["/tickets/%E0%A4%A", "/tickets/%E0%A4%A/x", "/orders/%E0%A4%A", "/events/%E0%A4%A", "/api/v1/orders/%E0%A4%A", "/api/trpc/%E0%A4%A", "/api/auth/%E0%A4%A", "/dashboard/events/%E0%A4%A", "/orders/%C0%AF"];

  test("malformed percent-encoding in a dynamic path: 400 with the security headers and the error contract", async () => {
    for (const target of MALFORMED) {
      const answer = await rawHttp(PORT, "GET", target, { accept: "application/json" });
      expect(answer.status, target).toBe(400);
      expect(JSON.parse(answer.body), target).toMatchObject({ error: { code: "BAD_REQUEST" } });
      expect(answer.headers["x-content-type-options"], target).toBe("nosniff");
      expect(answer.headers["referrer-policy"], target).toBe("strict-origin-when-cross-origin");
      expect(answer.headers["x-frame-options"], target).toBe("DENY");
      expect(answer.headers["content-security-policy"], target).toContain("default-src 'none'");
    }
  });

  test("malformed percent-encoding: a browser gets a readable page", async () => {
    const answer = await rawHttp(PORT, "GET", "/tickets/%E0%A4%A", { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toContain("text/html");
    expect(answer.body).toContain("That request wasn");
  });

  test("a malformed session cookie: every page, sign-in included, renders for a signed-out visitor", async ({ request }) => {
    const headers = { cookie: "admit.session=%E0%A4%A" };
    for (const page of ["/", "/signin", "/register", `/events/${event.slug}`, "/tickets", "/devices", "/dashboard"]) {
      const response = await request.get(page, { headers, maxRedirects: 0 });
      expect(response.status(), page).toBeLessThan(500);
    }
    expect((await request.get("/signin", { headers })).status()).toBe(200);
    const me = await request.get("/api/trpc/auth.me", { headers });
    expect(me.status()).toBe(200);
    expect((await me.json()).result.data).toBeNull();
    expect((await request.get("/api/auth/session", { headers })).status()).toBe(200);
    expect((await request.get(`/tickets/${orderId}`, { headers: { ...headers, accept: "application/json" } })).status()).toBe(401);
  });

  test("a malformed session cookie: the browser that has it can still sign in", async ({ browser, baseURL }) => {
    const context = await browser.newContext();
    await context.addCookies([{ name: "admit.session", value: "%E0%A4%A", url: baseURL! }]);
    const page = await context.newPage();
    await signIn(page, { name: organizer.name, email: organizer.email }, PASSWORD);
    await context.close();
  });

  test("unknown methods: TRACE and friends are 405 with Allow", async () => {
    for (const target of ["/", "/signin", "/api/v1/me", "/api/trpc/auth.me", `/tickets/${orderId}`]) {
      for (const method of ["TRACE", "OPTIONS", "PUT", "DELETE"]) {
        const answer = await rawHttp(PORT, method, target, { accept: "application/json" });
        expect(answer.status, `${method} ${target}`).toBe(405);
        expect(answer.headers.allow).toBe("GET, HEAD, POST");
      }
    }
  });

  test("a NUL in the roster search is 400 naming the field, and shows no SQLite error", async ({ request }) => {
    const input = encodeURIComponent(JSON.stringify({ eventId: event.id, search: "ab\u0000cd" }));
    const response = await request.get(`/api/trpc/attendees.list?input=${input}`, { headers: { cookie: organizerCookie } });
    const text = await response.text();
    expect(response.status()).toBe(400);
    expect(JSON.parse(text).error.data.fields.search).toMatch(/control characters/);
    expect(text).not.toMatch(/sqlite|fts5/i);
  });

  test("a NUL in the CSV export's search is 400 naming the field (the connection no longer drops)", async ({ request }) => {
    const response = await request.get(`/api/events/${event.id}/attendees.csv?search=${encodeURIComponent("ab\u0000cd")}`, {
      headers: { cookie: organizerCookie, accept: "application/json" },
    });
    expect(response.status()).toBe(400);
    expect((await response.json()).error.fields.search).toMatch(/control characters/);
    const fine = await request.get(`/api/events/${event.id}/attendees.csv?search=otto`, { headers: { cookie: organizerCookie } });
    expect(fine.status()).toBe(200);
  });
});

test("finding 3: every tRPC answer (query, mutation, error, batch) is private, no-store", async ({ request }) => {
  const origin = `http://localhost:${PORT}`;
  const answers = {
    query: await request.get("/api/trpc/auth.me", { headers: { cookie: organizerCookie } }),
    "query with attendee emails": await request.get(`/api/trpc/attendees.list?input=${encodeURIComponent(JSON.stringify({ eventId: event.id }))}`, { headers: { cookie: organizerCookie } }),
    error: await request.get(`/api/trpc/attendees.list?input=${encodeURIComponent(JSON.stringify({ eventId: event.id }))}`),
    mutation: await request.post("/api/trpc/auth.verifyEmail", { headers: { origin, "content-type": "application/json" }, data: { token: "nope" } }),
    batch: await request.get(`/api/trpc/auth.me,auth.me?batch=1&input=${encodeURIComponent("{}")}`, { headers: { cookie: organizerCookie } }),
    "JSON route": await request.get("/api/v1/me"),
  };
  for (const [what, response] of Object.entries(answers)) expect(response.headers()["cache-control"], what).toBe("private, no-store");
});

test("finding 4: a tRPC batch of 11 calls is refused before any call runs", async ({ request }) => {
  const emails = Array.from({ length: 11 }, (_, i) => `batch-${i}-${suffix}@e2e.test`);
  const response = await request.post(`/api/trpc/${emails.map(() => "auth.register").join(",")}?batch=1`, {
    headers: { origin: `http://localhost:${PORT}`, "content-type": "application/json" },
    data: Object.fromEntries(emails.map((email, i) => [i, { name: "Batch", email, password: PASSWORD }])),
  });
  expect(response.status()).toBe(400);
  expect(await response.text()).toMatch(/batch/i);
  expect((await db.select().from(users).where(inArray(users.email, emails)))).toEqual([]);
});

test("finding 5: a lower-case `bearer` scheme authenticates", async ({ request }) => {
  const issued = await request.post("/api/v1/auth/token", { data: { email: organizer.email, password: PASSWORD } });
  expect(issued.status()).toBe(200);
  const { token } = await issued.json();
  for (const scheme of ["bearer", "BEARER"]) {
    const me = await request.get("/api/v1/me", { headers: { authorization: `${scheme} ${token}` } });
    expect(me.status(), scheme).toBe(200);
    expect((await me.json()).email).toBe(organizer.email);
  }
});

test("finding 6: no HSTS while APP_URL is plain http (the https case is in server/http/attacks.test.ts)", async ({ request }) => {
  for (const target of ["/", "/api/v1/me"]) expect((await request.get(target)).headers()["strict-transport-security"], target).toBeUndefined();
});

test("finding 7: the data dir, database, outbox and ticket cache are readable by the server's user only", async ({ request, baseURL }) => {
  const modeOf = (file: string) => statSync(file).mode & 0o777;
  // Something in the outbox and the ticket cache first.
  const email = `modes-${suffix}@e2e.test`;
  await registerViaApi(request, baseURL!, { name: "Mo Modes", email }, PASSWORD);
  expect((await request.get(`/tickets/${orderId}`, { headers: { cookie: organizerCookie } })).status()).toBe(200);

  expect(modeOf(DATA_DIR)).toBe(0o700);
  for (const file of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) expect(modeOf(file), file).toBe(0o600);
  const outbox = path.join(DATA_DIR, "outbox");
  expect(modeOf(outbox)).toBe(0o700);
  const mails = readdirSync(outbox);
  expect(mails.length).toBeGreaterThan(0);
  for (const mail of mails) expect(modeOf(path.join(outbox, mail)), mail).toBe(0o600);
  const cache = path.join(DATA_DIR, "tickets");
  expect(modeOf(cache)).toBe(0o700);
  const pdfs = readdirSync(cache, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".pdf"));
  expect(pdfs.length).toBeGreaterThan(0);
  for (const pdf of pdfs) {
    expect(modeOf(path.join(cache, pdf)), pdf).toBe(0o600);
    expect(modeOf(path.dirname(path.join(cache, pdf))), pdf).toBe(0o700);
  }
});
