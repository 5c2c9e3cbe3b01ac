import "server-only";
import { z } from "zod";
import { authedProcedure, publicProcedure, router, type Context } from "@/server/trpc";
import { fieldError } from "@/server/errors";
import { changePassword, emailSchema, register, registrationSchema, renewEmailLink, requestSignInLink, resendVerificationEmail, type Browser } from "./accounts";
import { sessionCookieHeader } from "./caller";
import { followEmailLink } from "./email-links";
import { noticeNewDevice } from "./new-device";
import { passwordSchema } from "./passwords";
import { SESSION_LIFETIMES } from "./sessions";
import { acceptInvitation } from "@/server/team/invitations";

/** The browser behind a request that signs it in; only a cookie session is "its current one". */
function browserOf(ctx: Context): Browser {
  const current = ctx.auth.kind === "caller" && ctx.auth.caller.via === "cookie" ? ctx.auth.caller.sessionId : null;
  return { device: ctx.userAgent || "Unknown browser", ip: ctx.ip, currentSessionId: current };
}

/** Hands the browser its new session, the cookie Auth.js would have set (see sessionCookieHeader). */
function setSessionCookie(ctx: Context, secret: string) {
  ctx.resHeaders?.append("Set-Cookie", sessionCookieHeader(secret, SESSION_LIFETIMES.browser.absoluteMs / 1000));
}

const tokenInput = z.object({ token: z.string({ error: "The link is incomplete" }).min(1, "The link is incomplete").max(200, "This link isn't one of ours") });

const FOLLOW_FAILURES = {
  invalid: "This link isn't valid: it may have been cut off or changed. Ask for a new one below.",
  used: "This link was already used. Email yourself a new one.",
  expired: "This link has expired. Email yourself a new one.",
} as const;

export const authRouter = router({
  /** Who the current request is, or null for an anonymous visitor. */
  me: publicProcedure.query(({ ctx }) => {
    if (ctx.auth.kind !== "caller") return null;
    const { user } = ctx.auth.caller;
    return { id: user.id, email: user.email, name: user.name, role: user.role, emailVerified: user.emailVerified };
  }),

  /**
   * The same answer whether or not the email has an account (see register in accounts.ts); a new
   * or pending address also signs this browser in.
   */
  register: publicProcedure.input(registrationSchema).mutation(async ({ ctx, input }) => {
    const registration = await register(ctx.db, input, browserOf(ctx));
    if (registration.sessionSecret) setSessionCookie(ctx, registration.sessionSecret);
    return { email: registration.email };
  }),

  /** "Email me a sign-in link" (also "Forgot password?"): the same answer for every address. */
  requestSignInLink: publicProcedure
    .input(z.object({ email: emailSchema, returnTo: z.string().max(2048).optional() }))
    .mutation(async ({ ctx, input }) => {
      await requestSignInLink(ctx.db, input, ctx.ip);
      return { sent: true };
    }),

  /**
   * The button on an emailed link's page: a POST, not the GET of the link itself, so mail scanners
   * can't spend it. Signs this browser in as the link's address and says where to go next.
   */
  followLink: publicProcedure.input(tokenInput).mutation(async ({ ctx, input }) => {
    // An invitation link also puts its invitee on the team, in the same transaction.
    const outcome = await followEmailLink(ctx.db, input.token, browserOf(ctx), Date.now(), acceptInvitation);
    if (!outcome.ok) throw fieldError("BAD_REQUEST", { token: FOLLOW_FAILURES[outcome.reason] });
    setSessionCookie(ctx, outcome.sessionSecret);
    await noticeNewDevice(ctx.db, { id: outcome.sessionId, userId: outcome.user.id, kind: "browser", device: browserOf(ctx).device, ip: ctx.ip, createdAt: Date.now() });
    return { to: outcome.link.returnTo, passwordDropped: outcome.passwordDropped };
  }),

  /** "Email me a new link", in place of a used or expired one; an unknown link answers the same. */
  renewLink: publicProcedure.input(tokenInput).mutation(async ({ ctx, input }) => {
    await renewEmailLink(ctx.db, input.token, ctx.ip);
    return { sent: true };
  }),

  resendVerification: authedProcedure.mutation(async ({ ctx }) => {
    if (ctx.caller.user.emailVerified) return { sent: false };
    await resendVerificationEmail(ctx.db, ctx.caller.user, ctx.ip);
    return { sent: true };
  }),

  /** Sets the first password of an account that has none (no current one then), or changes it. */
  changePassword: authedProcedure
    .input(z.object({ currentPassword: z.string().max(128, "Password must be at most 128 characters").optional(), newPassword: passwordSchema }))
    .mutation(({ ctx, input }) =>
      changePassword(ctx.db, { userId: ctx.caller.user.id, sessionId: ctx.caller.sessionId, ip: ctx.ip }, input.currentPassword, input.newPassword),
    ),
});
