import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { Event } from "@/db/schema";
import { maySeeIpAddresses } from "@/server/access";
import type { Caller } from "@/server/auth/caller";

export const AUDIT_PAGE_SIZE = 50;

export type AuditEntry = { kind: "action" | "checkin" | "download"; action: string; actorName: string | null; detail: Record<string, unknown>; at: number };

/**
 * One event's history, newest first: team changes, cancellations and regenerations (audit_log),
 * every check-in attempt (checkins) and every ticket download (ticket_downloads). Each source
 * keeps its own table; this reads them as one list.
 */
export function eventAuditLog(db: Db, event: Pick<Event, "id">, viewer: Caller, page: number) {
  const offset = (page - 1) * AUDIT_PAGE_SIZE;
  const showIp = maySeeIpAddresses(viewer);
  const rows = db.all<{ kind: AuditEntry["kind"]; action: string; actorName: string | null; detail: string; at: number }>(sql`
    SELECT * FROM (
      SELECT 'action' AS kind, a.action AS action, u.name AS actorName, a.detail AS detail, a.at AS at
        FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE a.event_id = ${event.id}
      UNION ALL
      SELECT 'checkin', c.result, u.name, json_object('attendeeId', c.attendee_id, 'attendeeName', at.name), c.at
        FROM checkins c LEFT JOIN users u ON u.id = c.user_id LEFT JOIN attendees at ON at.id = c.attendee_id
        -- An undo is in audit_log already, with its reason.
        WHERE c.event_id = ${event.id} AND c.result <> 'undone'
      UNION ALL
      SELECT 'download', 'ticket_download', u.name, json_object('orderId', d.order_id, 'attendeeIds', json(d.attendee_ids), 'as', d.access_as, 'ip', d.ip), d.at
        FROM ticket_downloads d LEFT JOIN users u ON u.id = d.user_id WHERE d.event_id = ${event.id}
    ) ORDER BY at DESC LIMIT ${AUDIT_PAGE_SIZE + 1} OFFSET ${offset}`);
  const entries: AuditEntry[] = rows.slice(0, AUDIT_PAGE_SIZE).map((r) => {
    const { ip, ...detail } = JSON.parse(r.detail) as Record<string, unknown>;
    return { ...r, detail: showIp && ip !== undefined ? { ...detail, ip } : detail };
  });
  return { entries, page, hasMore: rows.length > AUDIT_PAGE_SIZE };
}
