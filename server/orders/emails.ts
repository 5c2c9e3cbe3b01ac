import { formatEventRange } from "@/server/events/format";
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { attendees, events, ticketTypes, type Order } from "@/db/schema";
import { appUrl, oneLine, sendAll, type Mail } from "@/server/mail";
import type { PlacedOrder } from "./place";


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

  const buyer = order.buyerEmail.toLowerCase();
  const byHolder = new Map<string, PlacedOrder["attendees"]>();
  for (const attendee of attendees) {
    if (attendee.emailNormalized === buyer) continue;
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
export function placedOrderOf(db: Db, order: Order): PlacedOrder {
  const event = db.select().from(events).where(eq(events.id, order.eventId)).get()!;
  const rows = db
    .select({ id: attendees.id, name: attendees.name, email: attendees.email, emailNormalized: attendees.emailNormalized, ticketTypeName: ticketTypes.name })
    .from(attendees)
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .where(and(eq(attendees.orderId, order.id), eq(attendees.status, "valid")))
    .orderBy(asc(attendees.createdAt), asc(attendees.id))
    .all();
  return { order, event, attendees: rows };
}
