import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { attendees, events, ticketTypes, type Order } from "@/db/schema";
import type { Caller } from "@/server/auth/caller";
import { RateLimitedError } from "@/server/errors";
import { formatEventRange } from "@/server/events/format";
import { appUrl, oneLine, sendAll, type Mail } from "@/server/mail";
import { orderMailLimits, release, reserve } from "@/server/rate-limit";
import { placeOrder, type PlacedOrder } from "./place";
import type { PlaceOrderInput } from "./schemas";

/** Attendee addresses other than the buyer's get a mail of their own (one per address). */
const isOtherHolder = (buyerEmail: string, attendeeEmail: string) => attendeeEmail.toLowerCase() !== buyerEmail.toLowerCase();

/** How many mails an order sends: one to the buyer, one per other attendee address. */
export function orderMailCount(buyerEmail: string, attendeeEmails: string[]): number {
  return 1 + new Set(attendeeEmails.map((e) => e.toLowerCase()).filter((e) => isOtherHolder(buyerEmail, e))).size;
}

/**
 * The buyer gets the order link; every other attendee address gets one message with the same
 * link, which shows them only their own ticket(s) once they sign in with that address verified.
 */
export function orderEmails({ order, event, attendees }: PlacedOrder): Mail[] {
  const link = appUrl(`/orders/${order.id}`);
  const when = formatEventRange(event);
  const mails: Mail[] = [
    {
      to: order.buyerEmail,
      subject: oneLine(`Your tickets for ${event.name}`),
      text: [
        `Hello ${order.buyerName},`,
        "",
        `Your order for ${event.name} is complete.`,
        `${when}`,
        `${event.venue}`,
        "",
        "Tickets:",
        ...attendees.map((a) => `- ${a.name} (${a.ticketTypeName})`),
        "",
        `See your order and download the tickets: ${link}`,
      ].join("\n"),
    },
  ];

  const byHolder = new Map<string, PlacedOrder["attendees"]>();
  for (const attendee of attendees) {
    if (!isOtherHolder(order.buyerEmail, attendee.emailNormalized)) continue;
    byHolder.set(attendee.emailNormalized, [...(byHolder.get(attendee.emailNormalized) ?? []), attendee]);
  }
  for (const held of byHolder.values()) {
    const tickets = held.length === 1 ? "a ticket" : `${held.length} tickets`;
    mails.push({
      to: held[0].email,
      subject: oneLine(`Your ticket for ${event.name}`),
      text: [
        `Hello ${held[0].name},`,
        "",
        `${order.buyerName} got you ${tickets} for ${event.name}.`,
        `${when}`,
        `${event.venue}`,
        "",
        ...held.map((a) => `- ${a.name} (${a.ticketTypeName})`),
        "",
        `See and download your ticket: ${link}`,
        `Sign in with this email address (or create an account with it) and confirm the address to open it.`,
      ].join("\n"),
    });
  }
  return mails;
}

/**
 * Called after the order has committed. A mail failure must not undo or fail an order that
 * exists: the order page has everything the mail links to, so failures are only logged.
 */
export async function sendOrderEmails(placed: PlacedOrder): Promise<void> {
  await sendAll(orderEmails(placed), `the order email for ${placed.order.id}`);
}

/** An order as placed, from what the database holds now: its valid tickets under their current names. */
export async function placedOrderOf(db: Db, order: Order): Promise<PlacedOrder> {
  const event = (await db.select().from(events).where(eq(events.id, order.eventId)).limit(1))[0]!;
  const rows = (await db
    .select({ id: attendees.id, name: attendees.name, email: attendees.email, emailNormalized: attendees.emailNormalized, ticketTypeName: ticketTypes.name })
    .from(attendees)
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .where(and(eq(attendees.orderId, order.id), eq(attendees.status, "valid")))
    .orderBy(asc(attendees.createdAt), asc(attendees.id)));
  return { order, event, attendees: rows };
}

/**
 * Places an order and mails everyone on it, within the order-mail limits per buyer and per address
 * (server/rate-limit.ts): an order can mail up to 21 addresses, so the mails are reserved before
 * the order is placed (429, nothing placed, if they don't fit) and given back if placing fails.
 */
export async function placeOrderAndSendMails(db: Db, caller: Caller, input: PlaceOrderInput, ip: string): Promise<PlacedOrder> {
  const weight = orderMailCount(caller.user.email, input.attendees.map((a) => a.email));
  const reservation = await reserve(db, orderMailLimits(caller.user.id, ip), { weight });
  if (!reservation.ok) throw new RateLimitedError(reservation.retryAfterSeconds, "Too many order emails from your account or network");
  let placed: PlacedOrder;
  try {
    placed = await placeOrder(db, caller, input);
  } catch (error) {
    await release(db, reservation);
    throw error;
  }
  await sendOrderEmails(placed);
  return placed;
}
