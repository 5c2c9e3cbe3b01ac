import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { auditLog, ticketTypes, type User } from "@/db/schema";
import { authenticateCookie, type Caller } from "@/server/auth/caller";
import { createBrowserSession } from "@/server/auth/sessions";
import { addEventMember } from "@/server/events/service";
import { makeEvent } from "@/server/testing/event-fixtures";
import { utcToZonedLocal } from "@/server/events/time";
import { placeOrderInputSchema } from "@/server/orders/schemas";
import { callerAs, freshDb, makeUser } from "@/server/testing/support";
import { failure } from "@/server/testing/failure";
import { race } from "@/server/testing/race";
import { updateTicketType } from "./service";

let db: AppDb;
let owner: User;
let organizer: User;
let buyer: User;
let event: Awaited<ReturnType<typeof makeEvent>>;
let general: string;

beforeEach(async () => {
  db = (await freshDb());
  owner = await makeUser(db);
  organizer = await makeUser(db);
  buyer = await makeUser(db);
  // 14 Mar 2030, 09:00–17:00 in Berlin.
  event = (await makeEvent(db, owner));
  await addEventMember(db, event.id, organizer.id, "organizer");
  general = event.ticketTypes[0].id;
});

const typeRow = async (id: string) => (await db.select().from(ticketTypes).where(eq(ticketTypes.id, id)).limit(1))[0];

/** General as it is (4900 cents, 100 on sale), with some settings changed. */
const generalWith = (overrides: Record<string, unknown> = {}) => ({ eventId: event.id, ticketTypeId: general, name: "General", priceCents: 4900, quantity: 100, ...overrides });

async function buy(ticketTypeId: string, quantity: number, who: User = buyer) {
  return (await callerAs(db, who)).orders.place({
    eventId: event.id,
    items: [{ ticketTypeId, quantity }],
    attendees: Array.from({ length: quantity }, (_, i) => ({ ticketTypeId, name: `Guest ${i}`, email: `guest-${i}@example.test` })),
  });
}

const publicTypes = async () => (await (await callerAs(db, buyer)).events.bySlug({ slug: event.slug })).ticketTypes;

describe("editing ticket types after the event is created", () => {
  it("raises the quantity and adds a type, which buyers then see and buy", async () => {
    const desk = (await callerAs(db, organizer)).ticketTypes;
    await desk.update(generalWith({ quantity: 150, description: "Lunch included" }));
    const { id } = await desk.create({ eventId: event.id, name: "Student", priceCents: 1900, quantity: 30, maxPerOrder: 2 });
    expect((await typeRow(general))).toMatchObject({ quantity: 150, description: "Lunch included" });
    expect((await publicTypes()).map((t) => [t.name, t.remaining, t.maxPerOrder, t.saleState])).toEqual([
      ["General", 150, null, "on_sale"],
      ["Workshop", 10, null, "on_sale"],
      ["Student", 30, 2, "on_sale"],
    ]);
    await buy(id, 2);
    expect((await typeRow(id))).toMatchObject({ sold: 2, currency: "EUR" });
    const actions = (await db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.eventId, event.id))).map((a) => a.action);
    expect(actions).toEqual(["ticket_type_updated", "ticket_type_created"]);
  });

  it("never lowers the quantity below what's sold, naming the field, and changes nothing", async () => {
    await buy(general, 3);
    const refused = await failure((await callerAs(db, organizer)).ticketTypes.update(generalWith({ quantity: 2, name: "Renamed" })));
    expect(refused).toMatchObject({ status: 400, fields: { quantity: "3 are already sold; put at least 3 on sale" } });
    expect((await typeRow(general))).toMatchObject({ quantity: 100, name: "General" });
    await (await callerAs(db, organizer)).ticketTypes.update(generalWith({ quantity: 3 }));
    expect((await typeRow(general))!.quantity).toBe(3);
  });

  it("changes the price only while nothing is sold", async () => {
    const desk = (await callerAs(db, organizer)).ticketTypes;
    await desk.update(generalWith({ priceCents: 5900 }));
    await buy(general, 1);
    const refused = await failure(desk.update(generalWith({ priceCents: 6900 })));
    expect(refused).toMatchObject({ status: 400, fields: { priceCents: expect.stringContaining("can't change once tickets are sold") } });
    expect((await typeRow(general))!.priceCents).toBe(5900);
    // Everything else stays editable once sold.
    await desk.update(generalWith({ priceCents: 5900, name: "Standard" }));
    expect((await typeRow(general))!.name).toBe("Standard");
  });

  it("refuses inverted sale windows and windows past the event's end, naming the field", async () => {
    const desk = (await callerAs(db, organizer)).ticketTypes;
    const inverted = await failure(desk.update(generalWith({ salesStartsAtLocal: "2030-03-01T10:00", salesEndsAtLocal: "2030-02-01T10:00" })));
    expect(inverted).toMatchObject({ status: 400, fields: { salesEndsAtLocal: "Sales must close after they open" } });
    const pastTheEvent = await failure(desk.create({ eventId: event.id, name: "Late", priceCents: 0, quantity: 5, salesEndsAtLocal: "2030-03-15T10:00" }));
    expect(pastTheEvent).toMatchObject({ status: 400, fields: { salesEndsAtLocal: "Sales must close by the end of the event" } });
    const skipped = await failure(desk.update(generalWith({ salesStartsAtLocal: "2030-03-31T02:30" })));
    expect(skipped.fields).toEqual({ salesStartsAtLocal: expect.stringContaining("clocks skip") });
    expect((await typeRow(general))).toMatchObject({ salesStartAt: null, salesEndAt: null });
    expect((await db.select().from(ticketTypes).where(eq(ticketTypes.eventId, event.id)))).toHaveLength(2);
  });

  it("keeps names unique within the event, whatever the case", async () => {
    const clash = await failure((await callerAs(db, organizer)).ticketTypes.create({ eventId: event.id, name: "WORKSHOP", priceCents: 0, quantity: 5 }));
    expect(clash).toMatchObject({ status: 409, fields: { name: expect.any(String) } });
  });

  it("deletes a type never sold, and only hides one that was", async () => {
    const desk = (await callerAs(db, organizer)).ticketTypes;
    const workshop = event.ticketTypes[1].id;
    await buy(general, 1);
    expect(await desk.remove({ eventId: event.id, ticketTypeId: workshop })).toEqual({ outcome: "deleted" });
    expect((await typeRow(workshop))).toBeUndefined();
    expect(await desk.remove({ eventId: event.id, ticketTypeId: general })).toEqual({ outcome: "hidden" });
    expect((await typeRow(general))).toMatchObject({ hidden: true, sold: 1 });
    expect(await publicTypes()).toEqual([]);
  });

  it("hides a type whose every ticket was cancelled: the tickets still name it", async () => {
    const { id: orderId } = await buy(general, 1);
    await (await callerAs(db, organizer)).attendees.cancelOrder({ eventId: event.id, orderId });
    expect((await typeRow(general))!.sold).toBe(0);
    expect(await (await callerAs(db, organizer)).ticketTypes.remove({ eventId: event.id, ticketTypeId: general })).toEqual({ outcome: "hidden" });
  });
});

