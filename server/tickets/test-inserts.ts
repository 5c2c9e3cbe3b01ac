import type { Db } from "@/db/client";
import { attendees, events, orders, ticketTypes, type Attendee, type User } from "@/db/schema";
import { randomId } from "@/server/ids";

/**
 * Direct inserts of an event and an order, for tests that must not depend on the events and
 * orders modules (the vitest fixture and the e2e spec). Only db/ and ids: cheap to import anywhere.
 */

export function insertEvent(db: Db, name: string, now = Date.now()) {
  const id = randomId();
  db.insert(events)
    .values({
      id,
      slug: `${name.toLowerCase().replace(/\W+/g, "-")}-${randomId(4).toLowerCase()}`,
      name,
      venue: "Kulturbrauerei, Schönhauser Allee 36, Berlin",
      startsAt: Date.UTC(2026, 2, 14, 8),
      endsAt: Date.UTC(2026, 2, 14, 16),
      timeZone: "Europe/Berlin",
      published: true,
      createdAt: now,
    })
    .run();
  const ticketTypeId = randomId();
  db.insert(ticketTypes).values({ id: ticketTypeId, eventId: id, name: "Regular", priceCents: 4900, quantity: 1000, createdAt: now }).run();
  return { id, ticketTypeId };
}

export function insertOrder(
  db: Db,
  event: { id: string; ticketTypeId: string },
  buyer: User,
  people: { name: string; email: string }[],
  now = Date.now(),
): { id: string; attendees: Attendee[] } {
  const id = randomId();
  db.insert(orders)
    .values({ id, eventId: event.id, buyerId: buyer.id, buyerName: buyer.name, buyerEmail: buyer.email, totalCents: 4900 * people.length, createdAt: now })
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
    checkinSecret: randomId(),
    status: "valid",
    cancelledAt: null,
    checkedInAt: null,
    checkedInBy: null,
    createdAt: now + i,
  }));
  if (rows.length) db.insert(attendees).values(rows).run();
  return { id, attendees: rows };
}
