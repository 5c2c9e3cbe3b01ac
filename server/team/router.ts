import { z } from "zod";
import { emailSchema } from "@/server/auth/accounts";
import { authedProcedure, router } from "@/server/trpc";
import { addTeamMember, listTeam, removeTeamMember } from "./team";

const eventId = z.string().min(1).max(64);

export const teamRouter = router({
  list: authedProcedure.input(z.object({ eventId })).query(({ ctx, input }) => listTeam(ctx.db, ctx.caller, input.eventId)),
  add: authedProcedure
    .input(z.object({ eventId, email: emailSchema, role: z.enum(["owner", "organizer", "registrar"], { error: "Choose owner, organizer or registrar" }) }))
    .mutation(({ ctx, input }) => addTeamMember(ctx.db, ctx.caller, input)),
  remove: authedProcedure
    .input(z.object({ eventId, userId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => removeTeamMember(ctx.db, ctx.caller, input)),
});
