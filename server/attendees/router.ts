import { z } from "zod";
import { authedProcedure, router } from "@/server/trpc";
import { searchText } from "@/server/search-text";
import { eventAuditLog } from "./audit-log";
import { cancelAttendee, cancelOrder, markOrderPaid, regenerateAttendeeSecret, regenerateOrderSecrets } from "./lifecycle";
import { listAttendees, listEventOrders, listForCheckIn } from "./roster";

const id = z.string().min(1).max(64);
const page = z.number().int().min(1, "Pages start at 1").max(1_000_000).default(1);

/** An event's people, for its team: rosters, order lists, cancellations, regenerations, history. */
export const attendeesRouter = router({
  list: authedProcedure
    .input(z.object({ eventId: id, search: searchText, ticketTypeId: id.optional(), checkedIn: z.boolean().optional(), cancelled: z.boolean().optional(), page }))
    .query(({ ctx, input }) => {
      const { page: p, ...filter } = input;
      return listAttendees(ctx.db, ctx.caller, filter, p);
    }),
  forCheckIn: authedProcedure.input(z.object({ eventId: id, search: searchText })).query(({ ctx, input }) => listForCheckIn(ctx.db, ctx.caller, input)),
  orders: authedProcedure.input(z.object({ eventId: id, search: searchText, page })).query(({ ctx, input }) => listEventOrders(ctx.db, ctx.caller, input)),
  cancel: authedProcedure.input(z.object({ eventId: id, attendeeId: id })).mutation(({ ctx, input }) => cancelAttendee(ctx.db, ctx.caller, input)),
  cancelOrder: authedProcedure.input(z.object({ eventId: id, orderId: id })).mutation(({ ctx, input }) => cancelOrder(ctx.db, ctx.caller, input)),
  regenerateSecret: authedProcedure.input(z.object({ eventId: id, attendeeId: id })).mutation(({ ctx, input }) => regenerateAttendeeSecret(ctx.db, ctx.caller, input)),
  regenerateOrderSecrets: authedProcedure.input(z.object({ eventId: id, orderId: id })).mutation(({ ctx, input }) => regenerateOrderSecrets(ctx.db, ctx.caller, input)),
  markPaid: authedProcedure.input(z.object({ eventId: id, orderId: id, paid: z.boolean() })).mutation(({ ctx, input }) => markOrderPaid(ctx.db, ctx.caller, input)),
  auditLog: authedProcedure.input(z.object({ eventId: id, page })).query(({ ctx, input }) => eventAuditLog(ctx.db, ctx.caller, input)),
});
