import "server-only";
import { createHash, webcrypto } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { randomId } from "@/server/ids";
import { parseScopes, type Scope } from "./scopes";

export const ACCESS_TOKEN_TTL_SECONDS = 10 * 60;
const ALGORITHM = "HS256"; // the one algorithm we accept; "none" and everything else is refused
const ISSUER = "admit";
const AUDIENCE = "admit-api";

/** The derived key's bytes; tests use them to forge tokens with other algorithms. */
export function accessTokenKeyBytes(authSecret: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`admit:access-token:v1:${authSecret}`).digest());
}

type SigningKey = webcrypto.CryptoKey | Uint8Array;
const derivedKeys = new Map<string, Promise<webcrypto.CryptoKey>>();

/**
 * A key derived from AUTH_SECRET for this purpose only, so it never doubles as the cookie key.
 * Imported once per secret as a WebCrypto key: jose works on CryptoKeys and would otherwise
 * import raw bytes again on every request.
 */
export function accessTokenKey(authSecret: string): Promise<webcrypto.CryptoKey> {
  let key = derivedKeys.get(authSecret);
  if (!key) {
    key = webcrypto.subtle.importKey("raw", accessTokenKeyBytes(authSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    derivedKeys.set(authSecret, key);
  }
  return key;
}

export async function signAccessToken(
  key: SigningKey | Promise<SigningKey>,
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
    .sign(await key);
}

export type AccessClaims = { userId: string; sessionId: string; scopes: Scope[] };

/**
 * Tokens already verified with a key, until they expire. An API client sends the same token with
 * every request for its ten minutes, and what was signed can't change, so its signature (a
 * WebCrypto HMAC, the largest cost of authenticating a request) is checked once. Revocation is
 * still checked on every request, by the session lookup (server/auth/caller.ts).
 */
const verifiedTokens = new WeakMap<object, Map<string, { claims: AccessClaims; expiresAtSeconds: number }>>();

/**
 * Verifies signature, algorithm, issuer, audience and expiry. Any failure, whatever jose throws
 * (expired, tampered, alg:none, garbage), is just "not a valid token": the caller answers 401.
 */
export async function verifyAccessToken(key: SigningKey | Promise<SigningKey>, token: string, currentDate?: Date): Promise<AccessClaims | null> {
  if (token.length > 4096) return null;
  const verifyingKey = await key;
  let verified = verifiedTokens.get(verifyingKey);
  if (!verified) verifiedTokens.set(verifyingKey, (verified = new Map()));
  const known = verified.get(token);
  // As jose counts expiry: in whole seconds, expired at `exp` itself.
  if (known) return known.expiresAtSeconds > Math.floor((currentDate ?? new Date()).getTime() / 1000) ? known.claims : null;
  try {
    const { payload } = await jwtVerify(token, verifyingKey, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["exp", "iat", "sub", "jti"],
      currentDate,
    });
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string" || typeof payload.scope !== "string") return null;
    const claims = { userId: payload.sub, sessionId: payload.sid, scopes: parseScopes(payload.scope) };
    if (verified.size >= 10_000) verified.clear();
    verified.set(token, { claims, expiresAtSeconds: payload.exp! });
    return claims;
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof TypeError || error instanceof SyntaxError) return null;
    throw error;
  }
}
