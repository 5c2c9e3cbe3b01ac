import "server-only";
import { and, desc, eq, isNotNull, isNull, type SQL } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { attendees, checkins, events, ticketTypes, users, type Event } from "@/db/schema";
import { requireSignedIn, can } from "@/server/access";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { AppError, fieldError, forbidden, notFound } from "@/server/errors";
import { looksLikeIdentifier } from "@/server/ids";
import { limitOn, requireRoom, type ActionLimit } from "@/server/rate-limit";
import { normalizeDoorCode } from "@/lib/door-code";

export type CheckInSubject = {
  attendee: { id: string; name: string };
  ticketType: { id: string; name: string };
  event: { id: string; name: string };
};

export type CheckInOutcome =
  | ({ status: "checked_in"; checkedInAt: number } & CheckInSubject)
  | ({ status: "already_checked_in"; checkedInAt: number; checkedInBy: string | null } & CheckInSubject)
  | ({ status: "cancelled" } & CheckInSubject)
  | ({ status: "event_cancelled" } & CheckInSubject)
  // Names nothing of the other event: the door of one event learns nothing about another.
  | { status: "wrong_event" }
  | { status: "not_found" };

/**
 * A scanner device's answer when a scan checks nobody in (app/api/v1/checkin/route.ts); the
 * check-in screen shows the outcome itself instead. An API client learns the reason from the
 * code, and for a ticket already checked in, when and by whom.
 */
export function refusalOf(outcome: Exclude<CheckInOutcome, { status: "checked_in" }>): AppError {
  switch (outcome.status) {
    case "already_checked_in": {
      const checkedInAt = new Date(outcome.checkedInAt).toISOString();
      return new AppError("CONFLICT", `Already checked in at ${checkedInAt}${outcome.checkedInBy ? ` by ${outcome.checkedInBy}` : ""}`, {
        reason: "ALREADY_CHECKED_IN",
        details: { checkedInAt, checkedInBy: outcome.checkedInBy, attendee: outcome.attendee, ticketType: outcome.ticketType },
      });
    }
    case "cancelled":
      return new AppError("GONE", "This ticket has been cancelled", { reason: "TICKET_CANCELLED" });
    case "event_cancelled":
      return new AppError("GONE", "This event has been cancelled", { reason: "EVENT_CANCELLED" });
    case "wrong_event":
      return notFound("This ticket is not for this event");
    case "not_found":
      return notFound("No ticket has this code");
  }
}

/**
 * How the door names a ticket: the QR code's secret, the short code printed under it, or (on
 * one event's check-in screen, after a search) the attendee row itself.
 */
export type TicketReference = { secret: string } | { code: string } | { attendeeId: string };

/**
 * Typed codes per session. A code has 50 random bits, so guessing is hopeless anyway; the limit
 * keeps anyone from even trying at scale, and is far above what one door types by hand.
 */
export const DOOR_CODE_LOOKUPS: ActionLimit = { name: "door-code", max: 30, windowMs: 60_000 };

/** A QR code can hold anything; only something shaped like our secrets is looked up. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

const ticketColumns = {
  id: attendees.id,
  name: attendees.name,
  eventId: attendees.eventId,
  status: attendees.status,
  checkedInAt: attendees.checkedInAt,
  checkedInByName: users.name,
  ticketTypeId: ticketTypes.id,
  ticketTypeName: ticketTypes.name,
  eventName: events.name,
  eventCancelledAt: events.cancelledAt,
};

async function findTicket(db: Db, where: SQL) {
  return (await db
    .select(ticketColumns)
    .from(attendees)
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .innerJoin(events, eq(events.id, attendees.eventId))
    .leftJoin(users, eq(users.id, attendees.checkedInBy))
    .where(where).limit(1))[0];
}

/** The lookup condition for a reference, or null when it can't name any ticket of ours. */
function referenceCondition(reference: TicketReference, screenEvent: Pick<Event, "id"> | null): SQL | null {
  if ("secret" in reference) {
    const secret = reference.secret.trim();
    return SECRET_PATTERN.test(secret) ? eq(attendees.checkinSecret, secret) : null;
  }
  if ("code" in reference) {
    const code = normalizeDoorCode(reference.code);
    return code ? eq(attendees.doorCode, code) : null;
  }
  // An attendee id is not a ticket: it is honoured only on the screen of the attendee's own event.
  if (!screenEvent || !looksLikeIdentifier(reference.attendeeId)) return null;
  return and(eq(attendees.id, reference.attendeeId), eq(attendees.eventId, screenEvent.id))!;
}

async function record(db: Db, caller: Caller, eventId: string, attendeeId: string | null, result: typeof checkins.$inferInsert.result, now: number) {
  await db.insert(checkins).values({ eventId, attendeeId, result, userId: caller.user.id, sessionId: caller.sessionId, at: now });
}

/**
 * Checks a ticket in at the door. With `event` (the check-in screen of one event, already
 * authorized for check-in by the caller) a ticket of another event is "not for this event".
 * Without it (a scanner device) the ticket's own event decides, and a caller not on its team is
 * refused. Typed codes take a hit of the session's DOOR_CODE_LOOKUPS first (429 when none is left).
 * Every attempt we can attribute to an event is recorded, failures with their reason.
 * The check-in itself is one conditional UPDATE, so of concurrent scans exactly one wins, whether
 * they came by QR code, typed code or search.
 */
