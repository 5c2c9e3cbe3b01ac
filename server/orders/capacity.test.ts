import { eq, notInArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attendees, orders, ticketTypes } from "@/db/schema";
import { createBrowserSession } from "@/server/auth/sessions";
import { makeEvent } from "@/server/testing/event-fixtures";
import { freshDb, makeUser } from "@/server/testing/support";
import { authenticateCookie, type Caller } from "@/server/auth/caller";
import { race } from "@/server/testing/race";
import { placeOrderInputSchema } from "./schemas";

const WORKERS = 8;
const ORDERS_PER_WORKER = 25;
const SEATS = 50;

describe("capacity under concurrency", () => {
  it(`sells exactly ${SEATS} seats to ${WORKERS * ORDERS_PER_WORKER} racing orders, the rest 409, no orphan rows`, async () => {
    const db = await freshDb();
    const owner = await makeUser(db);
    const event = await makeEvent(db, owner, { ticketTypes: [{ name: "Racy", priceCents: 1000, quantity: SEATS }] });
    const ticketTypeId = event.ticketTypes[0].id;

    // better-sqlite3 is synchronous, so Promise.all in one thread would prove nothing: each buyer
    // is a worker thread with its own connection, all released at once by a shared barrier.
    const buyers: Array<{ caller: Caller; email: string }> = [];
    for (let i = 0; i < WORKERS; i++) {
      const buyer = await makeUser(db, { email: `racer-${i}-${Date.now()}@example.test` });
      const auth = await authenticateCookie(db, (await createBrowserSession(db, buyer.id, { device: "race", ip: "127.0.0.1" })).secret);
      if (auth.kind !== "caller") throw new Error("the racer's session did not authenticate");
      buyers.push({ caller: auth.caller, email: buyer.email });
    }
    const results = await race(WORKERS, db.$admit.location, "server/orders/place.ts", "placeOrder", (worker, call) => [
      buyers[worker].caller,
      placeOrderInputSchema.parse({
        eventId: event.id,
        items: [{ ticketTypeId, quantity: 1 }],
        attendees: [{ ticketTypeId, name: `Racer ${call}`, email: buyers[worker].email }],
      }),
    ], ORDERS_PER_WORKER);
    const outcomes = results.map((r) => (r.ok ? "ok" : r.code === "CONFLICT" ? "CONFLICT" : `other:${r.message}`));

    expect(outcomes.filter((o) => o.startsWith("other"))).toEqual([]);
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(SEATS);
    expect(outcomes.filter((o) => o === "CONFLICT")).toHaveLength(WORKERS * ORDERS_PER_WORKER - SEATS);
    expect((await db.select().from(ticketTypes).where(eq(ticketTypes.id, ticketTypeId)).limit(1))[0]!.sold).toBe(SEATS);
    expect((await db.select({ n: sql<number>`count(*)` }).from(attendees).limit(1))[0]!.n).toBe(SEATS);
    expect((await db.select({ n: sql<number>`count(*)` }).from(orders).limit(1))[0]!.n).toBe(SEATS);
    // Every order has exactly its one attendee, and no attendee lacks an order.
    const perOrder = await db.select({ orderId: attendees.orderId, n: sql<number>`count(*)` }).from(attendees).groupBy(attendees.orderId);
    expect(perOrder.every((row) => row.n === 1)).toBe(true);
    const orderIds = (await db.select({ id: orders.id }).from(orders)).map((o) => o.id);
    expect(await db.select().from(attendees).where(notInArray(attendees.orderId, orderIds))).toEqual([]);
  }, 120_000);
});
