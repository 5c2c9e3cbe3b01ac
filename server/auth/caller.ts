import "server-only";
import type { Db } from "@/db/client";
import { config } from "@/server/config";
import { accessTokenKey, verifyAccessToken } from "./access-token";
import { BROWSER_SCOPES, type Scope } from "./scopes";
import { findLiveApiSession, findLiveBrowserSession, type SessionUser } from "./sessions";

/** Who is making a request, resolved once per request from the cookie or the Bearer token. */
export type Caller = {
  user: SessionUser;
  sessionId: string;
  via: "cookie" | "bearer";
  scopes: ReadonlySet<Scope>;
};

/**
 * `anonymous`: no credentials at all. `invalid`: credentials were presented but are bad,
 * expired or revoked; the request must get a 401 rather than be treated as anonymous.
 */
export type Authentication = { kind: "caller"; caller: Caller } | { kind: "anonymous" } | { kind: "invalid"; reason: string };

export function sessionCookieName(secure = config().secureCookies): string {
  // __Host- binds the cookie to this exact origin (Secure, Path=/, no Domain).
  return secure ? "__Host-admit.session" : "admit.session";
}

/**
 * The Set-Cookie header that hands a browser its session secret outside Auth.js (registration,
 * email links): the same name and attributes as Auth.js's session cookie (server/auth/nextauth.ts),
 * so Auth.js reads, refreshes and signs out that session like one it made.
 */
export function sessionCookieHeader(secret: string, maxAgeSeconds: number, secure = config().secureCookies): string {
  return `${sessionCookieName(secure)}=${secret}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** A cookie's value; one that isn't valid percent-encoding is treated as absent, never an error. */
export function readCookie(cookieHeader: string | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export async function authenticateBearer(db: Db, authorization: string, now = Date.now()): Promise<Authentication> {
  // The scheme name is case-insensitive (RFC 9110 §11.1): "bearer" and "BEARER" are Bearer too.
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/i.exec(authorization.trim());
  if (!match) return { kind: "invalid", reason: "malformed Authorization header" };
  const claims = await verifyAccessToken(accessTokenKey(config().authSecret), match[1]);
  if (!claims) return { kind: "invalid", reason: "invalid or expired token" };
  const live = await findLiveApiSession(db, claims.sessionId, claims.userId, now);
  if (!live) return { kind: "invalid", reason: "session revoked or expired" };
  // A token never holds more than its session was granted.
  const granted = new Set(live.session.scopes.split(" "));
  const scopes = new Set(claims.scopes.filter((s) => granted.has(s)));
  return { kind: "caller", caller: { user: live.user, sessionId: live.session.id, via: "bearer", scopes } };
}

export async function authenticateCookie(db: Db, secret: string, now = Date.now()): Promise<Authentication> {
  const live = await findLiveBrowserSession(db, secret, now);
  if (!live) return { kind: "invalid", reason: "session revoked or expired" };
  return { kind: "caller", caller: { user: live.user, sessionId: live.session.id, via: "cookie", scopes: new Set(BROWSER_SCOPES) } };
}

/** An Authorization header wins over a cookie: an API client never silently falls back to one. */
export async function authenticateRequest(db: Db, headers: Headers): Promise<Authentication> {
  const authorization = headers.get("authorization");
  if (authorization !== null) return authenticateBearer(db, authorization);
  const secret = readCookie(headers.get("cookie"), sessionCookieName());
  if (secret === undefined) return { kind: "anonymous" };
  // A dead cookie makes a browser anonymous (it is shown "sign in"), not an API error.
  const result = await authenticateCookie(db, secret);
  return result.kind === "caller" ? result : { kind: "anonymous" };
}

/** The client's address: the socket's, unless a trusted proxy in front of us says otherwise. */
export function clientIp(headers: Headers): string {
  // scripts/serve.ts drops client-sent X-Forwarded-For unless TRUST_PROXY is set, so Next.js
  // fills it from the socket; behind a trusted proxy, the right-most entry is the one it added.
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").map((s) => s.trim()).filter(Boolean).at(-1);
  return (last ?? "unknown").replace(/^::ffff:/, "").slice(0, 64);
}
