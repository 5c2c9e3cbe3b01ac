import { authedProcedure, router, scopedProcedure } from "@/server/trpc";
import { z } from "zod";
import { placeOrderAndSendMails } from "./emails";
import { getOrderView, listMyOrders } from "./queries";
import { orderIdentifierSchema, placeOrderInputSchema } from "./schemas";

export const ordersRouter = router({
  /** Any signed-in user may buy; the event must be published (or theirs). Capacity: see placeOrder. */
  place: authedProcedure.input(placeOrderInputSchema).mutation(async ({ ctx, input }) => {
    const placed = await placeOrderAndSendMails(ctx.db, ctx.caller, input, ctx.ip);
    return { id: placed.order.id };
  }),

  /** Buyer, the event's owner/organizer and staff see every attendee; a holder only their own. */
  get: scopedProcedure("orders:read")
    .input(z.object({ orderIdentifier: orderIdentifierSchema }))
    .query(({ ctx, input }) => getOrderView(ctx.db, ctx.caller, input.orderIdentifier)),

  /** My tickets: orders I bought and tickets I hold, newest first. */
  mine: scopedProcedure("orders:read").query(({ ctx }) => listMyOrders(ctx.db, ctx.caller)),
});
