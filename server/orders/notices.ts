import "server-only";
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { attendees, orders, ticketTypes, type Event } from "@/db/schema";
import { formatEventRange } from "@/lib/format";
import { appUrl, composeMail, type Mail } from "@/server/mail";

/**
 * What buyers and ticket holders are told when something happens to their tickets after the
 * order: a ticket cancelled or given a new code, the event moved or cancelled. Each address gets
 * one message listing its tickets: a holder their own, a buyer every affected ticket they bought.
 * Built after the change has committed, from what the database says now.
 */

type AffectedTicket = { name: string; email: string; ticketTypeName: string; orderId: string; buyerName: string; buyerEmail: string };

async function affectedTickets(db: Db, where: SQL): Promise<AffectedTicket[]> {
  return (await db
    .select({
      name: attendees.name,
      email: attendees.email,
      ticketTypeName: ticketTypes.name,
      orderId: orders.id,
      buyerName: orders.buyerName,
      buyerEmail: orders.buyerEmail,
    })
    .from(attendees)
    .innerJoin(orders, eq(orders.id, attendees.orderId))
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .where(where)
    .orderBy(asc(attendees.createdAt), asc(attendees.id)));
}

type Recipient = { to: string; name: string; tickets: AffectedTicket[] };

/** Holders and buyers, one entry per address (case-insensitive), each with the tickets that concern them. */
function recipientsOf(tickets: AffectedTicket[]): Recipient[] {
  const byAddress = new Map<string, Recipient>();
  const add = (to: string, name: string, ticket: AffectedTicket) => {
    const key = to.toLowerCase();
    const recipient = byAddress.get(key) ?? { to, name, tickets: [] };
    if (!recipient.tickets.includes(ticket)) recipient.tickets.push(ticket);
    byAddress.set(key, recipient);
  };
  for (const ticket of tickets) {
    add(ticket.email, ticket.name, ticket);
    add(ticket.buyerEmail, ticket.buyerName, ticket);
  }
  return [...byAddress.values()];
}

/** `action` labels the mail's one button: the order page (or My tickets, when several orders are affected). */
type Notice = { subject: string; headline: string; action: string };

function mailsFor(event: Pick<Event, "name" | "venue" | "startsAt" | "endsAt" | "timeZone">, tickets: AffectedTicket[], notice: Notice): Mail[] {
  return recipientsOf(tickets).map((recipient) => {
    const orderIds = [...new Set(recipient.tickets.map((t) => t.orderId))];
    return composeMail({
      to: recipient.to,
      subject: notice.subject,
      greeting: `Hello ${recipient.name},`,
      body: [notice.headline, `${event.name}\n${formatEventRange(event)}\n${event.venue}`, recipient.tickets.map((t) => `${t.name} (${t.ticketTypeName})`)],
      action: { label: notice.action, url: appUrl(orderIds.length === 1 ? `/orders/${orderIds[0]}` : "/tickets") },
    });
  });
}

export type TicketChange = "cancelled" | "code_replaced";

/** A ticket (or an order's tickets) cancelled or given new codes: its holder and its buyer hear of it. */
export async function ticketChangeMails(db: Db, event: Event, attendeeIds: string[], change: TicketChange): Promise<Mail[]> {
  if (attendeeIds.length === 0) return [];
  const tickets = (await affectedTickets(db, and(eq(attendees.eventId, event.id), inArray(attendees.id, attendeeIds))!));
  const notice: Notice =
    change === "cancelled"
      ? {
          subject: `Ticket cancelled: ${event.name}`,
          headline: `The organizer of ${event.name} has cancelled ${tickets.length === 1 ? "this ticket" : "these tickets"}. ${tickets.length === 1 ? "It no longer gets" : "They no longer get"} anyone in.`,
          action: "See your order",
        }
      : {
          subject: `New ticket code: ${event.name}`,
          headline: `The organizer of ${event.name} has issued new codes for ${tickets.length === 1 ? "this ticket" : "these tickets"}. The old QR code and door code no longer get in.`,
          action: "Download the new ticket",
        };
  return mailsFor(event, tickets, notice);
}

/** Everyone with a valid ticket for the event, and their buyers. */
function everyTicketOf(db: Db, event: Event): Promise<AffectedTicket[]> {
  return affectedTickets(db, and(eq(attendees.eventId, event.id), eq(attendees.status, "valid"))!);
}

/** The event's time, zone or venue changed and the organizer chose to tell everyone. */
export async function eventMovedMails(db: Db, event: Event): Promise<Mail[]> {
  return mailsFor(event, (await everyTicketOf(db, event)), {
    subject: `Changed: ${event.name}`,
    headline: `The time or place of ${event.name} has changed. Here is what holds now; your tickets stay valid, and a new download prints the new details.`,
    action: "See your tickets",
  });
}

/** The event is cancelled: every holder and buyer hears of it. */
export async function eventCancelledMails(db: Db, event: Event, reason: string): Promise<Mail[]> {
  return mailsFor(event, (await everyTicketOf(db, event)), {
    subject: `Cancelled: ${event.name}`,
    headline: `${event.name} has been cancelled by its organizer.${reason ? ` Their message: ${reason}` : ""} Your tickets no longer get anyone in.`,
    action: "See your order",
  });
}
