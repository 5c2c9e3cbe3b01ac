import "server-only";
import { randomBytes } from "node:crypto";
import { and, asc, count, desc, eq, isNotNull, isNull, notExists, sql } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { containsText } from "@/db/search";
import { attendees, eventMembers, events, orders, ticketTypes, type Event, type TicketType } from "@/db/schema";
import type { EventRole } from "@/server/access";
import { canViewEvent, eventRoleOf } from "@/server/access";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { fieldError, notFound } from "@/server/errors";
import { randomId } from "@/server/ids";
import { enqueueMails } from "@/server/mail";
import { eventCancelledMails, eventMovedMails } from "@/server/orders/notices";
import { limitOn, requireRoom, type ActionLimit } from "@/server/rate-limit";
import { saleStateOf, type SaleState } from "@/server/ticket-types/rules";
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
  return transaction(db, async (tx) => {
      const details = {
        name: input.name,
        description: input.description,
        venue: input.venue,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        timeZone: input.timeZone,
        published: input.published,
        firstPublishedAt: input.published ? now : null,
        cancelledAt: null,
        createdAt: now,
      };
      const eventId = randomId();
      let event: Event | undefined;
      for (let attempt = 0; attempt < 5 && !event; attempt++) {
        const slug = `${slugify(input.name)}-${suffixes()}`;
        [event] = await tx.insert(events).values({ id: eventId, slug, ...details }).onConflictDoNothing({ target: events.slug }).returning();
      }
      if (!event) throw new Error("Could not find a free slug");
      await tx.insert(eventMembers).values({ eventId: event.id, userId: ownerId, role: "owner", createdAt: now });
      const types: TicketType[] = input.ticketTypes.map((type, index) => ({
        id: randomId(),
        eventId: event.id,
        name: type.name,
        description: "",
        priceCents: type.priceCents,
        currency: input.currency,
        quantity: type.quantity,
        sold: 0,
        salesStartAt: null,
        salesEndAt: null,
        maxPerOrder: null,
        hidden: false,
        // Keeps the organizer's order on the event page (ties broken by creation time).
        createdAt: now + index,
      }));
      await tx.insert(ticketTypes).values(types);
      return { ...event, ticketTypes: types };
    });
}

/** Adds someone to an event's team (no-op if they are already on it). */
export async function addEventMember(db: Db, eventId: string, userId: string, role: EventRole, now = Date.now()): Promise<void> {
  await db.insert(eventMembers).values({ eventId, userId, role, createdAt: now }).onConflictDoNothing();
}

/** What attendees are told about when the organizer asks: the event moved in time or place. */
const NOTICEABLE: ReadonlyArray<keyof Event> = ["startsAt", "endsAt", "timeZone", "venue"];

/** Change notices to everyone with a ticket: a few an hour per event, so edits can't flood inboxes. */
export const EVENT_CHANGE_NOTICES: ActionLimit = { name: "event-change-notice", max: 3, windowMs: 60 * 60_000 };

/**
 * Changes what the event's tickets print. Nothing else needs invalidating: every ticket PDF's
 * cache key covers these fields, so the next download renders the new details. With
 * `notifyAttendees` and a change of time or place, a notice slot is taken first (429 changes
 * nothing), and `notify` tells the caller to email everyone once this has committed.
 */
export async function updateEventDetails(db: Db, event: Event, caller: Caller, input: EventDetailsInput, now = Date.now()) {
  const { eventId: _id, notifyAttendees, ...details } = input;
  const changed = (Object.keys(details) as Array<keyof typeof details>).filter((key) => details[key] !== event[key]);
  const moved = changed.filter((key) => NOTICEABLE.includes(key));
  const notify = notifyAttendees && moved.length > 0;
  if (notify) await requireRoom(db, limitOn(EVENT_CHANGE_NOTICES, event.id), "Attendees were told about changes 3 times this hour; save without “Notify attendees”", now);
  await transaction(db, async (tx) => {
    await tx.update(events).set(details).where(eq(events.id, event.id));
    await recordAudit(tx, { eventId: event.id, caller, action: "event_updated", detail: { changed, notified: notify } }, now);
    // Queued with the change (server/mail.ts), describing the event as it now is.
    if (notify) await enqueueMails(tx, await eventMovedMails(tx, { ...event, ...details }), now);
  });
  return { id: event.id, slug: event.slug, moved, notify };
}

