import "server-only";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";
import type { Caller } from "@/server/auth/caller";

/** One line in the audit log: who did what, through which session, to which event. */
export async function recordAudit(
  db: Db,
  entry: { eventId: string | null; caller: Caller | null; action: string; detail?: Record<string, unknown> },
  now = Date.now(),
): Promise<void> {
  await db
    .insert(auditLog)
    .values({
      eventId: entry.eventId,
      actorId: entry.caller?.user.id ?? null,
      sessionId: entry.caller?.sessionId ?? null,
      action: entry.action,
      detail: entry.detail ?? {},
      at: now,
    });
}
