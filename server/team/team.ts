import { and, asc, count, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
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
    .orderBy(asc(eventMembers.createdAt))
    .all();
}

/** Adds someone by the email of their account, or changes the role of someone already on the team. */
export function addTeamMember(db: Db, event: Pick<Event, "id">, caller: Caller, input: { email: string; role: EventRole }, now = Date.now()) {
  const user = db.select({ id: users.id, name: users.name }).from(users).where(eq(users.email, input.email.toLowerCase())).get();
  if (!user) throw fieldError("NOT_FOUND", { email: "No Admit account uses this email. Ask them to register first." });
  return db.transaction((tx) => {
    const existing = tx.select({ role: eventMembers.role }).from(eventMembers).where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, user.id))).get();
    if (existing?.role === "owner" && input.role !== "owner") assertAnotherOwner(tx, event.id);
    if (existing) tx.update(eventMembers).set({ role: input.role }).where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, user.id))).run();
    else tx.insert(eventMembers).values({ eventId: event.id, userId: user.id, role: input.role, createdAt: now }).run();
    recordAudit(tx, { eventId: event.id, caller, action: existing ? "team_role_changed" : "team_member_added", detail: { userId: user.id, name: user.name, role: input.role, previousRole: existing?.role } }, now);
    return { userId: user.id, role: input.role };
  }, { behavior: "immediate" });
}

export function removeTeamMember(db: Db, event: Pick<Event, "id">, caller: Caller, input: { userId: string }, now = Date.now()) {
  return db.transaction((tx) => {
    const member = tx
      .select({ role: eventMembers.role, name: users.name })
      .from(eventMembers)
      .innerJoin(users, eq(users.id, eventMembers.userId))
      .where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, input.userId)))
      .get();
    if (!member) throw notFound("This person is not on the team");
    if (member.role === "owner") assertAnotherOwner(tx, event.id);
    tx.delete(eventMembers).where(and(eq(eventMembers.eventId, event.id), eq(eventMembers.userId, input.userId))).run();
    recordAudit(tx, { eventId: event.id, caller, action: "team_member_removed", detail: { userId: input.userId, name: member.name, role: member.role } }, now);
    return { removed: true };
  }, { behavior: "immediate" });
}

/** An event always keeps an owner, or nobody could manage its team again. */
function assertAnotherOwner(db: Db, eventId: string) {
  const owners = db.select({ n: count() }).from(eventMembers).where(and(eq(eventMembers.eventId, eventId), eq(eventMembers.role, "owner"))).get()?.n ?? 0;
  if (owners <= 1) throw fieldError("CONFLICT", { userId: "An event needs at least one owner. Add another owner first." });
}
