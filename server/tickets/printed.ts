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

// Every download runs it, so it is built and prepared once per connection (db/prepared.ts).
const orderRowsStatement = (db: Db) =>
  db
    .select({ attendee: attendees, ticketType: ticketTypes, event: events, orderId: orders.id })
    .from(attendees)
    // Every join is pinned to the attendee's event, so rows from another event can't mix in.
    .innerJoin(orders, and(eq(orders.id, attendees.orderId), eq(orders.eventId, attendees.eventId)))
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
  // The whole order in one statement, filtered here (no IN list of any length).
  const orderRows = await prepared(db, "ticket-printed-rows", orderRowsStatement).execute({ orderId: orderIdentifier });
  const wanted = new Set(typeof choice === "function" ? choice(orderRows.map((row) => row.attendee.id)) : choice);
  if (wanted.size === 0) throw notFound("No tickets to download");
  const rows = orderRows.filter((row) => wanted.has(row.attendee.id));
  if (rows.length !== wanted.size) throw notFound("No such ticket in this order");
  return rows.map(({ attendee, ticketType, event, orderId }) => ({
    eventName: event.name,
    venue: event.venue,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    timeZone: event.timeZone,
    attendeeName: attendee.name,
    attendeeIdentifier: attendee.id,
    ticketTypeName: ticketType.name,
    priceLabel: formatMoney(ticketType.priceCents, ticketType.currency),
    orderIdentifier: orderId,
    checkinSecret: attendee.checkinSecret,
    doorCode: attendee.doorCode,
    status: event.cancelledAt !== null && attendee.status === "valid" ? "event_cancelled" : attendee.status,
  }));
}
