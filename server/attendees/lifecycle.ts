import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { attendees, orders, ticketTypes, type Event } from "@/db/schema";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { fieldError, notFound } from "@/server/errors";
import { limitOn, requireRoom, type ActionLimit } from "@/server/rate-limit";
import { looksLikeIdentifier } from "@/server/ids";
import { enqueueMails } from "@/server/mail";
import { placedOrderOf, queueOrderEmails } from "@/server/orders/emails";
import { ticketChangeMails, type TicketChange } from "@/server/orders/notices";
import { freshCredentials, retryOnDoorCodeClash } from "@/server/tickets/credentials";

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

/** Cancels valid attendees and gives their seats back; returns the ids of those it changed. */
async function cancelRows(db: Db, rows: Array<{ id: string; ticketTypeId: string; status: string }>, now: number): Promise<string[]> {
  const changed: string[] = [];
  for (const row of rows) {
    if (row.status !== "valid") continue;
    const result = await db.update(attendees).set({ status: "cancelled", cancelledAt: now }).where(and(eq(attendees.id, row.id), eq(attendees.status, "valid"))).returning({ id: attendees.id });
    if (result.length === 1) {
      await db.update(ticketTypes).set({ sold: sql`${ticketTypes.sold} - 1` }).where(eq(ticketTypes.id, row.ticketTypeId));
      changed.push(row.id);
    }
  }
  return changed;
}

/** A ticket's secret and door code, replaced together: the old QR code and the old typed code stop at once. */
async function replaceCredentials(db: Db, attendeeId: string): Promise<void> {
  await retryOnDoorCodeClash(db, (db) => db.update(attendees).set(freshCredentials()).where(eq(attendees.id, attendeeId)));
}

/** The holders and buyers of the changed tickets hear of it, by mail queued with the change (server/mail.ts). */
async function tellHolders(tx: Db, event: Event, attendeeIds: string[], change: TicketChange, now: number): Promise<void> {
  await enqueueMails(tx, await ticketChangeMails(tx, event, attendeeIds, change), now);
}

/**
 * Every function here acts on an event the caller was already authorized for (the procedures
 * are built on eventProcedure("manage_event")), and returns the ids of the tickets it changed;
 * their holders and buyers are told in the same transaction (server/orders/notices.ts).
 */
export function cancelAttendee(db: Db, event: Event, caller: Caller, attendeeId: string, now = Date.now()) {
  return transaction(db, async (tx) => {
    const attendee = await attendeeOf(tx, event.id, attendeeId);
    const changed = await cancelRows(tx, [attendee], now);
    if (changed.length) await recordAudit(tx, { eventId: event.id, caller, action: "ticket_cancelled", detail: { attendeeId: attendee.id, orderId: attendee.orderId, name: attendee.name } }, now);
    await tellHolders(tx, event, changed, "cancelled", now);
    return { cancelled: changed.length, attendeeIds: changed };
  });
}

export function cancelOrder(db: Db, event: Event, caller: Caller, orderId: string, now = Date.now()) {
  return transaction(db, async (tx) => {
    const order = await orderOf(tx, event.id, orderId);
    const rows = await tx.select().from(attendees).where(eq(attendees.orderId, order.id));
    const changed = await cancelRows(tx, rows, now);
    await tx.update(orders).set({ status: "cancelled" }).where(eq(orders.id, order.id));
    await recordAudit(tx, { eventId: event.id, caller, action: "order_cancelled", detail: { orderId: order.id, tickets: changed.length } }, now);
    await tellHolders(tx, event, changed, "cancelled", now);
    return { cancelled: changed.length, attendeeIds: changed };
  });
}

/**
 * New codes per ticket in an hour. Each replacement mails the holder and the buyer, so without a
 * limit a loop of "New QR code" clicks would flood their inboxes; cancelling is never limited.
 */
export const CODE_REPLACEMENTS: ActionLimit = { name: "code-replacement", max: 5, windowMs: 60 * 60_000 };

async function requireCodeReplacements(db: Db, attendeeIds: string[], now: number): Promise<void> {
  await requireRoom(db, attendeeIds.map((id) => limitOn(CODE_REPLACEMENTS, id)), `Tickets can get a new code ${CODE_REPLACEMENTS.max} times an hour`, now);
}

export async function regenerateAttendeeSecret(db: Db, event: Event, caller: Caller, attendeeId: string, now = Date.now()) {
  await requireCodeReplacements(db, [(await attendeeOf(db, event.id, attendeeId)).id], now);
  return transaction(db, async (tx) => {
    const attendee = await attendeeOf(tx, event.id, attendeeId);
    await replaceCredentials(tx, attendee.id);
    await recordAudit(tx, { eventId: event.id, caller, action: "ticket_secret_regenerated", detail: { attendeeId: attendee.id, orderId: attendee.orderId, name: attendee.name } }, now);
    await tellHolders(tx, event, [attendee.id], "code_replaced", now);
    return { regenerated: 1, attendeeIds: [attendee.id] };
  });
}

export async function regenerateOrderSecrets(db: Db, event: Event, caller: Caller, orderId: string, now = Date.now()) {
  const order = await orderOf(db, event.id, orderId);
  const valid = await db.select({ id: attendees.id }).from(attendees).where(and(eq(attendees.orderId, order.id), eq(attendees.status, "valid")));
  await requireCodeReplacements(db, valid.map((row) => row.id), now);
  return transaction(db, async (tx) => {
    const rows = await tx.select({ id: attendees.id, status: attendees.status }).from(attendees).where(eq(attendees.orderId, order.id));
    for (const row of rows) await replaceCredentials(tx, row.id);
    await recordAudit(tx, { eventId: event.id, caller, action: "order_secrets_regenerated", detail: { orderId: order.id, tickets: rows.length } }, now);
    // Nobody needs telling about a new code on a ticket that was already cancelled.
    const told = rows.filter((row) => row.status === "valid").map((row) => row.id);
    await tellHolders(tx, event, told, "code_replaced", now);
    return { regenerated: rows.length, attendeeIds: told };
  });
}

export async function markOrderPaid(db: Db, event: Event, caller: Caller, input: { orderId: string; paid: boolean }, now = Date.now()) {
  const order = await orderOf(db, event.id, input.orderId);
  await db.update(orders).set({ paid: input.paid }).where(eq(orders.id, order.id));
  await recordAudit(db, { eventId: event.id, caller, action: input.paid ? "order_marked_paid" : "order_marked_unpaid", detail: { orderId: order.id } }, now);
  return { paid: input.paid };
}

/** Resending one order's emails: a few times an hour per order, so the button can't flood inboxes. */
export const ORDER_EMAIL_RESENDS: ActionLimit = { name: "order-resend", max: 3, windowMs: 60 * 60_000 };

/** The order's confirmation mails again, queued with the audit line, after taking one of its resend slots. */
export async function resendOrderEmails(db: Db, event: Event, caller: Caller, orderId: string, now = Date.now()): Promise<void> {
  const order = await orderOf(db, event.id, orderId);
  if (order.status !== "completed") throw fieldError("CONFLICT", { orderId: "This order is cancelled: it has no tickets to send" });
  await requireRoom(db, limitOn(ORDER_EMAIL_RESENDS, order.id), "This order's emails were resent 3 times this hour", now);
  await transaction(db, async (tx) => {
    await recordAudit(tx, { eventId: event.id, caller, action: "order_emails_resent", detail: { orderId: order.id } }, now);
    await queueOrderEmails(tx, await placedOrderOf(tx, order));
  });
}
