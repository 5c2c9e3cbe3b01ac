import { TRPCError } from "@trpc/server";
import { db } from "@/db/client";
import { requireScope } from "@/server/access";
import { authenticateRequest, type Caller } from "@/server/auth/caller";
import type { Scope } from "@/server/auth/scopes";

/** The caller of a route handler; 401 for missing or dead credentials, 403 for a missing scope. */
export async function requireCaller(request: Request, scope?: Scope): Promise<Caller> {
  const auth = await authenticateRequest(db(), request.headers);
  if (auth.kind === "invalid") throw new TRPCError({ code: "UNAUTHORIZED", message: "Your token is invalid, expired or revoked" });
  if (auth.kind === "anonymous") throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in or send a Bearer token" });
  if (scope) requireScope(auth.caller, scope);
  return auth.caller;
}

/** Like requireCaller, but only Bearer tokens: the REST API is for API clients. */
export async function requireBearer(request: Request, scope?: Scope): Promise<Caller> {
  if (!request.headers.has("authorization")) throw new TRPCError({ code: "UNAUTHORIZED", message: "Send a Bearer token" });
  return requireCaller(request, scope);
}
