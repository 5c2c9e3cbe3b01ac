import type { Db } from "@/db/client";
import { eq, sql } from "drizzle-orm";
import { attendees, events, orders, ticketTypes, type Attendee, type Event, type TicketType, type User } from "@/db/schema";
import { randomId } from "@/server/ids";
import { freshCredentials } from "@/server/tickets/credentials";

/**
 * Direct inserts of an event and an order, for tests that must not depend on the events and
 * orders modules (the privilege-matrix world, ticket tests, the e2e spec). Only db/, ids and
 * ticket credentials: cheap to import anywhere.
 */

export function insertEvent(
  db: Db,
  name: string,
  options: { event?: Partial<Event>; ticketType?: Partial<Pick<TicketType, "name" | "priceCents" | "quantity">> } = {},
  now = Date.now(),
) {
  const id = randomId();
  const slug = `${name.toLowerCase().replace(/\W+/g, "-")}-${randomId(4).toLowerCase()}`;
  db.insert(events)
    .values({
      id,
      slug,
      name,
      venue: "Kulturbrauerei, Schönhauser Allee 36, Berlin",
      startsAt: Date.UTC(2026, 2, 14, 8),
      endsAt: Date.UTC(2026, 2, 14, 16),
      timeZone: "Europe/Berlin",
      published: true,
      createdAt: now,
      ...options.event,
    })
    .run();
  const ticketTypeId = randomId();
  db.insert(ticketTypes).values({ id: ticketTypeId, eventId: id, name: "Regular", priceCents: 4900, quantity: 1000, createdAt: now, ...options.ticketType }).run();
  return { id, slug, ticketTypeId };
}

export function insertOrder(
  db: Db,
  event: { id: string; ticketTypeId: string },
  buyer: User,
  people: { name: string; email: string }[],
  now = Date.now(),
): { id: string; attendees: Attendee[] } {
  const id = randomId();
  const price = db.select({ cents: ticketTypes.priceCents }).from(ticketTypes).where(eq(ticketTypes.id, event.ticketTypeId)).get()?.cents ?? 0;
  db.insert(orders)
    .values({ id, eventId: event.id, buyerId: buyer.id, buyerName: buyer.name, buyerEmail: buyer.email, totalCents: price * people.length, createdAt: now })
    .run();
  // Distinct createdAt values fix the page order.
  const rows: Attendee[] = people.map((p, i) => ({
    id: randomId(),
    orderId: id,
    eventId: event.id,
    ticketTypeId: event.ticketTypeId,
    name: p.name,
    email: p.email,
    emailNormalized: p.email.toLowerCase(),
    ...freshCredentials(),
    status: "valid",
    cancelledAt: null,
    checkedInAt: null,
    checkedInBy: null,
    createdAt: now + i,
  }));
  if (rows.length) db.insert(attendees).values(rows).run();
  db.update(ticketTypes).set({ sold: sql`${ticketTypes.sold} + ${rows.length}` }).where(eq(ticketTypes.id, event.ticketTypeId)).run();
  return { id, attendees: rows };
}
