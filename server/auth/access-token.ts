import { createHash } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { randomId } from "@/server/ids";
import { parseScopes, type Scope } from "./scopes";

export const ACCESS_TOKEN_TTL_SECONDS = 10 * 60;
const ALGORITHM = "HS256"; // the one algorithm we accept; "none" and everything else is refused
const ISSUER = "admit";
const AUDIENCE = "admit-api";

/** A key derived from AUTH_SECRET for this purpose only, so it never doubles as the cookie key. */
export function accessTokenKey(authSecret: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`admit:access-token:v1:${authSecret}`).digest());
}

export async function signAccessToken(
  key: Uint8Array,
  claims: { userId: string; sessionId: string; scopes: Scope[] },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<string> {
  return new SignJWT({ sid: claims.sessionId, scope: claims.scopes.join(" ") })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ACCESS_TOKEN_TTL_SECONDS)
    .setJti(randomId())
    .sign(key);
}

export type AccessClaims = { userId: string; sessionId: string; scopes: Scope[] };

/**
 * Verifies signature, algorithm, issuer, audience and expiry. Any failure, whatever jose throws
 * (expired, tampered, alg:none, garbage), is just "not a valid token": the caller answers 401.
 */
export async function verifyAccessToken(key: Uint8Array, token: string, currentDate?: Date): Promise<AccessClaims | null> {
  if (token.length > 4096) return null;
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["exp", "iat", "sub", "jti"],
      currentDate,
    });
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string" || typeof payload.scope !== "string") return null;
    return { userId: payload.sub, sessionId: payload.sid, scopes: parseScopes(payload.scope) };
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof TypeError || error instanceof SyntaxError) return null;
    throw error;
  }
}
