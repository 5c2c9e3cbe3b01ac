import { z } from "zod";
import { searchText as search } from "@/server/search-text";
import { eventProcedure, idInput, router } from "@/server/trpc";
import { eventAuditLog } from "./audit-log";
import { cancelAttendee, cancelOrder, markOrderPaid, regenerateAttendeeSecret, regenerateOrderSecrets } from "./lifecycle";
import { listAttendees, listEventOrders, listForCheckIn } from "./roster";

const page = z.number().int().min(1, "Pages start at 1").max(1_000_000).default(1);

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
  cancel: eventProcedure("manage_event").input(z.object({ attendeeId: idInput })).mutation(({ ctx, input }) => cancelAttendee(ctx.db, ctx.event, ctx.caller, input.attendeeId)),
  cancelOrder: eventProcedure("manage_event").input(z.object({ orderId: idInput })).mutation(({ ctx, input }) => cancelOrder(ctx.db, ctx.event, ctx.caller, input.orderId)),
  regenerateSecret: eventProcedure("manage_event")
    .input(z.object({ attendeeId: idInput }))
    .mutation(({ ctx, input }) => regenerateAttendeeSecret(ctx.db, ctx.event, ctx.caller, input.attendeeId)),
  regenerateOrderSecrets: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput }))
    .mutation(({ ctx, input }) => regenerateOrderSecrets(ctx.db, ctx.event, ctx.caller, input.orderId)),
  markPaid: eventProcedure("manage_event")
    .input(z.object({ orderId: idInput, paid: z.boolean() }))
    .mutation(({ ctx, input }) => markOrderPaid(ctx.db, ctx.event, ctx.caller, input)),
  auditLog: eventProcedure("view_event").input(z.object({ page })).query(({ ctx, input }) => eventAuditLog(ctx.db, ctx.event, ctx.caller, input.page)),
});
