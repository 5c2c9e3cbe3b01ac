import { and, eq, isNull } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { attendees, checkins, events, ticketTypes, users, type Event } from "@/db/schema";
import { requireSignedIn, can } from "@/server/access";
import type { Caller } from "@/server/auth/caller";
import { forbidden, notFound } from "@/server/errors";

export type CheckInSubject = {
  attendee: { id: string; name: string };
  ticketType: { id: string; name: string };
  event: { id: string; name: string };
};

export type CheckInOutcome =
  | ({ status: "checked_in"; checkedInAt: number } & CheckInSubject)
  | ({ status: "already_checked_in"; checkedInAt: number; checkedInBy: string | null } & CheckInSubject)
  | ({ status: "cancelled" } & CheckInSubject)
  // Names nothing of the other event: the door of one event learns nothing about another.
  | { status: "wrong_event" }
  | { status: "not_found" };

/** A QR code can hold anything; only something shaped like our secrets is looked up. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

async function findBySecret(db: Db, secret: string) {
  if (!SECRET_PATTERN.test(secret)) return undefined;
  const [found] = await db
    .select({
      id: attendees.id,
      name: attendees.name,
      eventId: attendees.eventId,
      status: attendees.status,
      checkedInAt: attendees.checkedInAt,
      checkedInByName: users.name,
      ticketTypeId: ticketTypes.id,
      ticketTypeName: ticketTypes.name,
      eventName: events.name,
    })
    .from(attendees)
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .innerJoin(events, eq(events.id, attendees.eventId))
    .leftJoin(users, eq(users.id, attendees.checkedInBy))
    .where(eq(attendees.checkinSecret, secret))
    .limit(1);
  return found;
}

async function record(db: Db, caller: Caller, eventId: string, attendeeId: string | null, result: typeof checkins.$inferInsert.result, now: number) {
  await db.insert(checkins).values({ eventId, attendeeId, result, userId: caller.user.id, sessionId: caller.sessionId, at: now });
}

/**
 * Checks a ticket in at the door. With `event` (the check-in screen of one event, already
 * authorized for check-in by the caller) a ticket of another event is "not for this event".
 * Without it (a scanner device) the ticket's own event decides, and a caller not on its team is
 * refused.
 * Every attempt we can attribute to an event is recorded, failures with their reason.
 * The check-in itself is one conditional UPDATE, so of concurrent scans exactly one wins.
 */
export async function attemptCheckIn(db: Db, callerOrNull: Caller | null, input: { secret: string; event?: Pick<Event, "id"> | null }, now = Date.now()): Promise<CheckInOutcome> {
  const caller = requireSignedIn(callerOrNull);
  const screenEvent = input.event ?? null;
  const found = await findBySecret(db, input.secret.trim());

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
  return transaction(db, async (tx): Promise<CheckInOutcome> => {
    const claimed = await tx
      .update(attendees)
      .set({ checkedInAt: now, checkedInBy: caller.user.id })
      .where(and(eq(attendees.id, found.id), isNull(attendees.checkedInAt), eq(attendees.status, "valid")))
      .returning({ id: attendees.id });
    if (claimed.length === 1) {
      await record(tx, caller, found.eventId, found.id, "checked_in", now);
      return { status: "checked_in", checkedInAt: now, ...subject };
    }
    // Lost the race or refused: read the state that beat us.
    const current = await findBySecret(tx, input.secret.trim());
    if (!current) throw notFound("No such ticket");
    if (current.status === "cancelled") {
      await record(tx, caller, found.eventId, found.id, "cancelled", now);
      return { status: "cancelled", ...subject };
    }
    await record(tx, caller, found.eventId, found.id, "already_checked_in", now);
    return { status: "already_checked_in", checkedInAt: current.checkedInAt!, checkedInBy: current.checkedInByName, ...subject };
  });
}
