import "server-only";
import { z } from "zod";
import { authedProcedure, idInput, orderProcedure, publicProcedure, router } from "@/server/trpc";
import { placeOrderAndQueueMails, resendTicketEmail } from "./emails";
import { listMyOrders, orderViewOf } from "./queries";
import { placeOrderInputSchema } from "./schemas";

export const ordersRouter = router({
  /**
   * Anyone may buy from a published event (its team also from a draft): signed in, as their
   * account; or as a guest with a name and email, whose order arrives by a mailed link.
   * Capacity: see placeOrder.
   */
  place: publicProcedure.input(placeOrderInputSchema).mutation(async ({ ctx, input }) => {
    const caller = ctx.auth.kind === "caller" ? ctx.auth.caller : null;
    const placed = await placeOrderAndQueueMails(ctx.db, caller, input, ctx.ip);
    // A guest can't open the order until they follow the link: the answer says where it went.
    return { id: placed.order.id, emailedTo: caller ? null : placed.order.buyerEmail };
  }),

  /** Buyer, the event's owner/organizer and staff see every attendee; a holder only their own. */
  get: orderProcedure.query(({ ctx }) => orderViewOf(ctx.db, ctx.order, ctx.visibility)),

  /** My tickets: orders I bought and tickets I hold, newest first. */
  mine: authedProcedure.query(({ ctx }) => listMyOrders(ctx.db, ctx.caller)),

  /** The buyer sends a ticket's email again (to its holder), a holder their own. */
  resendTicketEmail: orderProcedure
    .input(z.object({ attendeeIdentifier: idInput }))
    .mutation(({ ctx, input }) => resendTicketEmail(ctx.db, ctx.caller, ctx.order, ctx.visibility, input.attendeeIdentifier)),
});
