import { and, asc, count, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { eventMembers, users } from "@/db/schema";
import { requireEventPermission, type EventRole } from "@/server/access";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { fieldError, notFound } from "@/server/errors";

export function listTeam(db: Db, caller: Caller | null, eventId: string) {
  const event = requireEventPermission(db, caller, eventId, "view_event");
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: eventMembers.role, since: eventMembers.createdAt })
    .from(eventMembers)
    .innerJoin(users, eq(users.id, eventMembers.userId))
    .where(eq(eventMembers.eventId, event.id))
    .orderBy(asc(eventMembers.createdAt))
    .all();
}

/** Adds someone by the email of their account, or changes the role of someone already on the team. */
export function addTeamMember(db: Db, caller: Caller | null, input: { eventId: string; email: string; role: EventRole }, now = Date.now()) {
  const event = requireEventPermission(db, caller, input.eventId, "manage_team");
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

export function removeTeamMember(db: Db, caller: Caller | null, input: { eventId: string; userId: string }, now = Date.now()) {
  const event = requireEventPermission(db, caller, input.eventId, "manage_team");
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
