import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attendees, auditLog, orders, ticketTypes } from "@/db/schema";
import { GET as exportCsv } from "@/app/api/events/[eventId]/attendees.csv/route";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildWorld as buildMemoryWorld, eventRow } from "@/server/testing/world";

/** Exports read through a second connection, so these worlds live in a file. */
const buildWorld = () => buildMemoryWorld(path.join(mkdtempSync(path.join(tmpdir(), "admit-csv-")), "csv.db"));
import { neutralizeFormula } from "./csv-export";
import { cancelOrder } from "./lifecycle";
import { listAttendees, listEventOrders } from "./roster";

async function csvFor(world: Awaited<ReturnType<typeof buildMemoryWorld>>, query = "") {
  const { cookie } = await world.cookieFor("organizer");
  const response = await exportCsv(
    new Request(`http://localhost/api/events/${world.event.id}/attendees.csv${query}`, { headers: { cookie: `admit.session=${cookie}` } }),
    { params: Promise.resolve({ eventId: world.event.id }) },
  );
  return { response, text: await response.text() };
}

describe("attendee CSV export", () => {
  it("escapes spreadsheet formulas in attendee-controlled cells", async () => {
    const world = await buildWorld();
    await world.db.update(attendees).set({ name: '=HYPERLINK("http://evil.example","click")' }).where(eq(attendees.id, world.order.holderAttendeeId));
    await world.db.update(attendees).set({ name: "@SUM(1+1)" }).where(eq(attendees.id, world.order.buyerAttendeeId));
    const { response, text } = await csvFor(world);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="attendees-.+\.csv"$/);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).toContain("'@SUM(1+1)");
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    // header + two attendees
    expect(text.trim().split("\n")).toHaveLength(3);
    // the export is audited
    expect(await world.db.select().from(auditLog).where(eq(auditLog.action, "attendees_exported"))).toHaveLength(1);
  });

  it("applies the dashboard's filters", async () => {
    const world = await buildWorld();
    const holder = (await world.db.select().from(attendees).where(eq(attendees.id, world.order.holderAttendeeId)).limit(1))[0]!;
    const { text } = await csvFor(world, `?search=${encodeURIComponent(holder.name)}`);
    expect(text.trim().split("\n")).toHaveLength(2);
    expect(text).toContain(holder.email);
  });

  it("neutralizes every formula trigger and leaves plain text alone", () => {
    for (const evil of ["=1+1", "+1", "-1", "@x", "\tx", "\rx"]) expect(neutralizeFormula(evil)).toBe(`'${evil}`);
    expect(neutralizeFormula("Zoë")).toBe("Zoë");
  });
});

describe("attendee roster", () => {
  it("counts each order's tickets in the orders list", async () => {
    const world = await buildWorld();
    const { rows } = await listEventOrders(world.db, world.event, { page: 1 });
    expect(rows.map((r) => [r.id, r.attendeeCount])).toEqual([[world.order.id, 2]]);
  });

  it("searches literally: % and _ are text, not wildcards", async () => {
    const world = await buildWorld();
    await world.db.update(attendees).set({ name: "Holder Person", email: "holder@x.test", emailNormalized: "holder@x.test" }).where(eq(attendees.id, world.order.holderAttendeeId));
    await world.db.update(attendees).set({ name: "Buyer Person", email: "buyer@x.test", emailNormalized: "buyer@x.test" }).where(eq(attendees.id, world.order.buyerAttendeeId));
    expect((await listAttendees(world.db, world.event, { search: "%" }, 1)).total).toBe(0);
    expect((await listAttendees(world.db, world.event, { search: "_" }, 1)).total).toBe(0);
    expect((await listAttendees(world.db, world.event, { search: "holder" }, 1)).total).toBe(1);
  });

  it("finds attendees by any part of name or email, accents folded, and follows renames", async () => {
    const world = await buildWorld();
    const find = async (search: string) => (await listAttendees(world.db, world.event, { search }, 1)).rows.map((r) => r.id);
    await world.db.update(attendees).set({ name: "José García" }).where(eq(attendees.id, world.order.holderAttendeeId));
    expect(await find("garcia")).toEqual([world.order.holderAttendeeId]);
    expect(await find("sé Gar")).toEqual([world.order.holderAttendeeId]);
    await world.db.update(attendees).set({ name: "Someone Else" }).where(eq(attendees.id, world.order.holderAttendeeId));
    expect(await find("garcia")).toEqual([]);
    expect(await find(world.order.id)).toHaveLength(2);
    // Another event's attendees never match through this event.
    expect(await find("other-owner")).toEqual([]);
  });

  it("cancelling an order cancels its tickets, frees the seats and can't reach another event's order", async () => {
    const world = await buildWorld();
    const organizer = (await world.cookieFor("organizer")).caller;
    const before = (await world.db.select().from(ticketTypes).where(eq(ticketTypes.id, world.event.ticketTypeId)).limit(1))[0]!.sold;
    expect(await cancelOrder(world.db, await eventRow(world), organizer, world.order.id)).toEqual({ cancelled: 2, attendeeIds: [world.order.buyerAttendeeId, world.order.holderAttendeeId] });
    expect((await world.db.select().from(ticketTypes).where(eq(ticketTypes.id, world.event.ticketTypeId)).limit(1))[0]!.sold).toBe(before - 2);
    expect((await world.db.select().from(orders).where(eq(orders.id, world.order.id)).limit(1))[0]!.status).toBe("cancelled");
    // Cancelling again changes nothing.
    expect(await cancelOrder(world.db, await eventRow(world), organizer, world.order.id)).toEqual({ cancelled: 0, attendeeIds: [] });
    await expect(cancelOrder(world.db, await eventRow(world), organizer, world.otherEvent.orderId)).rejects.toThrow(/No such order/);
  });
});
