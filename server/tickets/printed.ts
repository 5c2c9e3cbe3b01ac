import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { prepared } from "@/db/prepared";
import { attendees, events, orders, ticketTypes } from "@/db/schema";
import { formatMoney } from "@/lib/format";
import { notFound } from "@/server/errors";
import type { PrintedTicket } from "./document";

/**
 * What is printed on an order's tickets, read from the database: one `PrintedTicket` per page.
 * No access decisions here: callers pass the attendees server/access.ts let them see.
 */

// Every download runs it, so it is built and prepared once per connection (db/prepared.ts). Only
// what is printed is selected. The order is joined on its id alone and its event compared on the
// row: an equality between the two tables' event columns would let SQLite (without statistics)
// read the attendees through an event index, every attendee of the event for each download.
// Exported for its query-plan test.
export const orderRowsQuery = (db: Db) =>
  db
    .select({
      attendeeId: attendees.id,
      attendeeName: attendees.name,
      attendeeEventId: attendees.eventId,
      orderEventId: orders.eventId,
      checkinSecret: attendees.checkinSecret,
      doorCode: attendees.doorCode,
      status: attendees.status,
      ticketTypeName: ticketTypes.name,
      priceCents: ticketTypes.priceCents,
      currency: ticketTypes.currency,
      eventName: events.name,
      venue: events.venue,
      startsAt: events.startsAt,
      endsAt: events.endsAt,
      timeZone: events.timeZone,
      eventCancelledAt: events.cancelledAt,
    })
    .from(attendees)
    .innerJoin(orders, eq(orders.id, attendees.orderId))
    // Pinned to the attendee's event, so a ticket type of another event can't mix in.
    .innerJoin(ticketTypes, and(eq(ticketTypes.id, attendees.ticketTypeId), eq(ticketTypes.eventId, attendees.eventId)))
    .innerJoin(events, eq(events.id, attendees.eventId))
    .where(eq(attendees.orderId, sql.placeholder("orderId")))
    .orderBy(asc(attendees.createdAt), asc(attendees.id));

/**
 * Which of an order's attendees go into a file: their ids, or a choice made from all the order's
 * attendee ids (in page order), e.g. "the ones this caller may see".
 */
export type AttendeeChoice = readonly string[] | ((orderAttendeeIds: string[]) => string[]);

/**
 * What gets printed for these attendees of the order, in purchase order whatever the order of
 * the ids, so one set of tickets always prints (and caches) as one file. An id outside the order
 * is "not found": this never widens what the caller asked for.
 */
export async function printedTicketsFor(db: Db, orderIdentifier: string, choice: AttendeeChoice): Promise<PrintedTicket[]> {
  // The whole order in one statement, filtered here (no IN list of any length); a row whose event
  // isn't its order's doesn't belong to the order.
  const orderRows = (await prepared(db, "ticket-printed-rows", orderRowsQuery).execute({ orderId: orderIdentifier })).filter(
    (row) => row.attendeeEventId === row.orderEventId,
  );
  const wanted = new Set(typeof choice === "function" ? choice(orderRows.map((row) => row.attendeeId)) : choice);
  if (wanted.size === 0) throw notFound("No tickets to download");
  const rows = orderRows.filter((row) => wanted.has(row.attendeeId));
  if (rows.length !== wanted.size) throw notFound("No such ticket in this order");
  return rows.map((row) => ({
    eventName: row.eventName,
    venue: row.venue,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    timeZone: row.timeZone,
    attendeeName: row.attendeeName,
    attendeeIdentifier: row.attendeeId,
    ticketTypeName: row.ticketTypeName,
    priceLabel: formatMoney(row.priceCents, row.currency),
    orderIdentifier,
    checkinSecret: row.checkinSecret,
    doorCode: row.doorCode,
    status: row.eventCancelledAt !== null && row.status === "valid" ? "event_cancelled" : row.status,
  }));
}
