import { z } from "zod";
import { searchText as search } from "@/server/search-text";
import { eventProcedure, idInput, router } from "@/server/trpc";
import { eventAuditLog } from "./audit-log";
import type { Event } from "@/db/schema";
import type { AuthedContext } from "@/server/trpc";
import { sendAll } from "@/server/mail";
import { placedOrderOf, sendOrderEmails } from "@/server/orders/emails";
import { ticketChangeMails, type TicketChange } from "@/server/orders/notices";
import { cancelAttendee, cancelOrder, markOrderPaid, prepareOrderResend, regenerateAttendeeSecret, regenerateOrderSecrets } from "./lifecycle";
import { listAttendees, listEventOrders, listForCheckIn } from "./roster";

const page = z.number().int().min(1, "Pages start at 1").max(1_000_000).default(1);

/** Emails the holders and buyers of the changed tickets; answers the change's counts. */
async function tellHolders<T extends { attendeeIds: string[] }>(ctx: AuthedContext & { event: Event }, result: T, change: TicketChange) {
  const { attendeeIds, ...counts } = result;
  await sendAll(ticketChangeMails(ctx.db, ctx.event, attendeeIds, change), `the ${change} notice of ${attendeeIds.length} ticket(s)`);
  return counts;
}

/** An event's people, for its team: rosters, order lists, cancellations, regenerations, history. */
export const attendeesRouter = router({
  list: eventProcedure("view_event")
    .input(z.object({ search, ticketTypeId: idInput.optional(), checkedIn: z.boolean().optional(), cancelled: z.boolean().optional(), page }))
    .query(({ ctx, input }) => {
      const { page: p, eventId: _eventId, ...filter } = input;
      return listAttendees(ctx.db, ctx.event, filter, p);
    }),
  forCheckIn: eventProcedure("check_in").input(z.object({ search })).query(({ ctx, input }) => listForCheckIn(ctx.db, ctx.event, input.search)),
  orders: eventProcedure("view_event").input(z.object({ search, page })).query(({ ctx, input }) => listEventOrders(ctx.db, ctx.event, input)),
  // Cancelling and replacing codes email each affected holder and buyer once the change has committed.
  cancel: eventProcedure("manage_event")
    .input(z.object({ attendeeId: idInput }))
    .mutation(({ ctx, input }) => tellHolders(ctx, cancelAttendee(ctx.db, ctx.event, ctx.caller, input.attendeeId), "cancelled")),
  cancelOrder: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput }))
    .mutation(({ ctx, input }) => tellHolders(ctx, cancelOrder(ctx.db, ctx.event, ctx.caller, input.orderId), "cancelled")),
  regenerateSecret: eventProcedure("manage_event")
    .input(z.object({ attendeeId: idInput }))
    .mutation(({ ctx, input }) => tellHolders(ctx, regenerateAttendeeSecret(ctx.db, ctx.event, ctx.caller, input.attendeeId), "code_replaced")),
  regenerateOrderSecrets: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput }))
    .mutation(({ ctx, input }) => tellHolders(ctx, regenerateOrderSecrets(ctx.db, ctx.event, ctx.caller, input.orderId), "code_replaced")),
  /** The order's confirmation emails again, to the buyer and each holder (rate limited per order). */
  resendOrderEmails: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput }))
    .mutation(async ({ ctx, input }) => {
      const order = prepareOrderResend(ctx.db, ctx.event, ctx.caller, input.orderId);
      await sendOrderEmails(ctx.db, placedOrderOf(ctx.db, order));
      return { resent: true };
    }),
  markPaid: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput, paid: z.boolean() }))
    .mutation(({ ctx, input }) => markOrderPaid(ctx.db, ctx.event, ctx.caller, input)),
  auditLog: eventProcedure("view_event").input(z.object({ page })).query(({ ctx, input }) => eventAuditLog(ctx.db, ctx.event, ctx.caller, input.page)),
});
