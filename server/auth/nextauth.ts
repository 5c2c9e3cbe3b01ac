import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import NextAuth, { CredentialsSignin, type User } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { NextRequest } from "next/server";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { db } from "@/db/client";
import { sessions } from "@/db/schema";
import { config } from "@/server/config";
import { appOrigin } from "@/server/http/csrf";
import { errorResponseFrom, MAX_JSON_BODY_BYTES, PRIVATE_NO_STORE, withCappedBody } from "@/server/http/respond";
import { sameOriginReturnUrl } from "@/lib/return-path";
import { sha256 } from "@/server/ids";
import { checkCredentials } from "./accounts";
import { clientIp, readCookie, sessionCookieName } from "./caller";
import { noticeNewDevice } from "./new-device";
import { findLiveBrowserSession, replaceBrowserSession, revokeSession, SESSION_LIFETIMES } from "./sessions";

class RateLimited extends CredentialsSignin {
  code = "rate_limited";
}

/** What authorize() learned about a refused sign-in, for the response wrapper below. */
const signInAttempt = new AsyncLocalStorage<{ retryAfterSeconds?: number }>();

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
            if (outcome.reason === "rate_limited") {
              const attempt = signInAttempt.getStore();
              if (attempt) attempt.retryAfterSeconds = outcome.retryAfterSeconds;
              throw new RateLimited();
            }
            return null;
          }
          // Signing in replaces whatever session this browser already had.
          const previous = readCookie(request.headers.get("cookie"), cookieName);
          const [previousSession] = previous ? await db().select({ id: sessions.id }).from(sessions).where(eq(sessions.secretHash, sha256(previous))).limit(1) : [];
          const device = request.headers.get("user-agent") ?? "Unknown browser";
          const { session, secret } = await replaceBrowserSession(db(), previousSession?.id ?? null, outcome.user.id, { device, ip });
          await noticeNewDevice(db(), session);
          return { id: outcome.user.id, email: outcome.user.email, name: outcome.user.name, sessionSecret: secret };
        },
      }),
    ],
    callbacks: {
      // Where the browser goes after signing in or out: a path on our origin only (see lib/return-path.ts).
      redirect({ url, baseUrl }) {
        return sameOriginReturnUrl(url, baseUrl);
      },
      jwt({ token, user }) {
        if (user) token.sessionSecret = (user as SignedInUser).sessionSecret;
        return token;
      },
    },
    events: {
      async signOut(message) {
        const secret = "token" in message ? (message.token?.sessionSecret as string | undefined) : undefined;
        const live = secret ? await findLiveBrowserSession(db(), secret) : undefined;
        if (live) await revokeSession(db(), live.session.id, "signed_out");
      },
    },
    jwt: {
      async encode({ token }) {
        return typeof token?.sessionSecret === "string" ? token.sessionSecret : "";
      },
      async decode({ token }) {
        if (!token) return null;
        const live = await findLiveBrowserSession(db(), token);
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
async function withRateLimitStatus(response: Response, retryAfterSeconds: number): Promise<Response> {
  if (!response.headers.get("content-type")?.includes("application/json")) return response;
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const headers = new Headers(response.headers);
  headers.set("Retry-After", String(retryAfterSeconds));
  return new Response(JSON.stringify({ ...body, error: { code: "TOO_MANY_REQUESTS", message: "Too many failed sign-ins. Try again later." } }), { status: 429, headers });
}

/** Sessions, CSRF tokens and sign-in answers are all about one browser: nothing may cache them. */
function privateAnswer(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("Cache-Control", PRIVATE_NO_STORE);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export const handlers = {
  GET: async (request: NextRequest) => privateAnswer(await authjs.handlers.GET(onAppOrigin(request))),
  POST: async (request: NextRequest) => {
    // Auth.js parses the whole form before answering: read it here first, capped (a sign-in
    // form is a few hundred bytes), so an endless body is refused with a 413 instead.
    let capped: NextRequest;
    try {
      capped = new NextRequest(await withCappedBody(request, MAX_JSON_BODY_BYTES));
    } catch (error) {
      return errorResponseFrom(request, error);
    }
    const attempt: { retryAfterSeconds?: number } = {};
    const response = await signInAttempt.run(attempt, () => authjs.handlers.POST(onAppOrigin(capped)));
    return privateAnswer(attempt.retryAfterSeconds === undefined ? response : await withRateLimitStatus(response, attempt.retryAfterSeconds));
  },
};