function requireNotCancelled(event: Pick<Event, "cancelledAt">, field: string) {
  if (event.cancelledAt !== null) throw fieldError("CONFLICT", { [field]: "This event has been cancelled" });
}

/** Publishing marks the event as seen for good: from then on it can be cancelled, never deleted. */
export async function setEventPublished(db: Db, event: Event, caller: Caller, published: boolean, now = Date.now()): Promise<void> {
  requireNotCancelled(event, "published");
  await transaction(db, async (tx) => {
    await tx.update(events)
      .set({ published, ...(published ? { firstPublishedAt: sql`coalesce(${events.firstPublishedAt}, ${now})` } : {}) })
      .where(eq(events.id, event.id));
    await recordAudit(tx, { eventId: event.id, caller, action: published ? "event_published" : "event_unpublished" }, now);
  });
}

/**
 * Cancels the event for good: it sells nothing more (placeOrder), admits nobody (attemptCheckIn),
 * and every ticket prints CANCELLED (the PDF cache key covers it). The caller emails the
 * attendees after this commits.
 */
export async function cancelEvent(db: Db, event: Event, caller: Caller, reason: string, now = Date.now()): Promise<void> {
  await transaction(db, async (tx) => {
    const cancelled = await tx.update(events).set({ cancelledAt: now }).where(and(eq(events.id, event.id), isNull(events.cancelledAt))).returning({ id: events.id });
    if (cancelled.length !== 1) throw fieldError("CONFLICT", { eventId: "This event is already cancelled" });
    await recordAudit(tx, { eventId: event.id, caller, action: "event_cancelled", detail: { reason } }, now);
    await enqueueMails(tx, await eventCancelledMails(tx, { ...event, cancelledAt: now }, reason), now);
  });
}

/**
 * Deletes a draft nobody outside the team ever saw: never published and without orders (test
 * orders by the team count too: their tickets exist). One conditional DELETE, so an order or a
 * publication committing meanwhile keeps the event. Recorded in the audit log without an event.
 */
export async function deleteDraftEvent(db: Db, event: Event, caller: Caller, now = Date.now()): Promise<void> {
  await transaction(db, async (tx) => {
    const deleted = await tx
      .delete(events)
      .where(
        and(
          eq(events.id, event.id),
          isNull(events.firstPublishedAt),
          notExists(tx.select({ one: sql`1` }).from(orders).where(eq(orders.eventId, event.id))),
        ),
      ).returning({ id: events.id });
    if (deleted.length !== 1) {
      const current = (await tx.select({ firstPublishedAt: events.firstPublishedAt }).from(events).where(eq(events.id, event.id)).limit(1))[0];
      throw fieldError(
        "CONFLICT",
        { eventId: current?.firstPublishedAt != null ? "This event has been published; cancel it instead" : "This event has orders; cancel it instead" },
      );
    }
    await recordAudit(tx, { eventId: null, caller, action: "event_deleted", detail: { eventId: event.id, name: event.name } }, now);
  });
}

export type PublicTicketType = Pick<TicketType, "id" | "name" | "description" | "priceCents" | "currency" | "quantity" | "maxPerOrder" | "salesStartAt" | "salesEndAt"> & {
  remaining: number;
  saleState: SaleState;
};

