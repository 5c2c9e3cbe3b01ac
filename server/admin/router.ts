import "server-only";
import { z } from "zod";
import { adminProcedure, router, staffProcedure } from "@/server/trpc";
import { listAllEvents } from "@/server/events/service";
import { searchText } from "@/server/search-text";
import { listUsers, revokeAnySession, setUserRole, userSessions } from "./admin";
import { listQueuedMail, retryFailedMail } from "./mail-queue";

const id = z.string().min(1).max(64);

export const adminRouter = router({
  users: staffProcedure
    .input(z.object({ search: searchText, page: z.number().int().min(1).max(100_000).default(1) }))
    .query(({ ctx, input }) => listUsers(ctx.db, input)),
  setRole: adminProcedure
    .input(z.object({ userId: id, role: z.enum(["user", "staff", "admin"]) }))
    .mutation(({ ctx, input }) => setUserRole(ctx.db, ctx.caller, input)),
  /** Every event, so staff can open any event's (read-only) dashboard. */
  events: staffProcedure
    .input(z.object({ search: searchText, page: z.number().int().min(1).max(100_000).default(1) }))
    .query(({ ctx, input }) => listAllEvents(ctx.db, input)),
  sessions: staffProcedure.input(z.object({ userId: id })).query(({ ctx, input }) => userSessions(ctx.db, input.userId)),
  revokeSession: staffProcedure.input(z.object({ sessionId: id })).mutation(({ ctx, input }) => revokeAnySession(ctx.db, ctx.caller, input.sessionId)),
  /** Mail that failed for good (or still waits): recipient, subject and the last error, never the body. */
  mails: staffProcedure
    .input(z.object({ status: z.enum(["failed", "pending"]).default("failed"), page: z.number().int().min(1).max(100_000).default(1) }))
    .query(({ ctx, input }) => listQueuedMail(ctx.db, input)),
  retryMail: staffProcedure.input(z.object({ mailId: id })).mutation(({ ctx, input }) => retryFailedMail(ctx.db, ctx.caller, input.mailId)),
});
