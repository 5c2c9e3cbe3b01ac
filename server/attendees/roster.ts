import "server-only";
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { attendees, orders, ticketTypes, type Event } from "@/db/schema";
import { attendeeTextMatch, containsText } from "@/db/search";

export type RosterFilter = {
  eventId: string;
  search?: string;
  ticketTypeId?: string;
  checkedIn?: boolean;
  cancelled?: boolean;
};

export const ROSTER_PAGE_SIZE = 50;

/** Attendees whose name or email contains the text, or whose order it names. */
function attendeeSearch(text: string): SQL {
  return or(attendeeTextMatch(text), eq(attendees.orderId, text))!;
}

/** Search matches name, email or order identifier; filters narrow by type and state. */
export function rosterWhere(filter: RosterFilter): SQL {
  const conditions: SQL[] = [eq(attendees.eventId, filter.eventId)];
  if (filter.search) conditions.push(attendeeSearch(filter.search));
  if (filter.ticketTypeId) conditions.push(eq(attendees.ticketTypeId, filter.ticketTypeId));
  if (filter.checkedIn !== undefined) conditions.push(filter.checkedIn ? isNotNull(attendees.checkedInAt) : isNull(attendees.checkedInAt));
  if (filter.cancelled !== undefined) conditions.push(eq(attendees.status, filter.cancelled ? "cancelled" : "valid"));
  return and(...conditions)!;
}

/** The organizers' attendee table: everything but the check-in secret (that lives only in the PDF). */
export async function listAttendees(db: Db, event: Pick<Event, "id">, filter: Omit<RosterFilter, "eventId">, page: number) {
  const where = rosterWhere({ ...filter, eventId: event.id });
  // Deferred join: page through the (event_id, name, id) index first, then fetch 50 full rows,
  // so page 2,000 costs an index walk rather than 100,000 joined rows.
  const pageIds = db
    .select({ id: attendees.id })
    .from(attendees)
    .where(where)
    .orderBy(asc(attendees.name), asc(attendees.id))
    .limit(ROSTER_PAGE_SIZE)
    .offset((page - 1) * ROSTER_PAGE_SIZE);
  const rows = await db
    .select({
      id: attendees.id,
      name: attendees.name,
      email: attendees.email,
      orderId: attendees.orderId,
      ticketType: ticketTypes.name,
      status: attendees.status,
      checkedInAt: attendees.checkedInAt,
      createdAt: attendees.createdAt,
    })
    .from(attendees)
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .where(inArray(attendees.id, pageIds))
    .orderBy(asc(attendees.name), asc(attendees.id));
  const [{ n: total }] = await db.select({ n: count() }).from(attendees).where(where);
  return { rows, total, page, pageSize: ROSTER_PAGE_SIZE };
}

/**
 * What a registrar at the door may see: name, ticket type, status. They may find a guest by
 * email or order identifier (the guest tells them), but the answer shows no emails, no orders.
 */
export function listForCheckIn(db: Db, event: Pick<Event, "id">, search?: string) {
  const conditions: SQL[] = [eq(attendees.eventId, event.id)];
  if (search) conditions.push(attendeeSearch(search));
  return db
    .select({ id: attendees.id, name: attendees.name, ticketType: ticketTypes.name, status: attendees.status, checkedInAt: attendees.checkedInAt })
    .from(attendees)
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .where(and(...conditions))
    .orderBy(asc(attendees.name))
    .limit(20);
}

export async function listEventOrders(db: Db, event: Pick<Event, "id">, input: { search?: string; page: number }) {
  const conditions: SQL[] = [eq(orders.eventId, event.id)];
  if (input.search) {
    conditions.push(or(containsText(orders.buyerName, input.search), containsText(orders.buyerEmail, input.search.toLowerCase()), eq(orders.id, input.search))!);
  }
  const where = and(...conditions);
  // Page through the (event_id, created_at, id) index first; count attendees for 50 orders only.
  const pageIds = db
    .select({ id: orders.id })
    .from(orders)
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(ROSTER_PAGE_SIZE)
    .offset((input.page - 1) * ROSTER_PAGE_SIZE);
  const rows = await db
    .select({
      id: orders.id,
      buyerName: orders.buyerName,
      buyerEmail: orders.buyerEmail,
      status: orders.status,
      paid: orders.paid,
      totalCents: orders.totalCents,
      currency: orders.currency,
      createdAt: orders.createdAt,
      // The outer column spelled out with its table: in a query without joins drizzle writes a bare
      // "id", which inside the subquery would mean the attendee's id (and count nothing).
      attendeeCount: sql<number>`(SELECT count(*) FROM ${attendees} WHERE ${attendees.orderId} = ${orders}.${sql.identifier("id")})`,
    })
    .from(orders)
    .where(inArray(orders.id, pageIds))
    .orderBy(desc(orders.createdAt), desc(orders.id));
  const [{ n: total }] = await db.select({ n: count() }).from(orders).where(where);
  return { rows, total, page: input.page, pageSize: ROSTER_PAGE_SIZE };
}
