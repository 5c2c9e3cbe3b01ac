import { z } from "zod";
import { authedProcedure, publicProcedure, router } from "@/server/trpc";
import { fieldError } from "@/server/errors";
import { changePassword, register, registrationSchema, resendVerificationEmail, verifyEmailToken } from "./accounts";
import { passwordSchema } from "./passwords";

export const authRouter = router({
  /** Who the current request is, or null for an anonymous visitor. */
  me: publicProcedure.query(({ ctx }) => {
    if (ctx.auth.kind !== "caller") return null;
    const { user } = ctx.auth.caller;
    return { id: user.id, email: user.email, name: user.name, role: user.role, emailVerified: user.emailVerified };
  }),

  /** The same answer whether or not the email has an account (see register in accounts.ts). */
  register: publicProcedure.input(registrationSchema).mutation(({ ctx, input }) => register(ctx.db, input, ctx.ip)),

  /** A POST behind a button, not the GET of the emailed link, so mail scanners can't consume it. */
  verifyEmail: publicProcedure.input(z.object({ token: z.string().min(1, "The link is incomplete").max(200) })).mutation(async ({ ctx, input }) => {
    const outcome = await verifyEmailToken(ctx.db, input.token);
    if (!outcome.ok) throw fieldError("BAD_REQUEST", { token: "This link is invalid, expired or already used" });
    return { verified: true };
  }),

  resendVerification: authedProcedure.mutation(async ({ ctx }) => {
    if (ctx.caller.user.emailVerified) return { sent: false };
    await resendVerificationEmail(ctx.db, ctx.caller.user, ctx.ip);
    return { sent: true };
  }),

  changePassword: authedProcedure
    .input(z.object({ currentPassword: z.string().max(128, "Password must be at most 128 characters"), newPassword: passwordSchema }))
    .mutation(({ ctx, input }) =>
      changePassword(ctx.db, { userId: ctx.caller.user.id, sessionId: ctx.caller.sessionId, ip: ctx.ip }, input.currentPassword, input.newPassword),
    ),
});
