import { asc } from "drizzle-orm";
import { expect } from "vitest";
import { GET as meGET } from "@/app/api/v1/me/route";
import { POST as logoutPOST } from "@/app/api/v1/auth/logout/route";
import { POST as refreshPOST } from "@/app/api/v1/auth/refresh/route";
import { POST as tokenPOST } from "@/app/api/v1/auth/token/route";
import type { AppDb } from "@/db/client";
import { refreshTokens, sessions, rateLimitHits } from "@/db/schema";

/**
 * Test-only helpers for calling the auth route handlers directly, the way Next.js would: a real
 * `Request` in, a real `Response` out.
 */

type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const noParams = () => ({ params: Promise.resolve({}) });

export type RequestOptions = {
  /** A string is sent as is (for malformed bodies); anything else is JSON-encoded. */
  body?: unknown;
  /** A null value removes the header. */
  headers?: Record<string, string | null>;
  /** The client address as the production server hands it to Next.js. */
  ip?: string;
};

export function apiRequest(path: string, method: string, options: RequestOptions = {}): Request {
  const headers = new Headers({ accept: "application/json", "x-forwarded-for": options.ip ?? "192.0.2.1" });
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers.set("content-type", "application/json");
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  // Bytes, so that fetch doesn't add a text/plain content type of its own.
  return new Request(`http://localhost${path}`, { method, headers, body: body === undefined ? undefined : new TextEncoder().encode(body) });
}

export const postToken = (options: RequestOptions = {}) =>
  (tokenPOST as Handler)(apiRequest("/api/v1/auth/token", "POST", options), noParams());
export const postRefresh = (options: RequestOptions = {}) =>
  (refreshPOST as Handler)(apiRequest("/api/v1/auth/refresh", "POST", options), noParams());
export const postLogout = (options: RequestOptions = {}) =>
  (logoutPOST as Handler)(apiRequest("/api/v1/auth/logout", "POST", options), noParams());
export const getMe = (options: RequestOptions = {}) => (meGET as Handler)(apiRequest("/api/v1/me", "GET", options), noParams());

export const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

export type TokenBody = { tokenType: string; token: string; expiresIn: number; refreshToken: string; scopes: string[] };
export type ErrorShape = { error: { code: string; message: string; fields?: Record<string, string> } };

/** Issues tokens for the given credentials and fails the test unless it worked. */
export async function signInApi(email: string, password: string, extra: Record<string, unknown> = {}, ip?: string): Promise<TokenBody> {
  const response = await postToken({ body: { email, password, ...extra }, ip });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as TokenBody;
}

/** Asserts the contract's error shape and returns it. */
export async function expectError(response: Response, status: number, code?: string): Promise<ErrorShape["error"]> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorShape;
  expect(body.error.code).toMatch(/^[A-Z][A-Z_]*$/);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  if (code) expect(body.error.code).toBe(code);
  return body.error;
}

/** Everything the auth layer persists, to prove a rejected request changed nothing. */
export async function authTables(db: AppDb) {
  return {
    sessions: (await db.select().from(sessions).orderBy(asc(sessions.id))),
    refreshTokens: (await db.select().from(refreshTokens).orderBy(asc(refreshTokens.tokenHash))),
    rateLimitHits: (await db.select().from(rateLimitHits).orderBy(asc(rateLimitHits.id))),
  };
}

export function base64url(value: unknown): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[index], "base64url").toString("utf8")) as Record<string, unknown>;
}
