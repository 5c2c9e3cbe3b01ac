import Database from "better-sqlite3";
import { count, eq } from "drizzle-orm";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as checkinPOST } from "@/app/api/v1/checkin/route";
import { GET as getOrderTickets } from "@/app/tickets/[orderIdentifier]/route";
import { attendees, checkins, orders } from "@/db/schema";
import { trpcMutation } from "@/server/attacks/support";
import { apiRequest } from "@/server/auth/http-test-helpers";
import { buildWorld, type World } from "@/server/testing/world";

/**
 * Fault: another connection (a backup, a migration, a stuck process) holds SQLite's write lock
 * longer than the busy timeout. Requests that need to write answer 503 with Retry-After (never
 * 500), change nothing, and the very same requests succeed once the lock is gone.
 */
let world: World;
let locker: Database.Database;

beforeAll(async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "admit-busy-")), "busy.db");
  world = await buildWorld(file);
  // Five seconds in production (db/client.ts); the test needn't wait that long to meet it.
  world.db.$client.pragma("busy_timeout = 50");
  locker = new Database(file);
});
afterAll(() => locker.close());

function holdWriteLock<T>(during: () => Promise<T>): Promise<T> {
  locker.exec("BEGIN IMMEDIATE");
  return during().finally(() => locker.exec("ROLLBACK"));
}

async function expectBusy(response: Response, readCode: (body: unknown) => unknown) {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  expect(readCode(await response.json())).toBe("SERVICE_UNAVAILABLE");
}

const restCode = (body: unknown) => (body as { error: { code: string } }).error.code;
const trpcCode = (body: unknown) => (body as { error: { data: { code: string } } }).error.data.code;

describe("the database locked beyond the busy timeout", () => {
  it("a check-in answers 503 with Retry-After, counts nothing, and goes through once the lock is released", async () => {
    const token = await world.bearerFor("registrar", ["checkin:write"]);
    const scan = () =>
      checkinPOST(apiRequest("/api/v1/checkin", "POST", { body: { secret: world.order.holderSecret }, headers: { authorization: `Bearer ${token}` } }), {
        params: Promise.resolve({}),
      });
    await holdWriteLock(async () => expectBusy(await scan(), restCode));
    const holder = world.db.select().from(attendees).where(eq(attendees.id, world.order.holderAttendeeId)).get()!;
    expect(holder.checkedInAt).toBeNull();
    expect(world.db.select({ n: count() }).from(checkins).get()!.n).toBe(0);

    const response = await scan();
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe("checked_in");
  });

  it("placing an order through tRPC answers 503 with Retry-After and places nothing, then succeeds", async () => {
    const { cookie } = world.cookieFor("user");
    const input = {
      eventId: world.event.id,
      items: [{ ticketTypeId: world.event.ticketTypeId, quantity: 1 }],
      attendees: [{ ticketTypeId: world.event.ticketTypeId, name: "Patient Buyer", email: world.users.user.email }],
    };
    const ordersBefore = world.db.select({ n: count() }).from(orders).get()!.n;
    await holdWriteLock(async () => expectBusy(await trpcMutation("orders.place", input, { cookie }), trpcCode));
    expect(world.db.select({ n: count() }).from(orders).get()!.n).toBe(ordersBefore);

    const response = await trpcMutation("orders.place", input, { cookie });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(world.db.select({ n: count() }).from(orders).get()!.n).toBe(ordersBefore + 1);
  });

  it("a ticket download (it writes its audit row) answers 503 with Retry-After, then the PDF", async () => {
    const { cookie } = world.cookieFor("buyer");
    const download = () =>
      getOrderTickets(new Request(`http://localhost/tickets/${world.order.id}`, { headers: { cookie: `admit.session=${cookie}` } }), {
        params: Promise.resolve({ orderIdentifier: world.order.id }),
      });
    await holdWriteLock(async () => expectBusy(await download(), restCode));
    const response = await download();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
  });

  it("a browser following a link gets a readable 503 page", async () => {
    const { cookie } = world.cookieFor("buyer");
    const response = await holdWriteLock(() =>
      getOrderTickets(new Request(`http://localhost/tickets/${world.order.id}`, { headers: { cookie: `admit.session=${cookie}`, accept: "text/html" } }), {
        params: Promise.resolve({ orderIdentifier: world.order.id }),
      }),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await response.text()).toContain("Busy right now");
  });
});
