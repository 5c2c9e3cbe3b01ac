import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as checkinPOST } from "@/app/api/v1/checkin/route";
import { GET as getOrderTickets } from "@/app/tickets/[orderIdentifier]/route";
import { execute, openDb, setDb, transaction, type AppDb } from "@/db/client";
import { dialect } from "@/db/dialect";
import { attendees, checkins, orders, rateLimitHits } from "@/db/schema";
import { createAppServer } from "@/server/http/front-door";
import { trpcMutation } from "@/server/testing/attacks";
import { apiRequest } from "@/server/testing/auth-http";
import { TcpProxy } from "@/server/testing/tcp-proxy";
import { buildWorld, type World } from "@/server/testing/world";
import { mkdtempSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Faults of the database under requests, which answer 503 with Retry-After (never 500), change
 * nothing, and succeed by themselves once the fault is gone:
 * - another connection (a backup, a migration, a stuck process) holds the locks a request needs
 *   longer than the busy timeout (SQLite's write lock; PostgreSQL table locks, as a migration
 *   takes them), on both dialects;
 * - PostgreSQL restarting: its connections cut, new ones refused, a query under way terminated.
 */
let world: World;
/** The app's connection (the one route handlers use), with a short busy timeout. */
let app: AppDb;
/** Another connection, holding locks. */
let locker: AppDb;

beforeAll(async () => {
  world = await buildWorld(path.join(mkdtempSync(path.join(tmpdir(), "admit-busy-")), "busy.db"));
  // Five seconds in production (db/client.ts BUSY_TIMEOUT_MS); the test needn't wait that long.
  app = openDb(world.db.$admit.location, { migrate: false, busyTimeoutMs: 50 });
  locker = openDb(world.db.$admit.location, { migrate: false });
  setDb(app);
});
afterAll(async () => {
  setDb(world.db);
  await app.$admit.close();
  await locker.$admit.close();
});

// Every table a request may write.
const TABLES = ["users", "sessions", "refresh_tokens", "events", "event_members", "ticket_types", "orders", "attendees", "checkins", "ticket_downloads", "audit_log", "email_links", "rate_limit_hits", "mail_queue"];

/**
 * Runs `during` while the locker holds the write locks: on SQLite its transaction alone does
 * (BEGIN IMMEDIATE takes the database's one write lock); on PostgreSQL it locks every table the
 * way a migration does, against writes (reads go on, as they do on SQLite in WAL mode).
 */
async function holdWriteLock<T>(during: () => Promise<T>): Promise<T> {
  return transaction(locker, async (tx) => {
    if (dialect === "postgres") await execute(tx, sql.raw(`LOCK TABLE ${TABLES.join(", ")} IN EXCLUSIVE MODE`));
    return during();
  });
}

async function expectBusy(response: Response, readCode: (body: unknown) => unknown) {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  expect(readCode(await response.json())).toBe("SERVICE_UNAVAILABLE");
}

const restCode = (body: unknown) => (body as { error: { code: string } }).error.code;
const trpcCode = (body: unknown) => (body as { error: { data: { code: string } } }).error.data.code;

const checkinsOf = async (attendeeId: string) => (await world.db.select({ n: count() }).from(checkins).where(eq(checkins.attendeeId, attendeeId)))[0].n;
const orderCount = async () => (await world.db.select({ n: count() }).from(orders))[0].n;
const checkedInAt = async (attendeeId: string) => (await world.db.select({ at: attendees.checkedInAt }).from(attendees).where(eq(attendees.id, attendeeId)))[0].at;

function scan(token: string, secret: string) {
  return checkinPOST(apiRequest("/api/v1/checkin", "POST", { body: { secret }, headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({}),
  });
}

function download(cookie: string, accept?: string) {
  const headers: Record<string, string> = { cookie: `admit.session=${cookie}` };
  if (accept) headers.accept = accept;
  return getOrderTickets(new Request(`http://localhost/tickets/${world.order.id}`, { headers }), {
    params: Promise.resolve({ orderIdentifier: world.order.id }),
  });
}

async function orderInput() {
  return {
    eventId: world.event.id,
    items: [{ ticketTypeId: world.event.ticketTypeId, quantity: 1 }],
    attendees: [{ ticketTypeId: world.event.ticketTypeId, name: "Patient Buyer", email: world.users.user.email }],
  };
}

describe("the database locked beyond the busy timeout", () => {
  it("a check-in answers 503 with Retry-After, counts nothing, and goes through once the lock is released", async () => {
    const token = await world.bearerFor("registrar", ["checkin:write"]);
    await holdWriteLock(async () => expectBusy(await scan(token, world.order.holderSecret), restCode));
    expect(await checkedInAt(world.order.holderAttendeeId)).toBeNull();
    expect(await checkinsOf(world.order.holderAttendeeId)).toBe(0);

    const response = await scan(token, world.order.holderSecret);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe("checked_in");
  });

  it("placing an order through tRPC answers 503 with Retry-After and places nothing, then succeeds", async () => {
    const { cookie } = await world.cookieFor("user");
    const input = await orderInput();
    const ordersBefore = await orderCount();
    await holdWriteLock(async () => expectBusy(await trpcMutation("orders.place", input, { cookie }), trpcCode));
    expect(await orderCount()).toBe(ordersBefore);

    const response = await trpcMutation("orders.place", input, { cookie });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await orderCount()).toBe(ordersBefore + 1);
  });

  it("a ticket download (it writes its audit row) answers 503 with Retry-After, then the PDF", async () => {
    const { cookie } = await world.cookieFor("buyer");
    await holdWriteLock(async () => expectBusy(await download(cookie), restCode));
    const response = await download(cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
  });

  it("a browser following a link gets a readable 503 page", async () => {
    const { cookie } = await world.cookieFor("buyer");
    const response = await holdWriteLock(() => download(cookie, "text/html"));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await response.text()).toContain("Busy right now");
  });

  it("a page whose render met the busy database answers 503 with Retry-After, not the 500 of its error page", async () => {
    // What Next.js does with a server component that throws: its error page, status 500.
    const page = async (_request: IncomingMessage, response: ServerResponse) => {
      try {
        await app.insert(rateLimitHits).values({ key: "page-render", at: Date.now() });
        response.writeHead(200, { "Content-Type": "text/html" }).end("<p>the page</p>");
      } catch {
        response.statusCode = 500;
        response.end("<p>Something went wrong</p>");
      }
    };
    const server = createAppServer(page, { trustProxy: false });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard`;
    try {
      const busy = await holdWriteLock(() => fetch(url));
      expect(busy.status).toBe(503);
      expect(busy.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      // The same page once the lock is gone.
      expect((await fetch(url)).status).toBe(200);
    } finally {
      server.close();
    }
  });

  it("a page that fails for any other reason stays a 500", async () => {
    const server = createAppServer(async (_request, response) => {
      response.statusCode = 500;
      response.end("<p>Something went wrong</p>");
    }, { trustProxy: false });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard`);
      expect(response.status).toBe(500);
      expect(response.headers.get("retry-after")).toBeNull();
    } finally {
      server.close();
    }
  });
});