describe("what checkout accepts", () => {
  it("refuses a hidden type as not on sale (404 naming it)", async () => {
    await (await callerAs(db, organizer)).ticketTypes.update(generalWith({ hidden: true }));
    const refused = await failure(buy(general, 1));
    expect(refused).toMatchObject({ status: 404, fields: { "items.0.ticketTypeId": "This ticket type isn't on sale for this event" } });
    expect((await typeRow(general))!.sold).toBe(0);
  });

  it("sells only inside the sale window, naming the type when outside it", async () => {
    const desk = (await callerAs(db, organizer)).ticketTypes;
    const soon = utcToZonedLocal(Date.now() + 86_400_000, "Europe/Berlin");
    const earlier = utcToZonedLocal(Date.now() - 86_400_000, "Europe/Berlin");
    await desk.update(generalWith({ salesStartsAtLocal: soon }));
    expect((await publicTypes())[0].saleState).toBe("not_yet");
    expect(await failure(buy(general, 1))).toMatchObject({ status: 400, fields: { "items.0.ticketTypeId": expect.stringContaining("isn't on sale until") } });
    await desk.update(generalWith({ salesStartsAtLocal: "", salesEndsAtLocal: earlier }));
    expect((await publicTypes())[0].saleState).toBe("ended");
    expect(await failure(buy(general, 1))).toMatchObject({ status: 400, fields: { "items.0.ticketTypeId": expect.stringContaining("no longer on sale") } });
    await desk.update(generalWith({ salesStartsAtLocal: earlier, salesEndsAtLocal: soon }));
    await buy(general, 1);
    expect((await typeRow(general))!.sold).toBe(1);
  });

  it("holds each type to its per-order limit, naming the quantity", async () => {
    await (await callerAs(db, organizer)).ticketTypes.update(generalWith({ maxPerOrder: 2 }));
    expect(await failure(buy(general, 3))).toMatchObject({ status: 400, fields: { "items.0.quantity": "At most 2 “General” tickets per order" } });
    await buy(general, 2);
    expect((await typeRow(general))!.sold).toBe(2);
  });
});

describe("quantity under concurrent sales", () => {
  it("never ends with more sold than on sale while the organizer lowers the quantity to what was sold a moment ago", async () => {
    const racers: Caller[] = [];
    for (let i = 0; i < 6; i++) {
      const racer = await makeUser(db);
      const auth = await authenticateCookie(db, (await createBrowserSession(db, racer.id, { device: "race", ip: "127.0.0.1" })).secret);
      if (auth.kind !== "caller") throw new Error("the racer's session did not authenticate");
      racers.push(auth.caller);
    }
    const organizerCaller = await authenticateCookie(db, (await createBrowserSession(db, organizer.id, { device: "desk", ip: "127.0.0.1" })).secret);
    if (organizerCaller.kind !== "caller") throw new Error("the organizer's session did not authenticate");
    const input = placeOrderInputSchema.parse({ eventId: event.id, items: [{ ticketTypeId: general, quantity: 1 }], attendees: [{ ticketTypeId: general, name: "Racer", email: "racer@example.test" }] });
    const sales = race(6, db.$admit.location, "server/orders/place.ts", "placeOrder", (worker) => [racers[worker], input], 8);
    let finished = false;
    void sales.finally(() => (finished = true));

    // The organizer keeps setting the quantity to the sold count they last saw, from another connection.
    const edits: string[] = [];
    while (!finished) {
      const seen = (await typeRow(general))!.sold;
      try {
        await updateTicketType(db, { ...event }, organizerCaller.caller, { ...generalWith({ quantity: Math.max(seen, 1) }), description: "", salesStartsAtLocal: "", salesEndsAtLocal: "", maxPerOrder: null, hidden: false });
        edits.push("ok");
      } catch (error) {
        edits.push(String((error as Error).message));
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const results = await sales;
    const type = (await typeRow(general))!;
    expect(type.sold).toBeLessThanOrEqual(type.quantity);
    expect(results.filter((r) => r.ok)).toHaveLength(type.sold);
    expect(edits.filter((e) => e !== "ok" && !e.includes("already sold"))).toEqual([]);
  }, 120_000);
});
