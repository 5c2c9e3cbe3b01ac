import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { attendees, events, orders, ticketTypes, type Attendee, type Event, type Order, type TicketType, type User } from "@/db/schema";
import { canBuyFromEvent } from "@/server/access";
import type { Caller } from "@/server/auth/caller";
import { fieldError } from "@/server/errors";
import { looksLikeIdentifier, randomId } from "@/server/ids";
import { saleWindowProblem } from "@/server/ticket-types/rules";
import { newDoorCode } from "@/lib/door-code";
import { freshCredentials, retryOnDoorCodeClash } from "@/server/tickets/credentials";
import type { PlaceOrderInput } from "./schemas";

export type PlacedAttendee = Pick<Attendee, "id" | "name" | "email" | "emailNormalized"> & { ticketTypeName: string };
export type PlacedOrder = { order: Order; event: Event; attendees: PlacedAttendee[] };

/**
 * Places an order, all or nothing, in one transaction. Seats are claimed by a conditional UPDATE
 * (`sold + n <= quantity`), which the database applies atomically per row whichever other
 * transactions run at once; if any claim fails the whole transaction rolls back, so a buyer who
 * loses the race leaves no order and no attendee rows.
 *
 * `withPlaced` runs last inside that transaction: the order's mails are queued there
 * (server/orders/emails.ts), so an order exists exactly when its mails are on their way.
 */
/** A guest at checkout: the account found or created for the address they typed (unproven). */
export type GuestBuyer = { guest: Pick<User, "id" | "name" | "email"> };

export function placeOrder(
  db: Db,
  buyer: Caller | GuestBuyer,
  input: PlaceOrderInput,
  withPlaced: (tx: Db, placed: PlacedOrder) => Promise<void> = async () => {},
  now = Date.now(),
): Promise<PlacedOrder> {
  const caller = "guest" in buyer ? null : buyer;
  const account = "guest" in buyer ? buyer.guest : buyer.user;
  return transaction(
    db,
    async (tx) => {
      const [event] = looksLikeIdentifier(input.eventId) ? await tx.select().from(events).where(eq(events.id, input.eventId)).limit(1) : [];
      // A draft is indistinguishable from a missing event for anyone not on its team.
      if (!event || !(await canBuyFromEvent(tx, caller, event))) {
        throw fieldError("NOT_FOUND", { eventId: "This event doesn't exist or isn't on sale" }, "No such event");
      }

      if (event.cancelledAt !== null) throw fieldError("CONFLICT", { eventId: "This event has been cancelled" }, "This event has been cancelled");

      // Ticket types are looked up *within this event*: an id from another event is "not found",
      // and so is a hidden type (it isn't on the event page either).
      const types = new Map<string, TicketType>();
      const problems: Record<string, string> = {};
      for (const [index, item] of input.items.entries()) {
        const [type] = looksLikeIdentifier(item.ticketTypeId)
          ? await tx.select().from(ticketTypes).where(and(eq(ticketTypes.id, item.ticketTypeId), eq(ticketTypes.eventId, event.id))).limit(1)
          : [];
        if (!type || type.hidden) problems[`items.${index}.ticketTypeId`] = "This ticket type isn't on sale for this event";
        else types.set(type.id, type);
      }
      if (Object.keys(problems).length) throw fieldError("NOT_FOUND", problems);

      input.items.forEach((item, index) => {
        const type = types.get(item.ticketTypeId)!;
        const window = saleWindowProblem(type, event.timeZone, now);
        if (window) problems[`items.${index}.ticketTypeId`] = window;
        else if (type.maxPerOrder !== null && item.quantity > type.maxPerOrder) {
          problems[`items.${index}.quantity`] = `At most ${type.maxPerOrder} “${type.name}” ${plural(type.maxPerOrder, "ticket", "tickets")} per order`;
        } else if (item.quantity > type.quantity) {
          problems[`items.${index}.quantity`] = `Only ${type.quantity} “${type.name}” ${plural(type.quantity, "ticket is", "tickets are")} on sale in total`;
        }
      });
      if (Object.keys(problems).length) throw fieldError("BAD_REQUEST", problems);

      const currencies = new Set([...types.values()].map((t) => t.currency));
      if (currencies.size !== 1) throw fieldError("BAD_REQUEST", { items: "These tickets can't be bought in one order" });

      for (const [index, item] of input.items.entries()) {
        const [claimed] = await tx
          .update(ticketTypes)
          .set({ sold: sql`${ticketTypes.sold} + ${item.quantity}` })
          .where(
            and(
              eq(ticketTypes.id, item.ticketTypeId),
              eq(ticketTypes.eventId, event.id),
              sql`${ticketTypes.sold} + ${item.quantity} <= ${ticketTypes.quantity}`,
            ),
          )
          .returning({ sold: ticketTypes.sold });
        if (!claimed) {
          // What is left now, read after the refused claim (others may have bought since we looked).
          const type = types.get(item.ticketTypeId)!;
          const [current] = await tx.select({ sold: ticketTypes.sold }).from(ticketTypes).where(eq(ticketTypes.id, type.id)).limit(1);
          const left = Math.max(0, type.quantity - (current?.sold ?? type.quantity));
          problems[`items.${index}.quantity`] =
            left === 0 ? `“${type.name}” is sold out` : `Only ${left} “${type.name}” ${plural(left, "ticket is", "tickets are")} left`;
        }
      }
      if (Object.keys(problems).length) {
        const soldOut = Object.values(problems).every((m) => m.endsWith("sold out"));
        throw fieldError("CONFLICT", problems, soldOut ? "Sold out" : "Not enough tickets left");
      }

      const totalCents = input.items.reduce((sum, item) => sum + types.get(item.ticketTypeId)!.priceCents * item.quantity, 0);
      const order: Order = {
        id: randomId(),
        eventId: event.id,
        buyerId: account.id,
        buyerName: account.name,
        buyerEmail: account.email,
        // Anyone can type an address at checkout: the account sees the order once it proves it.
        buyerMustProveEmail: caller === null,
        status: "completed",
        // Payment is out of scope: free orders are settled, others wait for the organizer to mark them.
        paid: totalCents === 0,
        totalCents,
        currency: [...currencies][0],
        createdAt: now,
      };
      await tx.insert(orders).values(order);

      const rows: Attendee[] = input.attendees.map((attendee, index) => ({
        // Independent random values: knowing an order or attendee id never yields a ticket.
        id: randomId(),
        orderId: order.id,
        eventId: event.id,
        ticketTypeId: attendee.ticketTypeId,
        name: attendee.name,
        email: attendee.email,
        emailNormalized: attendee.email.toLowerCase(),
        ...freshCredentials(),
        status: "valid",
        cancelledAt: null,
        checkedInAt: null,
        checkedInBy: null,
        // A millisecond apart, so attendees list in the order the buyer entered them.
        createdAt: now + index,
      }));
      await retryOnDoorCodeClash(
        tx,
        (tx) => tx.insert(attendees).values(rows),
        () => rows.forEach((row) => (row.doorCode = newDoorCode())),
      );

      const placed: PlacedOrder = {
        order,
        event,
        attendees: rows.map((row) => ({
          id: row.id,
          name: row.name,
          email: row.email,
          emailNormalized: row.emailNormalized,
          ticketTypeName: types.get(row.ticketTypeId)!.name,
        })),
      };
      await withPlaced(tx, placed);
      return placed;
    },
  );
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
