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

/** Adds someone by the email of their account, or changes the role of someone already on the team. */
export async function addTeamMember(db: Db, event: Pick<Event, "id">, caller: Caller, input: { email: string; role: EventRole }, now = Date.now()) {
  const [user] = await db.select({ id: users.id, name: users.name }).from(users).where(eq(users.email, input.email.toLowerCase())).limit(1);
  if (!user) throw fieldError("NOT_FOUND", { email: "No Admit account uses this email. Ask them to register first." });
  return transaction(db, async (tx) => {
    const [existing] = await tx.select({ role: eventMembers.role }).from(eventMembers).where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, user.id))).limit(1);
    if (existing?.role === "owner" && input.role !== "owner") await assertAnotherOwner(tx, event.id);
    if (existing) await tx.update(eventMembers).set({ role: input.role }).where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, user.id)));
    else await tx.insert(eventMembers).values({ eventId: event.id, userId: user.id, role: input.role, createdAt: now });
    await recordAudit(tx, { eventId: event.id, caller, action: existing ? "team_role_changed" : "team_member_added", detail: { userId: user.id, name: user.name, role: input.role, previousRole: existing?.role } }, now);
    return { userId: user.id, role: input.role };
  });
}

export function removeTeamMember(db: Db, event: Pick<Event, "id">, caller: Caller, input: { userId: string }, now = Date.now()) {
  return transaction(db, async (tx) => {
    const [member] = await tx
      .select({ role: eventMembers.role, name: users.name })
      .from(eventMembers)
      .innerJoin(users, eq(users.id, eventMembers.userId))
      .where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, input.userId)))
      .limit(1);
    if (!member) throw notFound("This person is not on the team");
    if (member.role === "owner") await assertAnotherOwner(tx, event.id);
    await tx.delete(eventMembers).where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, input.userId)));
    await recordAudit(tx, { eventId: event.id, caller, action: "team_member_removed", detail: { userId: input.userId, name: member.name, role: member.role } }, now);
    return { removed: true };
  });
}

/**
 * An event always keeps an owner, or nobody could manage its team again. The event's owner rows
 * are locked while counted: of two owners removing each other at once, the second waits for the
 * first to commit and then counts one owner left (on SQLite the transaction's write lock does it).
 */
async function assertAnotherOwner(tx: Db, eventId: string) {
  const owners = await forUpdate(
    tx.select({ userId: eventMembers.userId }).from(eventMembers).where(and(eq(eventMembers.eventId, eventId), eq(eventMembers.role, "owner"))),
  );
  if (owners.length <= 1) throw fieldError("CONFLICT", { userId: "An event needs at least one owner. Add another owner first." });
}
