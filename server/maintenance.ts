import "server-only";
import { and, count, eq, inArray, isNotNull, lt, max, min, or, sql } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { auditTotals, checkins, emailLinks, events, mailQueue, sessions, ticketDownloads } from "@/db/schema";
import type { Config } from "@/server/config";
import { pruneRateLimitHits, SIGN_IN_KNOWN_ADDRESS_MS } from "@/server/rate-limit";
import { sweepTicketCache } from "@/server/tickets/cache";

/**
 * Data that would otherwise grow for ever, trimmed by a scheduler inside the server
 * (scripts/serve.ts): every ticket download and check-in attempt writes a row, every sign-in a
 * session, every confirmation link a token, every limited action a rate-limit hit, every mail a
 * queue row, every new set of tickets a cached PDF.
 */

const DAY = 24 * 60 * 60_000;

export type RetentionPolicy = {
  /** Download and check-in rows of an event are kept this long after it ends, then only their counts. */
  auditDaysAfterEvent: number;
  /** Sent mail (it can hold confirmation links) is deleted after this; failed mail after `failedMailDays`. */
  sentMailDays: number;
  failedMailDays: number;
  /** A cached ticket PDF written this long ago is deleted (rendered again if asked for); superseded ones go at once. */
  ticketCacheDays: number;
};

export const DEFAULT_RETENTION: Omit<RetentionPolicy, "auditDaysAfterEvent" | "ticketCacheDays"> = { sentMailDays: 7, failedMailDays: 30 };

/** The server's policy: the defaults, with what the configuration sets (RETENTION_DAYS, TICKET_CACHE_DAYS). */
export function retentionPolicy(settings: Pick<Config, "retentionDays" | "ticketCacheDays">): RetentionPolicy {
  return { ...DEFAULT_RETENTION, auditDaysAfterEvent: settings.retentionDays, ticketCacheDays: settings.ticketCacheDays };
}

export type MaintenanceReport = {
  events: number;
  downloads: number;
  checkins: number;
  sessions: number;
  emailLinks: number;
  rateLimitHits: number;
  mails: number;
  ticketFiles: number;
};

/**
 * The download and check-in rows of events that ended more than `days` ago, replaced by their
 * counts in audit_totals (per order for downloads, per result for check-ins), one event per
 * transaction so the write lock is never held long. Counts add up across runs.
 */
export async function pruneAuditOfPastEvents(db: Db, days: number, now = Date.now()): Promise<Pick<MaintenanceReport, "events" | "downloads" | "checkins">> {
  const cutoff = now - days * DAY;
  const report = { events: 0, downloads: 0, checkins: 0 };
  const hasRows = (table: typeof ticketDownloads | typeof checkins) => sql`exists (select 1 from ${table} where ${table.eventId} = ${events.id})`;
  const past = await db
    .select({ id: events.id })
    .from(events)
    .where(and(lt(events.endsAt, cutoff), or(hasRows(ticketDownloads), hasRows(checkins))));
  for (const { id } of past) {
    await transaction(db, async (tx) => {
      const downloads = await tx
        .select({ orderId: ticketDownloads.orderId, n: count(), first: min(ticketDownloads.at), last: max(ticketDownloads.at) })
        .from(ticketDownloads)
        .where(eq(ticketDownloads.eventId, id))
        .groupBy(ticketDownloads.orderId);
      const attempts = await tx
        .select({ result: checkins.result, n: count(), first: min(checkins.at), last: max(checkins.at) })
        .from(checkins)
        .where(eq(checkins.eventId, id))
        .groupBy(checkins.result);
      const totals = [
        ...downloads.map((d) => ({ orderId: d.orderId, kind: "ticket_download", n: d.n, first: d.first!, last: d.last! })),
        ...attempts.map((a) => ({ orderId: "", kind: `checkin:${a.result}`, n: a.n, first: a.first!, last: a.last! })),
      ];
      for (const total of totals) {
        await tx
          .insert(auditTotals)
          .values({ eventId: id, orderId: total.orderId, kind: total.kind, count: total.n, firstAt: total.first, lastAt: total.last })
          .onConflictDoUpdate({
            target: [auditTotals.eventId, auditTotals.orderId, auditTotals.kind],
            // CASE rather than two-argument min/max, which PostgreSQL spells LEAST/GREATEST.
            set: {
              count: sql`${auditTotals.count} + ${total.n}`,
              firstAt: sql`case when ${auditTotals.firstAt} < ${total.first} then ${auditTotals.firstAt} else ${total.first} end`,
              lastAt: sql`case when ${auditTotals.lastAt} > ${total.last} then ${auditTotals.lastAt} else ${total.last} end`,
            },
          });
      }
      report.downloads += (await tx.delete(ticketDownloads).where(eq(ticketDownloads.eventId, id)).returning({ id: ticketDownloads.id })).length;
      report.checkins += (await tx.delete(checkins).where(eq(checkins.eventId, id)).returning({ id: checkins.id })).length;
      report.events++;
    });
  }
  return report;
}

