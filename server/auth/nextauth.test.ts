import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppDb } from "@/db/client";
import { sessions, type User } from "@/db/schema";
import { sha256 } from "@/server/ids";
import { freshDb, makeUser, TEST_PASSWORD } from "@/server/testing/support";
import { chunkedBody, streamedInit } from "@/server/testing/bodies";
import { NextRequest } from "next/server";
import { authRequest, browserSignIn as signIn, csrfToken, HOST, Jar, NEXT_URL, ORIGIN } from "@/server/testing/authjs";
import { handlers } from "./nextauth";
import { findLiveBrowserSession } from "./sessions";

let db: AppDb;
let user: User;

beforeEach(async () => {
  db = await freshDb();
  user = await makeUser(db, { name: "Browser User" });
  // Auth.js logs every refused sign-in and dead cookie as an error; expected here.
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("Auth.js sign-in with the opaque session cookie", () => {
  it("redirects to the origin the browser used, not Next.js's internal one", async () => {
    const providers = (await (await handlers.GET(authRequest("/api/auth/providers", new Jar()))).json()) as Record<string, { callbackUrl: string; signinUrl: string }>;
    expect(providers.credentials.callbackUrl).toBe(`${ORIGIN}/api/auth/callback/credentials`);
    expect(providers.credentials.signinUrl.startsWith(ORIGIN)).toBe(true);
  });

  it("sets the session cookie to an opaque secret whose hash is a live whitelist row", async () => {
    const jar = new Jar();
    const result = await signIn(jar, user.email, TEST_PASSWORD);
    expect(result.url).toBe(`${ORIGIN}/`);
    const secret = jar.cookies.get("admit.session");
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = (await db.select().from(sessions).where(eq(sessions.secretHash, sha256(secret!))).limit(1))[0];
    expect(row).toMatchObject({ userId: user.id, kind: "browser", device: "vitest browser", ip: "192.0.2.44", revokedAt: null });

    // The session endpoint reads the row back.
    const session = (await (await handlers.GET(authRequest("/api/auth/session", jar))).json()) as { user?: { email?: string; name?: string } };
    expect(session.user).toMatchObject({ email: user.email, name: "Browser User" });
  });

  it("signing in again replaces the browser's previous session", async () => {
    const jar = new Jar();
    await signIn(jar, user.email, TEST_PASSWORD);
    const first = jar.cookies.get("admit.session")!;
    await signIn(jar, user.email, TEST_PASSWORD);
    const second = jar.cookies.get("admit.session")!;
    expect(second).not.toBe(first);
    expect(await findLiveBrowserSession(db, first)).toBeUndefined();
    expect(await findLiveBrowserSession(db, second)).toBeDefined();
    expect((await db.select().from(sessions).where(eq(sessions.secretHash, sha256(first))).limit(1))[0]?.revokedReason).toBe("replaced_by_sign_in");
  });

  it("signing out revokes the row, so a copy of the cookie is dead too, and redirects on our origin", async () => {
    const jar = new Jar();
    await signIn(jar, user.email, TEST_PASSWORD);
    const secret = jar.cookies.get("admit.session")!;
    const token = await csrfToken(jar);
    const response = await handlers.POST(authRequest("/api/auth/signout", jar, { method: "POST", form: { csrfToken: token, callbackUrl: "/" } }));
    expect(((await response.json()) as { url: string }).url).toBe(`${ORIGIN}/`);
    expect(await findLiveBrowserSession(db, secret)).toBeUndefined();
  });

  it("signing out of the demo opened at 127.0.0.1 stays on 127.0.0.1", async () => {
    const jar = new Jar();
    await signIn(jar, user.email, TEST_PASSWORD);
    const token = await csrfToken(jar);
    const request = authRequest("/api/auth/signout", jar, { method: "POST", form: { csrfToken: token, callbackUrl: "/" } });
    request.headers.set("host", "127.0.0.1:3191");
    const response = await handlers.POST(request);
    expect(((await response.json()) as { url: string }).url).toBe("http://127.0.0.1:3191/");
  });

  it("a wrong password creates no session; a locked account says rate_limited", async () => {
    const jar = new Jar();
    const wrong = await signIn(jar, user.email, "wrong password");
    expect(new URL(wrong.url).searchParams.get("error")).toBe("CredentialsSignin");
    expect(jar.cookies.has("admit.session")).toBe(false);
    for (let i = 0; i < 9; i++) await signIn(jar, user.email, `wrong-${i}`);
    const locked = await signIn(jar, user.email, TEST_PASSWORD);
    expect(new URL(locked.url).searchParams.get("code")).toBe("rate_limited");
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(jar.cookies.has("admit.session")).toBe(false);
    expect(await db.select().from(sessions)).toEqual([]);
  });

  it("a revoked session's cookie is not a session", async () => {
    const jar = new Jar();
    await signIn(jar, user.email, TEST_PASSWORD);
    const secret = jar.cookies.get("admit.session")!;
    await db.update(sessions).set({ revokedAt: Date.now(), revokedReason: "test" }).where(eq(sessions.secretHash, sha256(secret)));
    const session = await (await handlers.GET(authRequest("/api/auth/session", jar))).json();
    expect(session).toBeNull();
  });
});

/** Attack suite (server/http/attacks.test.ts has the rest): Auth.js's own endpoints. */
describe("attacks on Auth.js's endpoints", () => {
  const MiB = 1024 * 1024;

  it("finding 1, unbounded bodies: a chunked 8 MiB form to the sign-in callback is cut off at the cap and refused with 413", async () => {
    const { body, pulledBytes } = chunkedBody(8 * MiB);
    const request = new NextRequest(
      `${NEXT_URL}/api/auth/callback/credentials`,
      streamedInit("POST", body, { host: HOST, "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" }),
    );
    const response = await handlers.POST(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    // Read up to the cap (16 KiB) plus what was in flight: nowhere near the whole body.
    expect(pulledBytes()).toBeLessThan(MiB);
  });

  it("finding 1, unbounded bodies: a declared Content-Length over the cap is refused before reading", async () => {
    const { body, pulledBytes } = chunkedBody(8 * MiB);
    const request = new NextRequest(
      `${NEXT_URL}/api/auth/signin/credentials`,
      streamedInit("POST", body, { host: HOST, "content-type": "application/x-www-form-urlencoded", "content-length": String(100 * MiB) }),
    );
    const response = await handlers.POST(request);
    expect(response.status).toBe(413);
    expect(pulledBytes()).toBe(0);
  });

  it("finding 2, malformed cookie: an undecodable session cookie is no session, and signing in still works", async () => {
    const jar = new Jar();
    jar.cookies.set("admit.session", "%E0%A4%A");
    const session = await handlers.GET(authRequest("/api/auth/session", jar));
    expect(session.status).toBe(200);
    expect(await session.json()).toBeNull();
    const result = await signIn(jar, user.email, TEST_PASSWORD);
    expect(result.status).toBe(200);
    expect(result.url).toBe(`${ORIGIN}/`);
    expect((await findLiveBrowserSession(db, jar.cookies.get("admit.session")!))).toBeDefined();
  });

  it("finding 3, caching: every Auth.js answer (session, CSRF token, sign-in) is private, no-store", async () => {
    const jar = new Jar();
    for (const path of ["/api/auth/session", "/api/auth/csrf", "/api/auth/providers"]) {
      const response = await handlers.GET(authRequest(path, jar));
      expect(response.headers.get("cache-control"), path).toBe("private, no-store");
      jar.take(response);
    }
    const token = await csrfToken(jar);
    const response = await handlers.POST(
      authRequest("/api/auth/callback/credentials", jar, { method: "POST", form: { csrfToken: token, email: user.email, password: TEST_PASSWORD, callbackUrl: "/" } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    // The session cookie survives the header rewrite.
    jar.take(response);
    expect(jar.cookies.get("admit.session")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
