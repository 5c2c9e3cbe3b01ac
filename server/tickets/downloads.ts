import "server-only";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { IN_TRANSACTION, transaction, type Db } from "@/db/client";
import { isDatabaseBusy } from "@/db/errors";
import { prepared } from "@/db/prepared";
import { ticketDownloads, users, type Order } from "@/db/schema";
import { ticketDownloadsVisibleOnlyBy, type OrderVisibility } from "@/server/access";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";

/** The audit trail of ticket PDF downloads (who, which tickets, when, from where, which session). */

export type DownloadRecord = {
  caller: Caller;
  order: Pick<Order, "id" | "eventId">;
  attendeeIds: readonly string[];
  visibility: OrderVisibility;
  ip: string;
  at?: number;
  /** The PDF (default), or the QR shown on a phone: either hands out the check-in secret. */
  format?: "pdf" | "qr";
};

export async function recordTicketDownload(db: Db, record: DownloadRecord): Promise<void> {
  const at = record.at ?? Date.now();
  const row = {
    orderId: record.order.id,
    eventId: record.order.eventId,
    userId: record.caller.user.id,
    sessionId: record.caller.sessionId,
    attendeeIds: [...record.attendeeIds],
    accessAs: record.visibility.as,
    ip: record.ip,
    at,
    format: record.format ?? "pdf",
  };
  if (record.visibility.as !== "staff") return storeGrouped(db, row);
  // Staff read tickets that aren't theirs or their event's; the event's own audit log shows it.
  await transaction(db, async (tx) => {
    await insertDownload(tx).execute(row);
    await recordAudit(
      tx,
      {
        eventId: record.order.eventId,
        caller: record.caller,
        action: "staff_ticket_download",
        detail: { orderId: record.order.id, attendeeIds: record.attendeeIds, ip: record.ip, format: row.format },
      },
      at,
    );
  });
}

type DownloadRow = typeof ticketDownloads.$inferInsert;
type Waiting = { row: DownloadRow; stored: () => void; failed: (error: unknown) => void };

/** Nine parameters a row: far below either database's limit on one statement's parameters. */
const MAX_ROWS_PER_INSERT = 100;
const waitingByDb = new WeakMap<Db, Waiting[]>();

/**
 * Stores a download's row together with the other downloads of the same turn of the event loop,
 * in one multi-row INSERT (a group commit), and resolves once it is stored. Under load a burst of
 * downloads costs the database one write instead of one each: on SQLite each write is a commit to
 * its log, which cost more than a download's three reads together (docs/ticket-route-speed.md).
 */
function storeGrouped(db: Db, row: DownloadRow): Promise<void> {
  if (IN_TRANSACTION in db) return insertDownload(db).execute(row).then(() => undefined);
  return new Promise((stored, failed) => {
    let waiting = waitingByDb.get(db);
    if (!waiting || waiting.length >= MAX_ROWS_PER_INSERT) {
      const group: Waiting[] = (waiting = []);
      waitingByDb.set(db, group);
      setImmediate(() => void storeGroup(db, group));
    }
    waiting.push({ row, stored, failed });
  });
}

async function storeGroup(db: Db, group: Waiting[]): Promise<void> {
  if (waitingByDb.get(db) === group) waitingByDb.delete(db);
  try {
    if (group.length === 1) await insertDownload(db).execute(group[0].row);
    else await db.insert(ticketDownloads).values(group.map((w) => w.row));
    for (const w of group) w.stored();
  } catch (error) {
    // A busy database fails them all alike; any other failure is one row's (its order deleted
    // meanwhile), so each row is stored alone and only that download fails.
    if (group.length === 1 || isDatabaseBusy(error)) {
      for (const w of group) w.failed(error);
      return;
    }
    for (const w of group) await insertDownload(db).execute(w.row).then(w.stored, w.failed);
  }
}

/** Prepared once per connection: every download runs it, and compiling it cost more than running it. */
function insertDownload(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  return prepared(db, "insert-ticket-download", (db) =>
    db
      .insert(ticketDownloads)
      .values({ orderId: p("orderId"), eventId: p("eventId"), userId: p("userId"), sessionId: p("sessionId"), attendeeIds: p("attendeeIds"), accessAs: p("accessAs"), ip: p("ip"), at: p("at"), format: p("format") }),
  );
}

const accessAsSchema = z.enum(["buyer", "holder", "owner", "organizer", "staff"]);
const attendeeIdsSchema = z.array(z.string());

export type DownloadHistoryEntry = {
  at: number;
  attendeeIds: string[];
  attendeeCount: number;
  /** Why they could download it; null only for a row this version doesn't know. */
  accessAs: z.infer<typeof accessAsSchema> | null;
  byName: string;
  /** Downloaded by the order's buyer. */
  isBuyer: boolean;
  /** Downloaded by the user looking at the history ("downloaded by you on …"). */
  isViewer: boolean;
  /** Who, as the order page words it: "you", "the buyer", "the organizer", "Admit staff", … */
  byLabel: string;
  /** A PDF downloaded, or a QR shown on screen. */
  format: "pdf" | "qr";
};

const LABELS: Record<z.infer<typeof accessAsSchema>, string> = {
  buyer: "the buyer",
  holder: "the ticket holder",
  owner: "the event owner",
  organizer: "the organizer",
  staff: "Admit staff",
};

/**
 * The order's download history, newest first, as the viewer may see it (see
 * `ticketDownloadsVisibleOnlyBy`). The caller must have passed `requireOrderAccess` for the order;
 * its `visibility` goes in here.
 */
export async function listDownloadHistory(
  db: Db,
  order: { id: string; buyerId: string },
  viewer: { userId: string; visibility: OrderVisibility },
  limit = 50,
): Promise<DownloadHistoryEntry[]> {
  const onlyBy = ticketDownloadsVisibleOnlyBy(viewer.userId, viewer.visibility);
  const rows = await db
    .select({
      at: ticketDownloads.at,
      userId: ticketDownloads.userId,
      attendeeIds: ticketDownloads.attendeeIds,
      accessAs: ticketDownloads.accessAs,
      format: ticketDownloads.format,
      byName: users.name,
    })
    .from(ticketDownloads)
    .innerJoin(users, eq(users.id, ticketDownloads.userId))
    .where(and(eq(ticketDownloads.orderId, order.id), onlyBy === null ? undefined : eq(ticketDownloads.userId, onlyBy)))
    .orderBy(desc(ticketDownloads.at), desc(ticketDownloads.id))
    .limit(limit);
  return rows.map((row) => {
    const accessAs = accessAsSchema.safeParse(row.accessAs);
    const parsedIds = attendeeIdsSchema.safeParse(row.attendeeIds);
    const ids = parsedIds.success ? parsedIds.data : [];
    const isViewer = row.userId === viewer.userId;
    return {
      at: row.at,
      attendeeIds: ids,
      attendeeCount: ids.length,
      accessAs: accessAs.success ? accessAs.data : null,
      byName: row.byName,
      isBuyer: row.userId === order.buyerId,
      isViewer,
      byLabel: isViewer ? "you" : accessAs.success ? LABELS[accessAs.data] : "someone with access",
      format: row.format,
    };
  });
}

/** Every download of an order, oldest first, for audits and tests. */
export function downloadsOfOrder(db: Db, orderIdentifier: string) {
  return db.select().from(ticketDownloads).where(eq(ticketDownloads.orderId, orderIdentifier)).orderBy(asc(ticketDownloads.id));
}
