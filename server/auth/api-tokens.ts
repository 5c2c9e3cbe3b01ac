import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { config } from "@/server/config";
import { rateLimited, unauthorized } from "@/server/errors";
import { checkCredentials } from "./accounts";
import { ACCESS_TOKEN_TTL_SECONDS, accessTokenKey, signAccessToken } from "./access-token";
import { noticeNewDevice } from "./new-device";
import { DEFAULT_API_SCOPES, parseScopes, scopeSchema, type Scope } from "./scopes";
import { createApiSession, rotateRefreshToken, type RefreshOutcome } from "./sessions";

export const tokenRequestSchema = z.object({
  email: z.string({ error: "Email is required" }).trim().min(1, "Email is required").max(254, "Email is too long"),
  password: z.string({ error: "Password is required" }).min(1, "Password is required").max(128, "Password is too long"),
  scopes: z
    .union([z.array(scopeSchema).max(10), z.string().max(200).transform((s) => s.split(/\s+/).filter(Boolean))])
    .pipe(z.array(scopeSchema, { error: "Unknown scope" }))
    .optional(),
  device: z.string().trim().max(200, "Device name must be at most 200 characters").optional(),
});

export const refreshRequestSchema = z.object({
  refreshToken: z.string({ error: "refreshToken is required" }).min(1, "refreshToken is required").max(200, "refreshToken is too long"),
});

export type TokenResponse = { tokenType: "Bearer"; token: string; expiresIn: number; refreshToken: string; scopes: Scope[] };

async function tokenResponse(userId: string, sessionId: string, scopes: Scope[], refreshToken: string): Promise<TokenResponse> {
  const token = await signAccessToken(accessTokenKey(config().authSecret), { userId, sessionId, scopes });
  return { tokenType: "Bearer", token, expiresIn: ACCESS_TOKEN_TTL_SECONDS, refreshToken, scopes };
}

export async function issueTokens(
  db: Db,
  input: z.infer<typeof tokenRequestSchema>,
  client: { ip: string; userAgent: string },
): Promise<TokenResponse> {
  const outcome = await checkCredentials(db, input.email, input.password, client.ip);
  if (!outcome.ok) {
    if (outcome.reason === "rate_limited") throw rateLimited(outcome.retryAfterSeconds);
    throw unauthorized("Email or password is wrong");
  }
  const scopes = [...new Set(input.scopes?.length ? input.scopes : DEFAULT_API_SCOPES)];
  const device = input.device || `API client (${client.userAgent || "unknown"})`;
  const { session, refreshToken } = await createApiSession(db, outcome.user.id, scopes, { device, ip: client.ip });
  await noticeNewDevice(db, session);
  return tokenResponse(outcome.user.id, session.id, scopes, refreshToken);
}

const REFRESH_ERRORS: Record<Extract<RefreshOutcome, { ok: false }>["reason"], string> = {
  unknown: "Invalid or expired refresh token",
  expired: "Invalid or expired refresh token",
  reused: "This refresh token was already used; the session has been revoked",
  superseded: "This refresh token was just replaced; use the newer refresh token from that answer",
};

/** A refresh keeps the session's scopes: a client can't widen what it was granted. */
export async function refreshTokens(db: Db, presented: string): Promise<TokenResponse> {
  const outcome = await rotateRefreshToken(db, presented);
  if (!outcome.ok) {
    throw unauthorized(REFRESH_ERRORS[outcome.reason]);
  }
  return tokenResponse(outcome.session.userId, outcome.session.id, parseScopes(outcome.session.scopes), outcome.refreshToken);
}
