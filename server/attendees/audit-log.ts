import "server-only";
import { and, desc, eq, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { jsonObject, jsonValue } from "@/db/json";
import { attendees, auditLog, checkins, ticketDownloads, users, type Event } from "@/db/schema";
import { maySeeIpAddresses } from "@/server/access";
import type { Caller } from "@/server/auth/caller";

export const AUDIT_PAGE_SIZE = 50;

export type AuditEntry = { kind: "action" | "checkin" | "download"; action: string; actorName: string | null; detail: Record<string, unknown>; at: number };

// Typed in SQL: PostgreSQL can't infer a bare parameter's type in a UNION.
const kind = (value: AuditEntry["kind"]) => sql<AuditEntry["kind"]>`cast(${value} as text)`;

/**
 * One event's history, newest first: team changes, cancellations and regenerations (audit_log),
 * every check-in attempt (checkins) and every ticket download (ticket_downloads). Each source
 * keeps its own table; this reads them as one list.
 */
export async function eventAuditLog(db: Db, event: Pick<Event, "id">, viewer: Caller, page: number) {
  const offset = (page - 1) * AUDIT_PAGE_SIZE;
  const showIp = maySeeIpAddresses(viewer);
  const actions = db
    .select({ kind: kind("action"), action: auditLog.action, actorName: users.name, detail: auditLog.detail, at: auditLog.at })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(eq(auditLog.eventId, event.id));
  const checkIns = db
    .select({
      kind: kind("checkin"),
      action: sql<string>`${checkins.result}`,
      actorName: users.name,
      detail: jsonObject({ attendeeId: checkins.attendeeId, attendeeName: attendees.name }),
      at: checkins.at,
    })
    .from(checkins)
    .leftJoin(users, eq(users.id, checkins.userId))
    .leftJoin(attendees, eq(attendees.id, checkins.attendeeId))
    // An undo is in audit_log already, with its reason.
    .where(and(eq(checkins.eventId, event.id), ne(checkins.result, "undone")));
  const downloads = db
    .select({
      kind: kind("download"),
      action: sql<string>`cast('ticket_download' as text)`,
      actorName: users.name,
      detail: jsonObject({ orderId: ticketDownloads.orderId, attendeeIds: jsonValue(ticketDownloads.attendeeIds), as: ticketDownloads.accessAs, ip: ticketDownloads.ip }),
      at: ticketDownloads.at,
    })
    .from(ticketDownloads)
    .leftJoin(users, eq(users.id, ticketDownloads.userId))
    .where(eq(ticketDownloads.eventId, event.id));
  const rows = await actions
    .unionAll(checkIns)
    .unionAll(downloads)
    .orderBy(desc(auditLog.at))
    .limit(AUDIT_PAGE_SIZE + 1)
    .offset(offset);
  const entries: AuditEntry[] = rows.slice(0, AUDIT_PAGE_SIZE).map((r) => {
    const { ip, ...detail } = r.detail;
    return { ...r, detail: showIp && ip !== undefined ? { ...detail, ip } : detail };
  });
  return { entries, page, hasMore: rows.length > AUDIT_PAGE_SIZE };
}
