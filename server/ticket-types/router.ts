import "server-only";
import { z } from "zod";
import { eventProcedure, idInput, router } from "@/server/trpc";
import { createTicketTypeSchema, updateTicketTypeSchema } from "./schemas";
import { createTicketType, removeTicketType, updateTicketType } from "./service";

/** An event's ticket types, edited by its owner and organizers from the Settings tab. */
export const ticketTypesRouter = router({
  create: eventProcedure("manage_event")
    .input(createTicketTypeSchema)
    .mutation(({ ctx, input }) => createTicketType(ctx.db, ctx.event, ctx.caller, input)),
  update: eventProcedure("manage_event")
    .input(updateTicketTypeSchema)
    .mutation(({ ctx, input }) => updateTicketType(ctx.db, ctx.event, ctx.caller, input)),
  /** Deletes a type never sold; hides one that was. */
  remove: eventProcedure("manage_event")
    .input(z.object({ ticketTypeId: idInput }))
    .mutation(({ ctx, input }) => removeTicketType(ctx.db, ctx.event, ctx.caller, input.ticketTypeId)),
});
