import NextAuth, { CredentialsSignin, type User } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { NextRequest } from "next/server";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { db } from "@/db/client";
import { sessions } from "@/db/schema";
import { config } from "@/server/config";
import { appOrigin } from "@/server/http/csrf";
import { sha256 } from "@/server/ids";
import { checkCredentials } from "./accounts";
import { checkSignInAllowed } from "./rate-limit";
import { clientIp, readCookie, sessionCookieName } from "./caller";
import { createBrowserSession, findLiveBrowserSession, revokeSession, SESSION_LIFETIMES } from "./sessions";

class RateLimited extends CredentialsSignin {
  code = "rate_limited";
}

const credentialsSchema = z.object({ email: z.string().max(254), password: z.string().max(128) });

/** The signed-in user plus the opaque secret that becomes the cookie value. */
type SignedInUser = User & { sessionSecret: string };

/**
 * Browser sign-in through Auth.js Credentials. Credentials sign-in never writes a database
 * session on its own, so `authorize` creates the whitelist row and the "JWT" Auth.js stores in
 * the cookie is replaced by that row's opaque secret (jwt.encode / jwt.decode below). Every
 * decode looks the row up, so a revoked session is dead on its very next request.
 */
const authjs = NextAuth(() => {
  const cookieName = sessionCookieName();
  return {
    secret: config().authSecret,
    trustHost: true,
    pages: { signIn: "/signin" },
    // A wrong password is an expected answer, not a server error: keep it out of the error log.
    logger: {
      error(error: Error) {
        if (error instanceof CredentialsSignin || error.name === "CredentialsSignin") return;
        console.error("[auth]", error);
      },
    },
    session: { strategy: "jwt", maxAge: SESSION_LIFETIMES.browser.absoluteMs / 1000, updateAge: 24 * 60 * 60 },
    cookies: {
      sessionToken: {
        name: cookieName,
        options: { httpOnly: true, sameSite: "lax", path: "/", secure: config().secureCookies },
      },
    },
    providers: [
      Credentials({
        credentials: { email: {}, password: {} },
        async authorize(raw, request): Promise<SignedInUser | null> {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) return null;
          const ip = clientIp(request.headers);
          const outcome = await checkCredentials(db(), parsed.data.email, parsed.data.password, ip);
          if (!outcome.ok) {
            if (outcome.reason === "rate_limited") throw new RateLimited();
            return null;
          }
          // Signing in replaces whatever session this browser already had.
          const previous = readCookie(request.headers.get("cookie"), cookieName);
          if (previous) {
            const row = db().select({ id: sessions.id }).from(sessions).where(eq(sessions.secretHash, sha256(previous))).get();
            if (row) revokeSession(db(), row.id, "replaced_by_sign_in");
          }
          const device = request.headers.get("user-agent") ?? "Unknown browser";
          const { secret } = createBrowserSession(db(), outcome.user.id, { device, ip });
          return { id: outcome.user.id, email: outcome.user.email, name: outcome.user.name, sessionSecret: secret };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sessionSecret = (user as SignedInUser).sessionSecret;
        return token;
      },
    },
    events: {
      signOut(message) {
        const secret = "token" in message ? (message.token?.sessionSecret as string | undefined) : undefined;
        const live = secret ? findLiveBrowserSession(db(), secret) : undefined;
        if (live) revokeSession(db(), live.session.id, "signed_out");
      },
    },
    jwt: {
      async encode({ token }) {
        return typeof token?.sessionSecret === "string" ? token.sessionSecret : "";
      },
      async decode({ token }) {
        if (!token) return null;
        const live = findLiveBrowserSession(db(), token);
        if (!live) return null;
        return { sub: live.user.id, name: live.user.name, email: live.user.email, sessionSecret: token };
      },
    },
  };
});

export const { signOut } = authjs;

/**
 * Auth.js builds its redirects from request.url, but under scripts/serve.ts Next.js reports its
 * default port 3000 there whatever PORT is (and the internal host behind a proxy), so "Sign out"
 * sent the browser to http://localhost:3000/. Rebase the request on the app's real origin first.
 * A plain Request, since a NextRequest rewrites 127.0.0.1 in its URL to localhost (and the demo at
 * 127.0.0.1 would be signed out onto another origin); Auth.js reads only what Request has.
 */
function onAppOrigin(request: NextRequest): NextRequest {
  const origin = appOrigin(request.headers);
  const url = new URL(request.url);
  if (!origin || url.origin === origin) return request;
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return new Request(origin + url.pathname + url.search, {
    method: request.method,
    headers: request.headers,
    body: hasBody ? request.body : undefined,
    duplex: "half",
  } as RequestInit) as NextRequest;
}

/**
 * Auth.js answers a refused sign-in with 200 and an error in the returned URL. A rate-limited
 * one must be a 429 with Retry-After, like the token endpoint's: keep Auth.js's body (the
 * sign-in form reads its `code`) and set the status and header.
 */
async function withRateLimitStatus(request: NextRequest, response: Response): Promise<Response> {
  if (!response.headers.get("content-type")?.includes("application/json")) return response;
  const body = (await response.clone().json().catch(() => null)) as { url?: string } | null;
  if (!body?.url || new URL(body.url, "http://x").searchParams.get("code") !== "rate_limited") return response;
  const form = await request.formData().catch(() => null);
  const verdict = checkSignInAllowed(db(), String(form?.get("email") ?? ""), clientIp(request.headers));
  const headers = new Headers(response.headers);
  headers.set("Retry-After", String(verdict.limited ? verdict.retryAfterSeconds : 60));
  return new Response(JSON.stringify({ ...body, error: { code: "TOO_MANY_REQUESTS", message: "Too many failed sign-ins. Try again later." } }), { status: 429, headers });
}

export const handlers = {
  GET: (request: NextRequest) => authjs.handlers.GET(onAppOrigin(request)),
  POST: async (request: NextRequest) => {
    const response = await authjs.handlers.POST(onAppOrigin(request.clone() as NextRequest));
    return withRateLimitStatus(request, response);
  },
};
