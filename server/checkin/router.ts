import "server-only";
import { z } from "zod";
import { eventProcedure, idInput, router } from "@/server/trpc";
import { attemptCheckIn, recentScans, undoCheckIn } from "./checkin";
import { referenceOf, scanInputSchema } from "./schemas";

export const checkinRouter = router({
  /** The check-in screen of one event: every outcome is an answer to show, not an error. */
  scan: eventProcedure("check_in")
    .input(scanInputSchema)
    .mutation(({ ctx, input }) => attemptCheckIn(ctx.db, ctx.caller, { ...referenceOf(input), event: ctx.event })),

  /** Takes a check-in back, with the reason for the audit log. */
  undo: eventProcedure("check_in")
    .input(
      z.object({
        attendeeId: idInput,
        reason: z.string({ error: "Say why" }).trim().min(1, "Say why the check-in is undone").max(300, "At most 300 characters"),
      }),
    )
    .mutation(({ ctx, input }) => undoCheckIn(ctx.db, ctx.event, ctx.caller, input)),

  /** The latest attempts at this device's door, or at every door of the event. */
  recent: eventProcedure("check_in")
    .input(z.object({ door: z.enum(["this", "all"], { error: "Choose this door or all doors" }).default("this") }))
    .query(({ ctx, input }) => recentScans(ctx.db, ctx.event, ctx.caller, input.door)),
});
