import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { forUpdate } from "@/db/locks";
import { eventMembers, users, type Event } from "@/db/schema";
import type { EventRole } from "@/server/access";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { fieldError, notFound } from "@/server/errors";

/** The procedures are built on eventProcedure: the event is already authorized here. */
export function listTeam(db: Db, event: Pick<Event, "id">) {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: eventMembers.role, since: eventMembers.createdAt })
    .from(eventMembers)
    .innerJoin(users, eq(users.id, eventMembers.userId))
    .where(eq(eventMembers.eventId, event.id))
    .orderBy(asc(eventMembers.createdAt));
}

/** Changes the role of someone on the team (an event always keeps an owner). */
export function changeTeamRole(db: Db, event: Pick<Event, "id">, caller: Caller, input: { userId: string; role: EventRole }, now = Date.now()) {
  return transaction(db, async (tx) => {
    const member = await requireMember(tx, event.id, input.userId);
    if (member.role === "owner" && input.role !== "owner") await assertAnotherOwner(tx, event.id);
    await tx.update(eventMembers).set({ role: input.role }).where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, input.userId)));
    await recordAudit(tx, { eventId: event.id, caller, action: "team_role_changed", detail: { userId: input.userId, name: member.name, role: input.role, previousRole: member.role } }, now);
    return { userId: input.userId, role: input.role };
  });
}

export function removeTeamMember(db: Db, event: Pick<Event, "id">, caller: Caller, input: { userId: string }, now = Date.now()) {
  return transaction(db, async (tx) => {
    const member = await requireMember(tx, event.id, input.userId);
    if (member.role === "owner") await assertAnotherOwner(tx, event.id);
    await tx.delete(eventMembers).where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, input.userId)));
    await recordAudit(tx, { eventId: event.id, caller, action: "team_member_removed", detail: { userId: input.userId, name: member.name, role: member.role } }, now);
    return { removed: true };
  });
}

/** Someone on the event's team, by user id; anyone else (on another team, or nobody) is "not found". */
async function requireMember(db: Db, eventId: string, userId: string) {
  const [member] = await db
    .select({ role: eventMembers.role, name: users.name })
    .from(eventMembers)
    .innerJoin(users, eq(users.id, eventMembers.userId))
    .where(and(eq(eventMembers.eventId, eventId), eq(eventMembers.userId, userId)))
    .limit(1);
  if (!member) throw notFound("This person is not on the team");
  return member;
}

/**
 * An event always keeps an owner, or nobody could manage its team again. The event's owner rows
 * are locked while counted: of two owners removing or demoting each other at once, the second
 * waits for the first to commit and then counts one owner left (on SQLite the transaction's write
 * lock does it).
 */
async function assertAnotherOwner(tx: Db, eventId: string) {
  const owners = await forUpdate(
    tx.select({ userId: eventMembers.userId }).from(eventMembers).where(and(eq(eventMembers.eventId, eventId), eq(eventMembers.role, "owner"))),
  );
  if (owners.length <= 1) throw fieldError("CONFLICT", { userId: "An event needs at least one owner. Add another owner first." });
}
