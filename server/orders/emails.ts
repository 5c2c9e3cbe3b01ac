import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { attendees, events, ticketTypes, type Order } from "@/db/schema";
import { forbidden, rateLimited, fieldError, notFound } from "@/server/errors";
import { requireMayResendTicketMail, visibleAttendees, type OrderVisibility } from "@/server/access";
import { findOrCreateAccount } from "@/server/auth/accounts";
import type { Caller } from "@/server/auth/caller";
import { emailLinkUrl, issueEmailLink } from "@/server/auth/email-links";
import { formatEventRange } from "@/lib/format";
import { composeMail, enqueueMails, type Mail } from "@/server/mail";
import { guestOrderLimits, orderMailLimits, release, reserve, resendLimits, type Reservation } from "@/server/rate-limit";
import { placeOrder, type PlacedAttendee, type PlacedOrder } from "./place";
import type { PlaceOrderInput } from "./schemas";

/** Attendee addresses other than the buyer's get a mail of their own (one per address). */
const isOtherHolder = (buyerEmail: string, attendeeEmail: string) => attendeeEmail.toLowerCase() !== buyerEmail.toLowerCase();

/** How many mails an order sends: one to the buyer, one per other attendee address. */
export function orderMailCount(buyerEmail: string, attendeeEmails: string[]): number {
  return 1 + new Set(attendeeEmails.map((e) => e.toLowerCase()).filter((e) => isOtherHolder(buyerEmail, e))).size;
}

/** One order mail: to the buyer (about the whole order) or to one other attendee address (its tickets). */
type Recipient = { email: string; name: string; tickets: PlacedAttendee[]; isBuyer: boolean };

function recipientsOf({ order, attendees }: PlacedOrder): Recipient[] {
  const recipients: Recipient[] = [{ email: order.buyerEmail, name: order.buyerName, tickets: attendees, isBuyer: true }];
  const byHolder = new Map<string, PlacedAttendee[]>();
  for (const attendee of attendees) {
    if (!isOtherHolder(order.buyerEmail, attendee.emailNormalized)) continue;
    byHolder.set(attendee.emailNormalized, [...(byHolder.get(attendee.emailNormalized) ?? []), attendee]);
  }
  for (const held of byHolder.values()) recipients.push({ email: held[0].email, name: held[0].name, tickets: held, isBuyer: false });
  return recipients;
}

/**
 * Where a recipient's personal link lands: the order page, with its download started and, for a
 * single ticket, that ticket's QR open ("From the email to the ticket is one click").
 */
function landingOf(order: Pick<Order, "id">, recipient: Recipient): string {
  const single = recipient.tickets.length === 1 ? `ticket=${encodeURIComponent(recipient.tickets[0].id)}&` : "";
  return `/orders/${encodeURIComponent(order.id)}?${single}download=1`;
}

/**
 * The mail for one recipient, with their personal link: following it signs them in with that
 * address (creating a passwordless account if needed) and shows the buyer the order, a holder
 * only their own ticket(s).
 */
async function orderMail(db: Db, { order, event }: PlacedOrder, recipient: Recipient): Promise<Mail> {
  const token = await issueEmailLink(db, { purpose: "order", email: recipient.email, returnTo: landingOf(order, recipient), name: recipient.name });
  const count = recipient.tickets.length;
  const noun = count === 1 ? "ticket" : "tickets";
  return composeMail({
    to: recipient.email,
    subject: `Your ${noun} for ${event.name}`,
    greeting: `Hello ${recipient.name},`,
    body: [
      recipient.isBuyer ? `Your order for ${event.name} is complete.` : `${order.buyerName} got you ${count === 1 ? "a ticket" : `${count} tickets`} for ${event.name}.`,
      `${formatEventRange(event)}\n${event.venue}`,
      recipient.tickets.map((a) => `${a.name} (${a.ticketTypeName})`),
    ],
    action: { label: `Get my ${noun}`, url: emailLinkUrl(token) },
    footer: [
      `The button signs you in on this device with this email address, no password needed, and downloads your ${noun}. It works once, for 7 days; after that, the page it opens sends you a new link.`,
      "Keep your tickets to yourself: whoever shows the QR code at the door gets in.",
    ],
  });
}

/**
 * Queues the order's mails (all, or the given recipients'), with their links, in the transaction
 * `tx` that placed or resends the order (server/mail.ts): a mail server that is down delays them
 * and never fails or undoes the order.
 */
