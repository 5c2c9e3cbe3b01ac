import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { isDatabaseBusy } from "@/db/errors";
import type { Db } from "@/db/client";
import { z } from "zod";
import { requireAdmin, requireBearerAccess, requireEventPermission, requireOrderAccess, requireStaff, type EventPermission } from "@/server/access";
import { authenticateRequest, clientIp, type Authentication, type Caller } from "@/server/auth/caller";
import { fieldsOf } from "@/server/errors";
import { isSameOriginJsonRequest } from "@/server/http/csrf";
import { BUSY_MESSAGE } from "@/server/http/respond";

/** The inner context: everything a procedure may use, buildable without HTTP (createCaller tests). */
export type Context = {
  db: Db;
  auth: Authentication;
  ip: string;
  userAgent: string;
  /** False when a cookie-authenticated mutation did not come from our own origin as JSON. */
  sameOrigin: boolean;
  /** The response's headers: procedures that sign a browser in set its session cookie here. */
  resHeaders?: Headers;
};

export function createInnerContext(input: Partial<Omit<Context, "db">> & { db: Db }): Context {
  return { auth: { kind: "anonymous" }, ip: "127.0.0.1", userAgent: "test", sameOrigin: true, ...input };
}

export async function createContextFromRequest(db: Db, request: Request, resHeaders?: Headers): Promise<Context> {
  return {
    resHeaders,
    db,
    auth: await authenticateRequest(db, request.headers),
    ip: clientIp(request.headers),
    userAgent: request.headers.get("user-agent") ?? "",
    sameOrigin: isSameOriginJsonRequest(request.headers),
  };
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    // The database locked beyond its timeout is not a bug: 503, and the route adds Retry-After.
    if (isDatabaseBusy(error)) {
      return { ...shape, code: TRPC_ERROR_CODES_BY_KEY.SERVICE_UNAVAILABLE, message: BUSY_MESSAGE, data: { ...shape.data, code: "SERVICE_UNAVAILABLE" as const, httpStatus: 503, stack: undefined, fields: undefined } };
    }
    // An unexpected failure's own message can quote SQL or paths: the log keeps it, clients don't.
    const message = error.code === "INTERNAL_SERVER_ERROR" ? "Something went wrong on our side" : shape.message;
    return { ...shape, message, data: { ...shape.data, stack: undefined, fields: fieldsOf(error) } };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Bad credentials are 401 even where none are needed: a client must learn its token is dead.
 * Then the bearer rule of server/access.ts: a token may call only what BEARER_ACCESS grants it
 * (a procedure missing there refuses every token). Cookie callers pass it; CSRF guards them.
 */
const checkCredentials = t.middleware(({ ctx, type, path, next }) => {
  if (ctx.auth.kind === "invalid") throw new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended. Sign in again." });
  if (ctx.auth.kind === "caller") requireBearerAccess(ctx.auth.caller, path);
  const viaBearer = ctx.auth.kind === "caller" && ctx.auth.caller.via === "bearer";
  if (type === "mutation" && !viaBearer && !ctx.sameOrigin) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Cross-site request refused" });
  }
  return next();
});

export const publicProcedure = t.procedure.use(checkCredentials);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.auth.kind !== "caller") throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { ...ctx, caller: ctx.auth.caller } });
});

export const staffProcedure = authedProcedure.use(({ ctx, next }) => {
  requireStaff(ctx.caller);
  return next();
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  requireAdmin(ctx.caller);
  return next();
});

/**
 * The gates of the resource procedures, kept in a set so the privilege matrix can prove that
 * every procedure taking an `eventId` or `orderIdentifier` passes through one.
 */
export const resourceGates = new WeakSet<object>();

function gate<T extends object>(middleware: T): T {
  resourceGates.add(middleware);
  return middleware;
}

/** An id in a procedure's input: malformed ones are "not found" in server/access.ts, huge ones 400. */
export const idInput = z.string().min(1).max(64);

/**
 * Everything that reads or changes one event's data: input `{ eventId, ... }`. The caller must
 * hold `permission` on it (server/access.ts) and the procedure gets the event as `ctx.event`;
 * child ids in its input are then looked up within that event only.
 */
export function eventProcedure(permission: EventPermission) {
  return authedProcedure
    .input(z.object({ eventId: idInput }))
    .use(gate(async ({ ctx, input, next }) => next({ ctx: { event: await requireEventPermission(ctx.db, ctx.caller, input.eventId, permission) } })));
}

/**
 * One order as the caller may see it: input `{ orderIdentifier }`; `ctx.order` and
 * `ctx.visibility` (everything, or only the tickets they hold) come from server/access.ts.
 */
export const orderProcedure = authedProcedure
  .input(z.object({ orderIdentifier: z.string({ error: "No such order" }) }))
  .use(gate(async ({ ctx, input, next }) => next({ ctx: await requireOrderAccess(ctx.db, ctx.caller, input.orderIdentifier) })));

export type AuthedContext = Context & { caller: Caller };