/** The event page's ticket types: hidden ones left out, each with whether it can be bought now. */
export async function ticketTypesOf(db: Db, eventId: string, now = Date.now()): Promise<PublicTicketType[]> {
  return (await db
    .select({
      id: ticketTypes.id,
      name: ticketTypes.name,
      description: ticketTypes.description,
      priceCents: ticketTypes.priceCents,
      currency: ticketTypes.currency,
      quantity: ticketTypes.quantity,
      sold: ticketTypes.sold,
      maxPerOrder: ticketTypes.maxPerOrder,
      salesStartAt: ticketTypes.salesStartAt,
      salesEndAt: ticketTypes.salesEndAt,
    })
    .from(ticketTypes)
    .where(and(eq(ticketTypes.eventId, eventId), eq(ticketTypes.hidden, false)))
    .orderBy(asc(ticketTypes.createdAt), asc(ticketTypes.id)))
    .map(({ sold, ...type }) => ({ ...type, remaining: Math.max(0, type.quantity - sold), saleState: saleStateOf({ ...type, sold }, now) }));
}

export type EventPage = { event: Event; ticketTypes: PublicTicketType[]; viewerRole: EventRole | null };

/** The public event page's data; a draft is "not found" to anyone who may not see it. */
export async function getVisibleEventBySlug(db: Db, caller: Caller | null, slug: string): Promise<EventPage> {
  if (!slugSchema.safeParse(slug).success) throw notFound("No such event");
  const event = (await db.select().from(events).where(eq(events.slug, slug)).limit(1))[0];
  if (!event || !(await canViewEvent(db, caller, event))) throw notFound("No such event");
  return {
    event,
    ticketTypes: (await ticketTypesOf(db, event.id)),
    viewerRole: caller ? (await eventRoleOf(db, caller.user.id, event.id)) : null,
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
  return (await db.select({ sold: soldOf, capacity: capacityOf, checkedIn: checkedInOf }).from(events).where(eq(events.id, eventId)).limit(1))[0] ?? { sold: 0, capacity: 0, checkedIn: 0 };
}

export type LiveCounts = EventCounts & { byType: Array<{ id: string; name: string; sold: number; quantity: number; checkedIn: number }> };

/**
 * The one source of every figure on the door and the dashboard header: the event's totals and
 * each ticket type's, read together so they always agree. Per-type check-ins come from the
 * (event_id, ticket_type_id, checked_in_at) index alone.
 */
export function liveCounts(db: Db, eventId: string): Promise<LiveCounts> {
  return transaction(db, async (tx) => {
    const checkedInByType = new Map(
      (await tx
        .select({ ticketTypeId: attendees.ticketTypeId, n: count() })
        .from(attendees)
        .where(and(eq(attendees.eventId, eventId), isNotNull(attendees.checkedInAt)))
        .groupBy(attendees.ticketTypeId))
        .map((row) => [row.ticketTypeId, row.n]),
    );
    const byType = (await tx
      .select({ id: ticketTypes.id, name: ticketTypes.name, sold: ticketTypes.sold, quantity: ticketTypes.quantity })
      .from(ticketTypes)
      .where(eq(ticketTypes.eventId, eventId))
      .orderBy(asc(ticketTypes.createdAt), asc(ticketTypes.id)))
      .map((type) => ({ ...type, checkedIn: checkedInByType.get(type.id) ?? 0 }));
    return { ...(await eventCounts(tx, eventId)), byType };
  });
}

export type MyEvent = Pick<Event, "id" | "slug" | "name" | "venue" | "startsAt" | "endsAt" | "timeZone" | "published" | "cancelledAt"> & {
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
  cancelledAt: events.cancelledAt,
};

/** Events the user is on the team of, soonest first. */
export async function listMyEvents(db: Db, userId: string): Promise<MyEvent[]> {
  return (await db
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
    .orderBy(asc(events.startsAt), asc(events.createdAt), asc(events.id)));
}

export const ALL_EVENTS_PAGE_SIZE = 50;

/** Every event, newest first, for the staff console (staff read every event's dashboard). */
export async function listAllEvents(db: Db, input: { search?: string; page: number }) {
  const where = input.search ? containsText(events.name, input.search) : undefined;
  const rows = (await db
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
    .offset((input.page - 1) * ALL_EVENTS_PAGE_SIZE));
  const total = (await db.select({ n: count() }).from(events).where(where).limit(1))[0]?.n ?? 0;
  return { rows, total, page: input.page, pageSize: ALL_EVENTS_PAGE_SIZE };
}