export async function queueOrderEmails(tx: Db, placed: PlacedOrder, recipients = recipientsOf(placed)): Promise<void> {
  // One after another: inside a transaction the statements share one connection.
  const mails: Mail[] = [];
  for (const recipient of recipients) mails.push(await orderMail(tx, placed, recipient));
  await enqueueMails(tx, mails);
}

/**
 * Places an order and mails everyone on it, within the order-mail limits per buyer and per address
 * (server/rate-limit.ts): an order can mail up to 21 addresses, so the mails are reserved before
 * the order is placed (429, nothing placed, if they don't fit) and given back if placing fails.
 *
 * Without a caller it is a guest checkout: the name and address typed become the buyer (the
 * address's account, or a new passwordless one), guest orders are limited per requesting address
 * and buyer address, and the buyer gets their order by following the link mailed to them.
 */
export async function placeOrderAndQueueMails(db: Db, caller: Caller | null, input: PlaceOrderInput, ip: string): Promise<PlacedOrder> {
  const reservations: Array<Extract<Reservation, { ok: true }>> = [];
  const releaseAll = async () => {
    for (const reservation of reservations) await release(db, reservation);
  };
  const take = async (reservation: Reservation, what: string) => {
    if (!reservation.ok) {
      await releaseAll();
      throw rateLimited(reservation.retryAfterSeconds, what);
    }
    reservations.push(reservation);
  };

  let buyer: Caller | { guest: { id: string; name: string; email: string } };
  if (caller) buyer = caller;
  else {
    if (!input.buyer) throw fieldError("BAD_REQUEST", { "buyer.name": "Enter your name", "buyer.email": "Enter your email" }, "Enter your name and email, or sign in");
    await take(await reserve(db, guestOrderLimits(input.buyer.email, ip)), "Too many orders without an account from your network or for this email");
    const account = await findOrCreateAccount(db, input.buyer);
    buyer = { guest: { id: account.id, name: input.buyer.name, email: account.email } };
  }
  const buyerAccount = "guest" in buyer ? buyer.guest : buyer.user;
  const weight = orderMailCount(buyerAccount.email, input.attendees.map((a) => a.email));
  await take(await reserve(db, orderMailLimits(buyerAccount.id, ip), { weight }), "Too many order emails from your account or network");
  try {
    return await placeOrder(db, buyer, input, (tx, placed) => queueOrderEmails(tx, placed));
  } catch (error) {
    await releaseAll();
    throw error;
  }
}

/** An order as it was placed, with its valid tickets under their current names, for mailing it again. */
export async function placedOrderOf(db: Db, order: Order): Promise<PlacedOrder> {
  const [event] = await db.select().from(events).where(eq(events.id, order.eventId)).limit(1);
  const rows = await db
    .select({ id: attendees.id, name: attendees.name, email: attendees.email, emailNormalized: attendees.emailNormalized, ticketTypeName: ticketTypes.name })
    .from(attendees)
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .where(and(eq(attendees.orderId, order.id), eq(attendees.status, "valid")))
    .orderBy(asc(attendees.createdAt), asc(attendees.id));
  return { order, event, attendees: rows };
}

/**
 * "Resend": the buyer sends any attendee's ticket mail again, a holder their own, with a fresh
 * personal link (the ticket's address may have lost the first mail, or its link expired). Limited
 * per recipient and per account asking. The order is already authorized (orderProcedure).
 */
export async function resendTicketEmail(db: Db, caller: Caller, order: Order, visibility: OrderVisibility, attendeeIdentifier: string): Promise<{ sentTo: string }> {
  requireMayResendTicketMail(visibility);
  const placed = await placedOrderOf(db, order);
  const attendee = placed.attendees.find((a) => a.id === attendeeIdentifier);
  if (!attendee) {
    const [exists] = await db.select({ id: attendees.id }).from(attendees).where(and(eq(attendees.id, attendeeIdentifier), eq(attendees.orderId, order.id))).limit(1);
    if (!exists) throw notFound("No such ticket");
    throw fieldError("CONFLICT", { attendeeIdentifier: "This ticket is cancelled: there is nothing to send" });
  }
  if (visibleAttendees([attendee], visibility).length === 0) throw forbidden("This ticket belongs to another attendee");
  const recipient = recipientsOf(placed).find((r) => r.email.toLowerCase() === attendee.emailNormalized);
  if (!recipient) throw notFound("No such ticket");
  const reservation = await reserve(db, resendLimits(recipient.email, caller.user.id));
  if (!reservation.ok) throw rateLimited(reservation.retryAfterSeconds, "This ticket's email was sent again too often");
  await transaction(db, (tx) => queueOrderEmails(tx, placed, [recipient]));
  return { sentTo: recipient.email };
}
