import "server-only";
import { db } from "@/db/client";
import { requireBearerAccess, type AccessKey } from "@/server/access";
import { authenticateRequest, type Caller } from "@/server/auth/caller";
import { unauthorized } from "@/server/errors";

/**
 * The caller of a route handler; 401 for missing or dead credentials, 403 when a bearer token
 * may not use this route (`route` is its key in server/access.ts BEARER_ACCESS).
 */
export async function requireCaller(request: Request, route: AccessKey): Promise<Caller> {
  const auth = await authenticateRequest(db(), request.headers);
  if (auth.kind === "invalid") throw unauthorized("Your token is invalid, expired or revoked");
  if (auth.kind === "anonymous") throw unauthorized("Sign in or send a Bearer token");
  requireBearerAccess(auth.caller, route);
  return auth.caller;
}

/** Like requireCaller, but only Bearer tokens: the REST API is for API clients. */
export async function requireBearer(request: Request, route: AccessKey): Promise<Caller> {
  if (!request.headers.has("authorization")) throw unauthorized("Send a Bearer token");
  return requireCaller(request, route);
}
