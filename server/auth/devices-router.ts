import "server-only";
import { z } from "zod";
import { notFound } from "@/server/errors";
import { authedProcedure, router } from "@/server/trpc";
import { listLiveSessions, revokeOtherSessions, revokeOwnSession } from "./sessions";

export const devicesRouter = router({
  list: authedProcedure.query(({ ctx }) => listLiveSessions(ctx.db, ctx.caller.user.id, ctx.caller.sessionId)),

  /** Someone else's (or a made-up) session id is "not found", never a hint that it exists. */
  revoke: authedProcedure.input(z.object({ id: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    if (!(await revokeOwnSession(ctx.db, ctx.caller.user.id, input.id))) throw notFound("No such device");
    return { revoked: true, current: input.id === ctx.caller.sessionId };
  }),

  revokeOthers: authedProcedure.mutation(async ({ ctx }) => ({
    revoked: await revokeOtherSessions(ctx.db, ctx.caller.user.id, ctx.caller.sessionId, "signed_out_elsewhere"),
  })),
});
