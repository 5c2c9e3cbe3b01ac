import { and, count, desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
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
export function listQueuedMail(db: Db, input: { status: MailListStatus; page: number }) {
  const rows = db
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
    .offset((input.page - 1) * MAILS_PAGE_SIZE)
    .all();
  return { rows, total: mailCounts(db)[input.status], counts: mailCounts(db), page: input.page, pageSize: MAILS_PAGE_SIZE };
}

/** How many mails wait and how many failed for good (the console's summary and the health check). */
export function mailCounts(db: Db): Record<MailListStatus, number> {
  const byStatus = db.select({ status: mailQueue.status, n: count() }).from(mailQueue).groupBy(mailQueue.status).all();
  const of = (status: MailListStatus) => byStatus.find((row) => row.status === status)?.n ?? 0;
  return { failed: of("failed"), pending: of("pending") };
}

/** A failed mail goes back into the queue with a fresh set of attempts, due now. */
export function retryFailedMail(db: Db, caller: Caller, mailId: string, now = Date.now()) {
  const retried = db.transaction((tx) => {
    const row = tx
      .update(mailQueue)
      .set({ status: "pending", attempts: 0, nextAttemptAt: now, claimedUntil: null })
      .where(and(eq(mailQueue.id, mailId), eq(mailQueue.status, "failed")))
      .returning({ id: mailQueue.id, recipient: mailQueue.recipient, subject: mailQueue.subject })
      .get();
    if (!row) throw notFound("No failed mail with this id");
    recordAudit(tx, { eventId: null, caller, action: "mail_retried", detail: { mailId: row.id, subject: row.subject } }, now);
    return row;
  });
  nudgeMailWorkerSoon();
  return { id: retried.id, status: "pending" as const };
}
