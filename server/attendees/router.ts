import "server-only";
import { z } from "zod";
import { searchText as search } from "@/server/search-text";
import { eventProcedure, idInput, router } from "@/server/trpc";
import { eventAuditLog } from "./audit-log";
import { cancelAttendee, cancelOrder, markOrderPaid, regenerateAttendeeSecret, regenerateOrderSecrets, resendOrderEmails } from "./lifecycle";
import { listAttendees, listEventOrders, listForCheckIn } from "./roster";

const page = z.number().int().min(1, "Pages start at 1").max(1_000_000).default(1);

/** The change's counts (its holders and buyers were mailed with it, server/attendees/lifecycle.ts). */
async function countsOf<T extends { attendeeIds: string[] }>(change: Promise<T>): Promise<Omit<T, "attendeeIds">> {
  const { attendeeIds: _told, ...counts } = await change;
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
  // Cancelling and replacing codes email each affected holder and buyer, queued with the change.
  cancel: eventProcedure("manage_event")
    .input(z.object({ attendeeId: idInput }))
    .mutation(({ ctx, input }) => countsOf(cancelAttendee(ctx.db, ctx.event, ctx.caller, input.attendeeId))),
  cancelOrder: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput }))
    .mutation(({ ctx, input }) => countsOf(cancelOrder(ctx.db, ctx.event, ctx.caller, input.orderId))),
  regenerateSecret: eventProcedure("manage_event")
    .input(z.object({ attendeeId: idInput }))
    .mutation(({ ctx, input }) => countsOf(regenerateAttendeeSecret(ctx.db, ctx.event, ctx.caller, input.attendeeId))),
  regenerateOrderSecrets: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput }))
    .mutation(({ ctx, input }) => countsOf(regenerateOrderSecrets(ctx.db, ctx.event, ctx.caller, input.orderId))),
  /** The order's confirmation emails again, to the buyer and each holder (rate limited per order). */
  resendOrderEmails: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput }))
    .mutation(async ({ ctx, input }) => {
      await resendOrderEmails(ctx.db, ctx.event, ctx.caller, input.orderId);
      return { resent: true };
    }),
  markPaid: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput, paid: z.boolean() }))
    .mutation(({ ctx, input }) => markOrderPaid(ctx.db, ctx.event, ctx.caller, input)),
  auditLog: eventProcedure("view_event").input(z.object({ page })).query(({ ctx, input }) => eventAuditLog(ctx.db, ctx.event, ctx.caller, input.page)),
});
