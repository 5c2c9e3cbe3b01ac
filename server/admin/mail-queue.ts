import "server-only";
import { and, count, desc, eq } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { mailQueue } from "@/db/schema";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { notFound } from "@/server/errors";
import { nudgeMailWorkerSoon } from "@/server/mail";

export const MAILS_PAGE_SIZE = 50;

export type MailListStatus = "failed" | "pending";

/**
 * Queued mail as the staff console shows it: who it is for, what it is about and what went wrong,
 * never its body (it can hold a confirmation link that only the recipient may use).
 */
export async function listQueuedMail(db: Db, input: { status: MailListStatus; page: number }) {
  const rows = await db
    .select({
      id: mailQueue.id,
      recipient: mailQueue.recipient,
      subject: mailQueue.subject,
      attempts: mailQueue.attempts,
      lastError: mailQueue.lastError,
      lastAttemptAt: mailQueue.lastAttemptAt,
      nextAttemptAt: mailQueue.nextAttemptAt,
      createdAt: mailQueue.createdAt,
    })
    .from(mailQueue)
    .where(eq(mailQueue.status, input.status))
    .orderBy(desc(mailQueue.createdAt), desc(mailQueue.id))
    .limit(MAILS_PAGE_SIZE)
    .offset((input.page - 1) * MAILS_PAGE_SIZE);
  const counts = await mailCounts(db);
  return { rows, total: counts[input.status], counts, page: input.page, pageSize: MAILS_PAGE_SIZE };
}

/** How many mails wait and how many failed for good (the console's summary and the health check). */
export async function mailCounts(db: Db): Promise<Record<MailListStatus, number>> {
  const byStatus = await db.select({ status: mailQueue.status, n: count() }).from(mailQueue).groupBy(mailQueue.status);
  const of = (status: MailListStatus) => byStatus.find((row) => row.status === status)?.n ?? 0;
  return { failed: of("failed"), pending: of("pending") };
}

/** A failed mail goes back into the queue with a fresh set of attempts, due now. */
export async function retryFailedMail(db: Db, caller: Caller, mailId: string, now = Date.now()) {
  const retried = await transaction(db, async (tx) => {
    const [row] = await tx
      .update(mailQueue)
      .set({ status: "pending", attempts: 0, nextAttemptAt: now, claimedUntil: null })
      .where(and(eq(mailQueue.id, mailId), eq(mailQueue.status, "failed")))
      .returning({ id: mailQueue.id, recipient: mailQueue.recipient, subject: mailQueue.subject });
    if (!row) throw notFound("No failed mail with this id");
    await recordAudit(tx, { eventId: null, caller, action: "mail_retried", detail: { mailId: row.id, subject: row.subject } }, now);
    return row;
  });
  nudgeMailWorkerSoon();
  return { id: retried.id, status: "pending" as const };
}