// SQLite is a file in the server's own process: there is no database server to restart.
describe.skipIf(dialect !== "postgres")("PostgreSQL restarting under the app", () => {
  it("a query under way is terminated, the connections are cut and new ones refused: requests answer 503 with Retry-After, and the same requests succeed once it is back", { timeout: 60_000 }, async () => {
    const server = new URL(world.db.$admit.location);
    const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port) });
    // Named, so the "restart" terminates this app's connections only; a lock wait as long as a
    // request may take, so the query under way is still waiting when the server terminates it.
    const url = new URL(proxy.urlThrough(world.db.$admit.location));
    url.searchParams.set("application_name", "restarting-app");
    const restarting = openDb(url.toString(), { migrate: false, busyTimeoutMs: 60_000 });
    setDb(restarting);
    try {
      const token = await world.bearerFor("registrar", ["checkin:write"]);
      const [{ secret }] = await world.db.select({ secret: attendees.checkinSecret }).from(attendees).where(eq(attendees.id, world.order.buyerAttendeeId));
      const { cookie: buyer } = await world.cookieFor("buyer");
      const { cookie: user } = await world.cookieFor("user");
      const input = await orderInput();
      expect((await download(buyer)).status).toBe(200);
      const ordersBefore = await orderCount();

      // A check-in under way, waiting for a lock, when the server goes down: its backend is
      // terminated (57P01), as a restart does to every backend.
      const { underWay } = await holdWriteLock(async () => {
        const underWay = scan(token, secret);
        await until(async () => (await appSessions("count(*) FILTER (WHERE wait_event_type = 'Lock')")) > 0);
        await appSessions("count(pg_terminate_backend(pid))");
        await proxy.down();
        return { underWay };
      });
      await expectBusy(await underWay, restCode);

      // Down: new connections are refused, whatever the request.
      await expectBusy(await scan(token, secret), restCode);
      await expectBusy(await trpcMutation("orders.place", input, { cookie: user }), trpcCode);
      await expectBusy(await download(buyer), restCode);
      const page = await download(buyer, "text/html");
      expect(page.status).toBe(503);
      expect(await page.text()).toContain("Busy right now");
      expect(await orderCount()).toBe(ordersBefore);
      expect(await checkinsOf(world.order.buyerAttendeeId)).toBe(0);
      expect(await checkedInAt(world.order.buyerAttendeeId)).toBeNull();

      // Back: the same requests succeed, on new connections, without anything restarted here.
      await proxy.up();
      const admitted = await scan(token, secret);
      expect(admitted.status).toBe(200);
      expect(((await admitted.json()) as { status: string }).status).toBe("checked_in");
      const placed = await trpcMutation("orders.place", input, { cookie: user });
      expect(placed.status, await placed.clone().text()).toBe(200);
      expect(await orderCount()).toBe(ordersBefore + 1);
      expect((await download(buyer)).status).toBe(200);
    } finally {
      setDb(app);
      await restarting.$admit.close();
      await proxy.down();
    }
  });
});

/**
 * An aggregate over the restarting app's server sessions (PostgreSQL's pg_stat_activity): how
 * many wait for a lock, or pg_terminate_backend applied to each of them.
 */
async function appSessions(aggregate: string): Promise<number> {
  const { rows } = await world.db.$admit.pool!.query<{ n: number }>(`SELECT (${aggregate})::int AS n FROM pg_stat_activity WHERE application_name = 'restarting-app'`);
  return rows[0].n;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}
