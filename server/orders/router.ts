import { authedProcedure, orderProcedure, router } from "@/server/trpc";
import { placeOrderWithinMailLimits } from "./place";
import { listMyOrders, orderViewOf } from "./queries";
import { placeOrderInputSchema } from "./schemas";

export const ordersRouter = router({
  /** Any signed-in user may buy; the event must be published (or theirs). Capacity: see placeOrder. */
  place: authedProcedure.input(placeOrderInputSchema).mutation(({ ctx, input }) => {
    const placed = placeOrderWithinMailLimits(ctx.db, ctx.caller, input, ctx.ip);
    return { id: placed.order.id };
  }),

  /** Buyer, the event's owner/organizer and staff see every attendee; a holder only their own. */
  get: orderProcedure.query(({ ctx }) => orderViewOf(ctx.db, ctx.order, ctx.visibility)),

  /** My tickets: orders I bought and tickets I hold, newest first. */
  mine: authedProcedure.query(({ ctx }) => listMyOrders(ctx.db, ctx.caller)),
});
