import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { dialect } from "@/db/dialect";
import { attendees } from "@/db/schema";
import { freshCredentials } from "./credentials";
import { orderRowsQuery, printedTicketsFor } from "./printed";
import { ticketWorld, type TicketWorld } from "@/server/testing/ticket-order";

let w: TicketWorld;
beforeEach(async () => {
  w = await ticketWorld();
});

const allIds = () => w.order.attendees.map((a) => a.id);

describe("what is printed for an order", () => {
  it("prints the chosen attendees in purchase order, with their event, type and price", async () => {
    const tickets = await printedTicketsFor(w.db, w.order.id, [...allIds()].reverse());
    expect(tickets.map((t) => t.attendeeIdentifier)).toEqual(allIds());
    expect(tickets[1]).toMatchObject({
      eventName: "Ticket Conf 2026",
      attendeeName: "Hal Holder",
      orderIdentifier: w.order.id,
      checkinSecret: w.order.attendees[1].checkinSecret,
      status: "valid",
    });
  });

  it("refuses attendee ids outside the order, and an empty choice", async () => {
    await expect(printedTicketsFor(w.db, w.order.id, [w.otherOrder.attendees[0].id])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(printedTicketsFor(w.db, w.order.id, [])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(printedTicketsFor(w.db, w.order.id, () => [])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("never prints a row of the order that belongs to another event", async () => {
    // The stray row is consistent with its own event (a ticket type of that event), so only the
    // check that a row's event is its order's keeps it out.
    const otherAttendee = w.otherOrder.attendees[0];
    const stray = { ...w.order.attendees[0], id: "strayAttendeeId00000000", eventId: otherAttendee.eventId, ticketTypeId: otherAttendee.ticketTypeId, ...freshCredentials() };
    await w.db.insert(attendees).values(stray);
    const tickets = await printedTicketsFor(w.db, w.order.id, (ids) => ids);
    expect(tickets.map((t) => t.attendeeIdentifier)).toEqual(allIds());
    await expect(printedTicketsFor(w.db, w.order.id, [stray.id])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  // Without statistics (nothing runs ANALYZE), SQLite could read an order's attendees through an
  // index on their event, every attendee of the event for each download.
  it.skipIf(dialect === "postgres")("reads the order's attendees through the order index, not every attendee of the event", async () => {
    const query = orderRowsQuery(w.db).toSQL();
    expect(query.params).toHaveLength(1);
    // Rows come back as arrays (db/client.ts asks the driver for raw rows): id, parent, notused, detail.
    const rows = await w.db.all<unknown[]>(sql.raw(`explain query plan ${query.sql.replace("?", `'${w.order.id}'`)}`));
    const plan = rows.map((row) => String(row[3]));
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH attendees USING INDEX attendees_order_idx \(order_id=\?\)$/));
    expect(plan.filter((step) => /\battendees\b.*event_id/.test(step))).toEqual([]);
  });
});
