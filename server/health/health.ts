import "server-only";
import { eq, min, sql } from "drizzle-orm";
import { execute, type Db } from "@/db/client";
import { mailQueue } from "@/db/schema";
import { mailCounts } from "@/server/admin/mail-queue";
import { isShuttingDown } from "@/server/http/shutdown";

/** Pending mail older than this means delivery is behind (the mail server down, say). */
export const MAIL_DELAYED_AFTER_MS = 10 * 60_000;

/** How long a load balancer's check waits for the database before calling the instance down. */
export const HEALTH_TIMEOUT_MS = 2_000;

export type Health = {
  status: "ok" | "unavailable" | "shutting_down";
  database: "ok" | "unavailable";
  mailQueue: { state: "ok" | "delayed" | "unknown"; pending: number; failed: number; oldestPendingSeconds: number | null };
};

/**
 * Whether this instance can serve, for load balancers and monitoring. The database decides: every
 * request needs it (sessions, orders, tickets), and it must answer within HEALTH_TIMEOUT_MS. The
 * mail queue is reported, not judged: a mail server that is down delays mail but takes nothing
 * away from this instance, so it never makes it unhealthy; "delayed" and the failed count are
 * for whoever watches. Draining on SIGTERM is 503.
 */
export async function healthOf(open: () => Db, now = Date.now(), timeoutMs = HEALTH_TIMEOUT_MS): Promise<Health> {
  let database: Health["database"] = "ok";
  let mail: Health["mailQueue"] = { state: "unknown", pending: 0, failed: 0, oldestPendingSeconds: null };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("database check timed out")), timeoutMs)));
  try {
    const db = open();
    await Promise.race([execute(db, sql`select 1`), timedOut]);
    const counts = await mailCounts(db);
    const [row] = await db.select({ at: min(mailQueue.createdAt) }).from(mailQueue).where(eq(mailQueue.status, "pending"));
    const oldest = row?.at ?? null;
    const age = oldest === null ? null : Math.max(0, now - oldest);
    mail = { state: age !== null && age > MAIL_DELAYED_AFTER_MS ? "delayed" : "ok", ...counts, oldestPendingSeconds: age === null ? null : Math.round(age / 1000) };
  } catch {
    database = "unavailable";
  } finally {
    clearTimeout(timer);
  }
  const status = isShuttingDown() ? "shutting_down" : database === "ok" ? "ok" : "unavailable";
  return { status, database, mailQueue: mail };
}
