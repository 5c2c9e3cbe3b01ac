import { and, eq, sql } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { attendees, orders, ticketTypes, type Event } from "@/db/schema";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { notFound } from "@/server/errors";
import { looksLikeIdentifier, randomId } from "@/server/ids";

/**
 * Cancelling and regenerating change what a ticket PDF prints (status, QR secret), so the PDF
 * cache key changes with them and the old file is never served again; the old secret stops
 * matching at the door at once. Every query is scoped by the event: an id from another event is
 * simply not found.
 */
async function attendeeOf(db: Db, eventId: string, attendeeId: string) {
  if (!looksLikeIdentifier(attendeeId)) throw notFound("No such attendee");
  const [row] = await db.select().from(attendees).where(and(eq(attendees.id, attendeeId), eq(attendees.eventId, eventId))).limit(1);
  if (!row) throw notFound("No such attendee");
  return row;
}

async function orderOf(db: Db, eventId: string, orderId: string) {
  if (!looksLikeIdentifier(orderId)) throw notFound("No such order");
  const [row] = await db.select().from(orders).where(and(eq(orders.id, orderId), eq(orders.eventId, eventId))).limit(1);
  if (!row) throw notFound("No such order");
  return row;
}

/** Cancels valid attendees and gives their seats back; returns how many changed. */
async function cancelRows(db: Db, rows: Array<{ id: string; ticketTypeId: string; status: string }>, now: number): Promise<number> {
  let changed = 0;
  for (const row of rows) {
    if (row.status !== "valid") continue;
    // Conditional on still being valid, so a seat is given back once however many cancel at once.
    const cancelled = await db
      .update(attendees)
      .set({ status: "cancelled", cancelledAt: now })
      .where(and(eq(attendees.id, row.id), eq(attendees.status, "valid")))
      .returning({ id: attendees.id });
    if (cancelled.length === 1) {
      await db.update(ticketTypes).set({ sold: sql`${ticketTypes.sold} - 1` }).where(eq(ticketTypes.id, row.ticketTypeId));
      changed++;
    }
  }
  return changed;
}

/**
 * Every function here acts on an event the caller was already authorized for (the procedures
 * are built on eventProcedure("manage_event")).
 */
export function cancelAttendee(db: Db, event: Event, caller: Caller, attendeeId: string, now = Date.now()) {
  return transaction(db, async (tx) => {
    const attendee = await attendeeOf(tx, event.id, attendeeId);
    const changed = await cancelRows(tx, [attendee], now);
    if (changed) await recordAudit(tx, { eventId: event.id, caller, action: "ticket_cancelled", detail: { attendeeId: attendee.id, orderId: attendee.orderId, name: attendee.name } }, now);
    return { cancelled: changed };
  });
}

export function cancelOrder(db: Db, event: Event, caller: Caller, orderId: string, now = Date.now()) {
  return transaction(db, async (tx) => {
    const order = await orderOf(tx, event.id, orderId);
    const rows = await tx.select().from(attendees).where(eq(attendees.orderId, order.id));
    const changed = await cancelRows(tx, rows, now);
    await tx.update(orders).set({ status: "cancelled" }).where(eq(orders.id, order.id));
    await recordAudit(tx, { eventId: event.id, caller, action: "order_cancelled", detail: { orderId: order.id, tickets: changed } }, now);
    return { cancelled: changed };
  });
}

export function regenerateAttendeeSecret(db: Db, event: Event, caller: Caller, attendeeId: string, now = Date.now()) {
  return transaction(db, async (tx) => {
    const attendee = await attendeeOf(tx, event.id, attendeeId);
    await tx.update(attendees).set({ checkinSecret: randomId() }).where(eq(attendees.id, attendee.id));
    await recordAudit(tx, { eventId: event.id, caller, action: "ticket_secret_regenerated", detail: { attendeeId: attendee.id, orderId: attendee.orderId, name: attendee.name } }, now);
    return { regenerated: 1 };
  });
}

export function regenerateOrderSecrets(db: Db, event: Event, caller: Caller, orderId: string, now = Date.now()) {
  return transaction(db, async (tx) => {
    const order = await orderOf(tx, event.id, orderId);
    const rows = await tx.select({ id: attendees.id }).from(attendees).where(eq(attendees.orderId, order.id));
    for (const row of rows) await tx.update(attendees).set({ checkinSecret: randomId() }).where(eq(attendees.id, row.id));
    await recordAudit(tx, { eventId: event.id, caller, action: "order_secrets_regenerated", detail: { orderId: order.id, tickets: rows.length } }, now);
    return { regenerated: rows.length };
  });
}

export async function markOrderPaid(db: Db, event: Event, caller: Caller, input: { orderId: string; paid: boolean }, now = Date.now()) {
  const order = await orderOf(db, event.id, input.orderId);
  await db.update(orders).set({ paid: input.paid }).where(eq(orders.id, order.id));
  await recordAudit(db, { eventId: event.id, caller, action: input.paid ? "order_marked_paid" : "order_marked_unpaid", detail: { orderId: order.id } }, now);
  return { paid: input.paid };
}
