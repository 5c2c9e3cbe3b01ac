import { z } from "zod";
import { eventProcedure, router } from "@/server/trpc";
import { attemptCheckIn } from "./checkin";

export const checkinRouter = router({
  /** The check-in screen of one event: every outcome is an answer to show, not an error. */
  scan: eventProcedure("check_in")
    .input(z.object({ secret: z.string().trim().min(1, "Enter or scan a ticket code").max(512, "That is not a ticket code") }))
    .mutation(({ ctx, input }) => attemptCheckIn(ctx.db, ctx.caller, { secret: input.secret, event: ctx.event })),
});