export async function attemptCheckIn(
  db: Db,
  callerOrNull: Caller | null,
  input: TicketReference & { event?: Pick<Event, "id"> | null },
  now = Date.now(),
): Promise<CheckInOutcome> {
  const caller = requireSignedIn(callerOrNull);
  const screenEvent = input.event ?? null;
  if ("code" in input) await requireRoom(db, limitOn(DOOR_CODE_LOOKUPS, caller.sessionId), "Too many typed codes from this device; scan the QR code instead", now);
  const condition = referenceCondition(input, screenEvent);
  const found = condition ? (await findTicket(db, condition)) : undefined;

  if (!found) {
    if (screenEvent) await record(db, caller, screenEvent.id, null, "not_found", now);
    return { status: "not_found" };
  }
  if (screenEvent && found.eventId !== screenEvent.id) {
    await record(db, caller, screenEvent.id, null, "wrong_event", now);
    return { status: "wrong_event" };
  }
  if (!screenEvent && !(await can(db, caller, found.eventId, "check_in"))) throw forbidden("You are not on the team of this ticket's event");

  const subject: CheckInSubject = {
    attendee: { id: found.id, name: found.name },
    ticketType: { id: found.ticketTypeId, name: found.ticketTypeName },
    event: { id: found.eventId, name: found.eventName },
  };
  if (found.eventCancelledAt !== null) {
    await record(db, caller, found.eventId, found.id, "event_cancelled", now);
    return { status: "event_cancelled", ...subject };
  }
  return transaction(db, async (tx) => {
    const claimed = await tx
      .update(attendees)
      .set({ checkedInAt: now, checkedInBy: caller.user.id })
      .where(and(eq(attendees.id, found.id), isNull(attendees.checkedInAt), eq(attendees.status, "valid"))).returning({ id: attendees.id });
    if (claimed.length === 1) {
      await record(tx, caller, found.eventId, found.id, "checked_in", now);
      return { status: "checked_in" as const, checkedInAt: now, ...subject };
    }
    // Lost the race or refused: read the state that beat us.
    const current = (await findTicket(tx, eq(attendees.id, found.id)));
    if (!current) throw notFound("No such ticket");
    if (current.status === "cancelled") {
      await record(tx, caller, found.eventId, found.id, "cancelled", now);
      return { status: "cancelled" as const, ...subject };
    }
    await record(tx, caller, found.eventId, found.id, "already_checked_in", now);
    return { status: "already_checked_in" as const, checkedInAt: current.checkedInAt!, checkedInBy: current.checkedInByName, ...subject };
  });
}

/**
 * Takes a check-in back (the wrong guest was admitted, a mis-tap on the list): one conditional
 * UPDATE, so it undoes exactly one check-in, and a ticket not checked in is refused naming it.
 * Recorded at the door and, with the reason, in the event's audit log.
 */
export function undoCheckIn(db: Db, event: Pick<Event, "id">, caller: Caller, input: { attendeeId: string; reason: string }, now = Date.now()) {
  return transaction(db, async (tx) => {
    const ticket = looksLikeIdentifier(input.attendeeId) ? (await findTicket(tx, and(eq(attendees.id, input.attendeeId), eq(attendees.eventId, event.id))!)) : undefined;
    if (!ticket) throw fieldError("NOT_FOUND", { attendeeId: "No such ticket at this event" });
    const undone = await tx
      .update(attendees)
      .set({ checkedInAt: null, checkedInBy: null })
      .where(and(eq(attendees.id, ticket.id), isNotNull(attendees.checkedInAt))).returning({ id: attendees.id });
    if (undone.length !== 1) throw fieldError("CONFLICT", { attendeeId: `${ticket.name} isn't checked in, so there is nothing to undo` });
    await record(tx, caller, event.id, ticket.id, "undone", now);
    await recordAudit(tx, { eventId: event.id, caller, action: "checkin_undone", detail: { attendeeId: ticket.id, name: ticket.name, checkedInAt: ticket.checkedInAt, reason: input.reason } }, now);
    return { attendee: { id: ticket.id, name: ticket.name } };
  });
}

export const RECENT_SCANS = 20;

/**
 * The latest attempts at one event's door, newest first: at this device (the caller's session)
 * or at every door. Names and ticket types only, what the door already sees; and whether the
 * ticket is checked in now, so the screen can offer to undo it.
 */
export async function recentScans(db: Db, event: Pick<Event, "id">, caller: Caller, door: "this" | "all") {
  const conditions = [eq(checkins.eventId, event.id)];
  if (door === "this") conditions.push(eq(checkins.sessionId, caller.sessionId));
  return (await db
    .select({
      id: checkins.id,
      at: checkins.at,
      result: checkins.result,
      attendeeId: checkins.attendeeId,
      name: attendees.name,
      ticketType: ticketTypes.name,
      checkedInNow: isNotNull(attendees.checkedInAt).mapWith(Boolean),
      by: users.name,
    })
    .from(checkins)
    .innerJoin(users, eq(users.id, checkins.userId))
    .leftJoin(attendees, eq(attendees.id, checkins.attendeeId))
    .leftJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .where(and(...conditions))
    .orderBy(desc(checkins.at), desc(checkins.id))
    .limit(RECENT_SCANS));
}