/**
 * Sessions that can't be used any more (expired or revoked a day ago or longer), once they are
 * also older than the sign-in limits look back (server/rate-limit.ts reads which addresses an
 * account signed in from); their refresh tokens go with them.
 */
export async function pruneDeadSessions(db: Db, now = Date.now()): Promise<number> {
  const deadSince = now - DAY;
  const dead = or(lt(sessions.absoluteExpiresAt, deadSince), lt(sessions.idleExpiresAt, deadSince), and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, deadSince)));
  const removed = await db
    .delete(sessions)
    .where(and(dead, lt(sessions.createdAt, now - SIGN_IN_KNOWN_ADDRESS_MS)))
    .returning({ id: sessions.id });
  return removed.length;
}

/** Confirmation links used or expired a day ago or longer. */
export async function pruneEmailLinks(db: Db, now = Date.now()): Promise<number> {
  const since = now - DAY;
  const removed = await db
    .delete(emailLinks)
    .where(or(lt(emailLinks.expiresAt, since), lt(emailLinks.usedAt, since)))
    .returning({ tokenHash: emailLinks.tokenHash });
  return removed.length;
}

/** Mail delivered a while ago, and mail that failed for good long ago. */
export async function pruneMailQueue(db: Db, policy: Pick<RetentionPolicy, "sentMailDays" | "failedMailDays">, now = Date.now()): Promise<number> {
  const sent = and(eq(mailQueue.status, "sent"), lt(mailQueue.sentAt, now - policy.sentMailDays * DAY));
  const failed = and(eq(mailQueue.status, "failed"), lt(mailQueue.lastAttemptAt, now - policy.failedMailDays * DAY));
  const ids = (await db.select({ id: mailQueue.id }).from(mailQueue).where(or(sent, failed))).map((row) => row.id);
  let removed = 0;
  // In slices: a long IN list is refused by some drivers.
  for (let i = 0; i < ids.length; i += 500) {
    removed += (await db.delete(mailQueue).where(inArray(mailQueue.id, ids.slice(i, i + 500))).returning({ id: mailQueue.id })).length;
  }
  return removed;
}

/** One round of everything above, and the PDF cache sweep. */
export async function runMaintenance(db: Db, policy: RetentionPolicy, now = Date.now()): Promise<MaintenanceReport> {
  const audit = await pruneAuditOfPastEvents(db, policy.auditDaysAfterEvent, now);
  return {
    ...audit,
    sessions: await pruneDeadSessions(db, now),
    emailLinks: await pruneEmailLinks(db, now),
    rateLimitHits: await pruneRateLimitHits(db, now),
    mails: await pruneMailQueue(db, policy, now),
    ticketFiles: (await sweepTicketCache(policy.ticketCacheDays * DAY, now)).removed,
  };
}

export type Maintenance = { stop(): Promise<void> };

/**
 * Runs maintenance shortly after start and then every `everyMs` (hourly), never two rounds at
 * once. A round that fails (the database busy, the disk gone) is logged and the next one tries
 * again; with several app instances each runs it, which is harmless, as every step is idempotent.
 */
export function startMaintenance(db: Db, policy: RetentionPolicy, { everyMs = 60 * 60_000, firstAfterMs = 60_000 } = {}): Maintenance {
  let running: Promise<void> | null = null;
  const round = () => {
    if (running) return;
    running = runMaintenance(db, policy)
      .then((report) => {
        const removed = Object.entries(report).filter(([, n]) => n > 0);
        if (removed.length) console.log(`Maintenance removed: ${removed.map(([what, n]) => `${n} ${what}`).join(", ")}`);
      })
      .catch((error) => console.error("Maintenance failed; it runs again later:", error))
      .finally(() => (running = null));
  };
  const first = setTimeout(round, firstAfterMs);
  const timer = setInterval(round, everyMs);
  // Neither keeps a process alive that has nothing else to do.
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
