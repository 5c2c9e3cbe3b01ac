import { randomBytes } from "node:crypto";
import { asc, count, desc, eq, sql } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { containsText } from "@/db/search";
import { attendees, eventMembers, events, ticketTypes, type Event, type TicketType } from "@/db/schema";
import type { EventRole } from "@/server/access";
import { canViewEvent, eventRoleOf } from "@/server/access";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { notFound } from "@/server/errors";
import { randomId } from "@/server/ids";
import { slugSchema, type EventDetailsInput, type EventInput } from "./schemas";

/** "Café Conf 2026!" → "cafe-conf-2026". */
export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return base || "event";
}

const SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

/** A short suffix keeps slugs unique without exposing how many events exist. */
function slugSuffix(length = 6): string {
  return [...randomBytes(length)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join("");
}

export type CreatedEvent = Event & { ticketTypes: TicketType[] };

/**
 * Creates an event with its ticket types; the creator becomes its owner. The slug's uniqueness is
 * the database's (a unique constraint): the insert skips a taken slug (ON CONFLICT DO NOTHING,
 * which doesn't abort the transaction) and tries another suffix, so two events created at once
 * under one name can't end up with the same slug, whatever the instance. `suffixes` is for tests.
 */
export function createEvent(db: Db, ownerId: string, input: EventInput, now = Date.now(), suffixes: () => string = slugSuffix): Promise<CreatedEvent> {
  return transaction(
    db,
    async (tx) => {
      const eventId = randomId();
      const details = {
        name: input.name,
        description: input.description,
        venue: input.venue,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        timeZone: input.timeZone,
        published: input.published,
        createdAt: now,
      };
      let event: Event | undefined;
      for (let attempt = 0; attempt < 5 && !event; attempt++) {
        const slug = `${slugify(input.name)}-${suffixes()}`;
        [event] = await tx
          .insert(events)
          .values({ id: eventId, slug, ...details })
          .onConflictDoNothing({ target: events.slug })
          .returning();
      }
      if (!event) throw new Error("Could not find a free slug");
      await tx.insert(eventMembers).values({ eventId: event.id, userId: ownerId, role: "owner", createdAt: now });
      const types: TicketType[] = input.ticketTypes.map((type, index) => ({
        id: randomId(),
        eventId: event.id,
        name: type.name,
        priceCents: type.priceCents,
        currency: input.currency,
        quantity: type.quantity,
        sold: 0,
        // Keeps the organizer's order on the event page (ties broken by creation time).
        createdAt: now + index,
      }));
      await tx.insert(ticketTypes).values(types);
      return { ...event, ticketTypes: types };
    },
  );
}

/** Adds someone to an event's team (no-op if they are already on it). */
export async function addEventMember(db: Db, eventId: string, userId: string, role: EventRole, now = Date.now()): Promise<void> {
  await db.insert(eventMembers).values({ eventId, userId, role, createdAt: now }).onConflictDoNothing();
}

/**
 * Changes what the event's tickets print. Nothing else needs invalidating: every ticket PDF's
 * cache key covers these fields, so the next download renders the new details.
 */
export async function updateEventDetails(db: Db, event: Event, caller: Caller, input: EventDetailsInput, now = Date.now()) {
  const { eventId: _id, ...details } = input;
  await transaction(db, async (tx) => {
    await tx.update(events).set(details).where(eq(events.id, event.id));
    const changed = (Object.keys(details) as Array<keyof typeof details>).filter((key) => details[key] !== event[key]);
    await recordAudit(tx, { eventId: event.id, caller, action: "event_updated", detail: { changed } }, now);
  });
  return { id: event.id, slug: event.slug };
}

export async function setEventPublished(db: Db, eventId: string, published: boolean): Promise<void> {
  await db.update(events).set({ published }).where(eq(events.id, eventId));
}

export type PublicTicketType = Pick<TicketType, "id" | "name" | "priceCents" | "currency" | "quantity"> & { remaining: number };

export async function ticketTypesOf(db: Db, eventId: string): Promise<PublicTicketType[]> {
  const rows = await db
    .select({
      id: ticketTypes.id,
      name: ticketTypes.name,
      priceCents: ticketTypes.priceCents,
      currency: ticketTypes.currency,
      quantity: ticketTypes.quantity,
      sold: ticketTypes.sold,
    })
    .from(ticketTypes)
    .where(eq(ticketTypes.eventId, eventId))
    .orderBy(asc(ticketTypes.createdAt), asc(ticketTypes.id));
  return rows.map(({ sold, ...type }) => ({ ...type, remaining: Math.max(0, type.quantity - sold) }));
}

export type EventPage = { event: Event; ticketTypes: PublicTicketType[]; viewerRole: EventRole | null };

/** The public event page's data; a draft is "not found" to anyone who may not see it. */
export async function getVisibleEventBySlug(db: Db, caller: Caller | null, slug: string): Promise<EventPage> {
  if (!slugSchema.safeParse(slug).success) throw notFound("No such event");
  const [event] = await db.select().from(events).where(eq(events.slug, slug)).limit(1);
  if (!event || !(await canViewEvent(db, caller, event))) throw notFound("No such event");
  return {
    event,
    ticketTypes: await ticketTypesOf(db, event.id),
    viewerRole: caller ? await eventRoleOf(db, caller.user.id, event.id) : null,
  };
}

/** The figures an event's team watches: seats sold, seats on sale, people through the door. */
export type EventCounts = { sold: number; capacity: number; checkedIn: number };

// Spelled out with its table: drizzle drops the table name from columns in a query without joins,
// and a bare "id" inside these subqueries would mean the subquery's own table.
const outerEventId = sql`${events}.${sql.identifier("id")}`;
const soldOf = sql<number>`coalesce((select sum(${ticketTypes.sold}) from ${ticketTypes} where ${ticketTypes.eventId} = ${outerEventId}), 0)`;
const capacityOf = sql<number>`coalesce((select sum(${ticketTypes.quantity}) from ${ticketTypes} where ${ticketTypes.eventId} = ${outerEventId}), 0)`;
// Everyone who came through the door, including a ticket cancelled after its check-in: they were
// there. Counted from the (event_id, checked_in_at) index alone, so it stays cheap at 100k rows.
const checkedInOf = sql<number>`(select count(*) from ${attendees} where ${attendees.eventId} = ${outerEventId} and ${attendees.checkedInAt} is not null)`;

/** One event's counts; the caller has already passed the event's access check. */
export async function eventCounts(db: Db, eventId: string): Promise<EventCounts> {
  const [counts] = await db.select({ sold: soldOf, capacity: capacityOf, checkedIn: checkedInOf }).from(events).where(eq(events.id, eventId)).limit(1);
  return counts ?? { sold: 0, capacity: 0, checkedIn: 0 };
}

export type MyEvent = Pick<Event, "id" | "slug" | "name" | "venue" | "startsAt" | "endsAt" | "timeZone" | "published"> & {
  role: EventRole;
} & EventCounts;

/** What order and event lists show of an event. */
export const eventSummaryColumns = {
  id: events.id,
  slug: events.slug,
  name: events.name,
  venue: events.venue,
  startsAt: events.startsAt,
  endsAt: events.endsAt,
  timeZone: events.timeZone,
};

/** Events the user is on the team of, soonest first. */
export function listMyEvents(db: Db, userId: string): Promise<MyEvent[]> {
  return db
    .select({
      ...eventSummaryColumns,
      published: events.published,
      role: eventMembers.role,
      sold: soldOf,
      capacity: capacityOf,
      checkedIn: checkedInOf,
    })
    .from(eventMembers)
    .innerJoin(events, eq(events.id, eventMembers.eventId))
    .where(eq(eventMembers.userId, userId))
    .orderBy(asc(events.startsAt), asc(events.createdAt), asc(events.id));
}

export const ALL_EVENTS_PAGE_SIZE = 50;

/** Every event, newest first, for the staff console (staff read every event's dashboard). */
export async function listAllEvents(db: Db, input: { search?: string; page: number }) {
  const where = input.search ? containsText(events.name, input.search) : undefined;
  const rows = await db
    .select({
      id: events.id,
      slug: events.slug,
      name: events.name,
      startsAt: events.startsAt,
      timeZone: events.timeZone,
      published: events.published,
      sold: soldOf,
      capacity: capacityOf,
      checkedIn: checkedInOf,
    })
    .from(events)
    .where(where)
    .orderBy(desc(events.createdAt), asc(events.id))
    .limit(ALL_EVENTS_PAGE_SIZE)
    .offset((input.page - 1) * ALL_EVENTS_PAGE_SIZE);
  const [{ n: total }] = await db.select({ n: count() }).from(events).where(where);
  return { rows, total, page: input.page, pageSize: ALL_EVENTS_PAGE_SIZE };
}
