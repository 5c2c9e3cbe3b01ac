import { initTRPC, TRPCError } from "@trpc/server";
import type { Db } from "@/db/client";
import { requireAdmin, requireScope, requireStaff } from "@/server/access";
import { authenticateRequest, clientIp, type Authentication, type Caller } from "@/server/auth/caller";
import type { Scope } from "@/server/auth/scopes";
import { fieldsOf } from "@/server/errors";
import { isSameOriginJsonRequest } from "@/server/http/csrf";

/** The inner context: everything a procedure may use, buildable without HTTP (createCaller tests). */
export type Context = {
  db: Db;
  auth: Authentication;
  ip: string;
  userAgent: string;
  /** False when a cookie-authenticated mutation did not come from our own origin as JSON. */
  sameOrigin: boolean;
};

export function createInnerContext(input: Partial<Omit<Context, "db">> & { db: Db }): Context {
  return { auth: { kind: "anonymous" }, ip: "127.0.0.1", userAgent: "test", sameOrigin: true, ...input };
}

export async function createContextFromRequest(db: Db, request: Request): Promise<Context> {
  return {
    db,
    auth: await authenticateRequest(db, request.headers),
    ip: clientIp(request.headers),
    userAgent: request.headers.get("user-agent") ?? "",
    sameOrigin: isSameOriginJsonRequest(request.headers),
  };
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    // An unexpected failure's own message can quote SQL or paths: the log keeps it, clients don't.
    const message = error.code === "INTERNAL_SERVER_ERROR" ? "Something went wrong on our side" : shape.message;
    return { ...shape, message, data: { ...shape.data, stack: undefined, fields: fieldsOf(error) } };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Bad credentials are 401 even where none are needed: a client must learn its token is dead. */
const rejectInvalidCredentials = t.middleware(({ ctx, type, next }) => {
  if (ctx.auth.kind === "invalid") throw new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended. Sign in again." });
  const viaBearer = ctx.auth.kind === "caller" && ctx.auth.caller.via === "bearer";
  if (type === "mutation" && !viaBearer && !ctx.sameOrigin) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Cross-site request refused" });
  }
  return next();
});

export const publicProcedure = t.procedure.use(rejectInvalidCredentials);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.auth.kind !== "caller") throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { ...ctx, caller: ctx.auth.caller } });
});

/** The rules themselves live in server/access.ts; these only apply them before a procedure runs. */
export function scopedProcedure(scope: Scope) {
  return authedProcedure.use(({ ctx, next }) => {
    requireScope(ctx.caller, scope);
    return next();
  });
}

export const staffProcedure = authedProcedure.use(({ ctx, next }) => {
  requireStaff(ctx.caller);
  return next();
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  requireAdmin(ctx.caller);
  return next();
});

export type AuthedContext = Context & { caller: Caller };
