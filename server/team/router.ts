import { z } from "zod";
import { emailSchema } from "@/server/auth/accounts";
import { eventProcedure, idInput, router } from "@/server/trpc";
import { addTeamMember, listTeam, removeTeamMember } from "./team";

export const teamRouter = router({
  list: eventProcedure("view_event").query(({ ctx }) => listTeam(ctx.db, ctx.event)),
  add: eventProcedure("manage_team")
    .input(z.object({ email: emailSchema, role: z.enum(["owner", "organizer", "registrar"], { error: "Choose owner, organizer or registrar" }) }))
    .mutation(({ ctx, input }) => addTeamMember(ctx.db, ctx.event, ctx.caller, input)),
  remove: eventProcedure("manage_team")
    .input(z.object({ userId: idInput }))
    .mutation(({ ctx, input }) => removeTeamMember(ctx.db, ctx.event, ctx.caller, input)),
});
