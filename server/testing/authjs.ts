import { NextRequest } from "next/server";
import { handlers } from "@/server/auth/nextauth";

/**
 * Test-only helpers for browser sign-in through the Auth.js route handlers, the way Next.js calls
 * them. Next.js under scripts/serve.ts hands route handlers a request.url on its default port
 * 3000 whatever port it really serves; the Host header is what the browser actually used.
 */
export const NEXT_URL = "http://localhost:3000";
export const HOST = "localhost:3191";
export const ORIGIN = `http://${HOST}`;

/** A minimal cookie jar over Set-Cookie headers. */
export class Jar {
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

export function authRequest(path: string, jar: Jar, init: { method?: string; form?: Record<string, string>; ip?: string } = {}) {
  const headers = new Headers({ host: HOST, "x-forwarded-for": init.ip ?? "192.0.2.44", "user-agent": "vitest browser", "x-auth-return-redirect": "1" });
  if (jar.cookies.size) headers.set("cookie", jar.header());
  let body: string | undefined;
  if (init.form) {
    headers.set("content-type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(init.form).toString();
  }
  return new NextRequest(`${NEXT_URL}${path}`, { method: init.method ?? "GET", headers, body });
}

export async function csrfToken(jar: Jar): Promise<string> {
  const response = await handlers.GET(authRequest("/api/auth/csrf", jar));
  jar.take(response);
  return ((await response.json()) as { csrfToken: string }).csrfToken;
}

/** Posts the sign-in form the way next-auth/react's signIn does; returns where Auth.js sends the browser. */
export async function browserSignIn(jar: Jar, email: string, password: string, options: { callbackUrl?: string; ip?: string } = {}) {
  const token = await csrfToken(jar);
  const form = { csrfToken: token, email, password, callbackUrl: options.callbackUrl ?? "/" };
  const response = await handlers.POST(authRequest("/api/auth/callback/credentials", jar, { method: "POST", form, ip: options.ip }));
  jar.take(response);
  return { status: response.status, retryAfter: response.headers.get("retry-after"), url: ((await response.json()) as { url: string }).url };
}
