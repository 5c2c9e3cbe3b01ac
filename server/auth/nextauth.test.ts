import { eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppDb } from "@/db/client";
import { sessions, type User } from "@/db/schema";
import { sha256 } from "@/server/ids";
import { freshDb, makeUser, TEST_PASSWORD } from "@/server/test-support";
import { handlers } from "./nextauth";
import { findLiveBrowserSession } from "./sessions";

/**
 * Browser sign-in through the Auth.js route handlers, the way Next.js calls them. Next.js under
 * scripts/serve.ts hands route handlers a request.url on its default port 3000 whatever port it
 * really serves; the Host header is what the browser actually used.
 */
const NEXT_URL = "http://localhost:3000";
const HOST = "localhost:3191";
const ORIGIN = `http://${HOST}`;

let db: AppDb;
let user: User;

beforeEach(async () => {
  db = freshDb();
  user = await makeUser(db, { name: "Browser User" });
  // Auth.js logs every refused sign-in and dead cookie as an error; expected here.
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A minimal cookie jar over Set-Cookie headers. */
class Jar {
  cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

function authRequest(path: string, jar: Jar, init: { method?: string; form?: Record<string, string> } = {}) {
  const headers = new Headers({ host: HOST, "x-forwarded-for": "192.0.2.44", "user-agent": "vitest browser", "x-auth-return-redirect": "1" });
  if (jar.cookies.size) headers.set("cookie", jar.header());
  let body: string | undefined;
  if (init.form) {
    headers.set("content-type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(init.form).toString();
  }
  return new NextRequest(`${NEXT_URL}${path}`, { method: init.method ?? "GET", headers, body });
}

async function csrfToken(jar: Jar): Promise<string> {
  const response = await handlers.GET(authRequest("/api/auth/csrf", jar));
  jar.take(response);
  return ((await response.json()) as { csrfToken: string }).csrfToken;
}

async function signIn(jar: Jar, email: string, password: string) {
  const token = await csrfToken(jar);
  const response = await handlers.POST(
    authRequest("/api/auth/callback/credentials", jar, { method: "POST", form: { csrfToken: token, email, password, callbackUrl: "/" } }),
  );
  jar.take(response);
  return { status: response.status, retryAfter: response.headers.get("retry-after"), url: ((await response.json()) as { url: string }).url };
}

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
    const row = db.select().from(sessions).where(eq(sessions.secretHash, sha256(secret!))).get();
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
    expect(findLiveBrowserSession(db, first)).toBeUndefined();
    expect(findLiveBrowserSession(db, second)).toBeDefined();
    expect(db.select().from(sessions).where(eq(sessions.secretHash, sha256(first))).get()?.revokedReason).toBe("replaced_by_sign_in");
  });

  it("signing out revokes the row, so a copy of the cookie is dead too, and redirects on our origin", async () => {
    const jar = new Jar();
    await signIn(jar, user.email, TEST_PASSWORD);
    const secret = jar.cookies.get("admit.session")!;
    const token = await csrfToken(jar);
    const response = await handlers.POST(authRequest("/api/auth/signout", jar, { method: "POST", form: { csrfToken: token, callbackUrl: "/" } }));
    expect(((await response.json()) as { url: string }).url).toBe(`${ORIGIN}/`);
    expect(findLiveBrowserSession(db, secret)).toBeUndefined();
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
    expect(db.select().from(sessions).all()).toEqual([]);
  });

  it("a revoked session's cookie is not a session", async () => {
    const jar = new Jar();
    await signIn(jar, user.email, TEST_PASSWORD);
    const secret = jar.cookies.get("admit.session")!;
    db.update(sessions).set({ revokedAt: Date.now(), revokedReason: "test" }).where(eq(sessions.secretHash, sha256(secret))).run();
    const session = await (await handlers.GET(authRequest("/api/auth/session", jar))).json();
    expect(session).toBeNull();
  });
});
