import "server-only";
import { z } from "zod";
import { emailSchema } from "@/server/auth/accounts";
import { eventProcedure, idInput, router } from "@/server/trpc";
import { inviteToTeam, listInvitations, revokeInvitation } from "./invitations";
import { changeTeamRole, listTeam, removeTeamMember } from "./team";

const roleSchema = z.enum(["owner", "organizer", "registrar"], { error: "Choose owner, organizer or registrar" });

export const teamRouter = router({
  list: eventProcedure("view_event").query(({ ctx }) => listTeam(ctx.db, ctx.event)),
  /** Invites by email, account or not (the same answer either way); accepting the link joins the team. */
  add: eventProcedure("manage_team")
    .input(z.object({ email: emailSchema, role: roleSchema }))
    .mutation(({ ctx, input }) => inviteToTeam(ctx.db, ctx.event, ctx.caller, input, ctx.ip)),
  invitations: eventProcedure("manage_team").query(({ ctx }) => listInvitations(ctx.db, ctx.event)),
  revokeInvitation: eventProcedure("manage_team")
    .input(z.object({ invitationId: idInput }))
    .mutation(({ ctx, input }) => revokeInvitation(ctx.db, ctx.event, ctx.caller, input.invitationId)),
  setRole: eventProcedure("manage_team")
    .input(z.object({ userId: idInput, role: roleSchema }))
    .mutation(({ ctx, input }) => changeTeamRole(ctx.db, ctx.event, ctx.caller, input)),
  remove: eventProcedure("manage_team")
    .input(z.object({ userId: idInput }))
    .mutation(({ ctx, input }) => removeTeamMember(ctx.db, ctx.event, ctx.caller, input)),
});
