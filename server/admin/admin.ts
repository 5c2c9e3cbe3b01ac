import "server-only";
import { and, count, desc, eq, gt, isNull, or } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { forUpdate } from "@/db/locks";
import { containsText } from "@/db/search";
import { sessions, users, type User } from "@/db/schema";
import { requireMayRevokeSessionsOf } from "@/server/access";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { listLiveSessions, revokeSession } from "@/server/auth/sessions";
import { fieldError, notFound } from "@/server/errors";

export const USERS_PAGE_SIZE = 50;

export async function listUsers(db: Db, input: { search?: string; page: number }) {
  const where = input.search
    ? or(containsText(users.email, input.search.toLowerCase()), containsText(users.name, input.search))
    : undefined;
  const rows = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, emailVerifiedAt: users.emailVerifiedAt, createdAt: users.createdAt })
    .from(users)
    .where(where)
    .orderBy(desc(users.createdAt))
    .limit(USERS_PAGE_SIZE)
    .offset((input.page - 1) * USERS_PAGE_SIZE);
  const [{ n: total }] = await db.select({ n: count() }).from(users).where(where);
  return { rows, total, page: input.page, pageSize: USERS_PAGE_SIZE };
}

/** Admins grant and withdraw staff/admin; the last admin can't demote themself into a locked-out system. */
export function setUserRole(db: Db, caller: Caller, input: { userId: string; role: User["role"] }) {
  return transaction(db, async (tx) => {
    const [user] = await tx.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, input.userId)).limit(1);
    if (!user) throw notFound("No such user");
    if (user.role === "admin" && input.role !== "admin") {
      // Every admin row locked while counted: two admins demoting each other at once can't both
      // go through (on SQLite the transaction's write lock does it).
      const admins = await forUpdate(tx.select({ id: users.id }).from(users).where(eq(users.role, "admin")));
      if (admins.length <= 1) throw fieldError("CONFLICT", { role: "This is the last admin; grant admin to someone else first" });
    }
    await tx.update(users).set({ role: input.role }).where(eq(users.id, user.id));
    await recordAudit(tx, { eventId: null, caller, action: "role_changed", detail: { userId: user.id, from: user.role, to: input.role } });
    return { userId: user.id, role: input.role };
  });
}

export async function userSessions(db: Db, userId: string) {
  const [exists] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1);
  if (!exists) throw notFound("No such user");
  return listLiveSessions(db, userId, null);
}

export async function revokeAnySession(db: Db, caller: Caller, sessionId: string) {
  const [session] = await db
    .select({ id: sessions.id, userId: sessions.userId, ownerRole: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.absoluteExpiresAt, Date.now())))
    .limit(1);
  if (!session) throw notFound("No such live session");
  requireMayRevokeSessionsOf(caller, { role: session.ownerRole });
  await revokeSession(db, session.id, "revoked_by_staff");
  await recordAudit(db, { eventId: null, caller, action: "session_revoked_by_staff", detail: { sessionId: session.id, userId: session.userId } });
  return { revoked: true };
}
