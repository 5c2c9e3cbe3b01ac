import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import type { Db } from "@/db/client";
import { z } from "zod";
import { requireAdmin, requireBearerAccess, requireEventPermission, requireOrderAccess, requireStaff, type EventPermission } from "@/server/access";
import { authenticateRequest, clientIp, type Authentication, type Caller } from "@/server/auth/caller";
import { appErrorOf, fieldsOf, type AppErrorCode } from "@/server/errors";
import { isSameOriginJsonRequest } from "@/server/http/csrf";

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

/**
 * The tRPC side of the domain's errors (server/errors.ts), the only one. tRPC has no 410: what is
 * gone is, to a tRPC client, not found. A tRPC error carries the code, message and `fields`; an
 * AppError's `reason` and `details` are for REST clients (the check-in 409 and 410s), and no
 * procedure throws one with them: procedures answer such outcomes as results.
 */
const TRPC_CODE = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  GONE: "NOT_FOUND",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
} as const satisfies Record<AppErrorCode, TRPC_ERROR_CODE_KEY>;

/**
 * tRPC wraps whatever a procedure (or the context) throws in an INTERNAL_SERVER_ERROR, keeping it
 * as the cause. When that is an AppError or a busy database, the failure was expected: it gets
 * its own code.
 */
function asTRPCError(error: TRPCError): TRPCError {
  const known = error.code === "INTERNAL_SERVER_ERROR" ? appErrorOf(error.cause) : undefined;
  return known ? new TRPCError({ code: TRPC_CODE[known.code], message: known.message, cause: known }) : error;
}

/**
 * The answer's Retry-After, for fetchRequestHandler's responseMeta: the longest wait any of its
 * errors asks for (a batch carries several).
 */
export function errorResponseMeta({ errors }: { errors: TRPCError[] }): { headers?: Headers } {
  const waits = errors.flatMap((error) => appErrorOf(error.cause)?.retryAfterSeconds ?? []);
  return waits.length ? { headers: new Headers({ "Retry-After": String(Math.max(...waits)) }) } : {};
}

/** A bug, to be logged: not an expected failure of the domain nor of the client's call. */
export function isUnexpected(error: TRPCError): boolean {
  return error.code === "INTERNAL_SERVER_ERROR" && !appErrorOf(error.cause);
}

const t = initTRPC.context<Context>().create({
  // Also for what the middleware below never sees: a busy database while building the context.
  errorFormatter({ shape, error }) {
    const mapped = asTRPCError(error);
    // An unexpected failure's own message can quote SQL or paths: the log keeps it, clients don't.
    const message = isUnexpected(mapped) ? "Something went wrong on our side" : mapped.message;
    const httpStatus = getHTTPStatusCodeFromError(mapped);
    return { ...shape, code: TRPC_ERROR_CODES_BY_KEY[mapped.code], message, data: { ...shape.data, code: mapped.code, httpStatus, stack: undefined, fields: fieldsOf(mapped) } };
  },
});

/** Every procedure fails with the code, fields and wait of the AppError it threw (createCaller too). */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = asTRPCError(result.error);
    if (mapped !== result.error) throw mapped;
  }
  return result;
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

export const publicProcedure = t.procedure.use(domainErrors).use(checkCredentials);

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
