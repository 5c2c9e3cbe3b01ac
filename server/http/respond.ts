import "server-only";
import { ZodError, type ZodType } from "zod";
import { AppError, appErrorOf, invalidInput, type AppErrorCode } from "@/server/errors";

/**
 * The HTTP API's error body (README.md "HTTP API", docs/architecture.md): `{"error":{"code":"UPPER_SNAKE","message":"…",
 * "fields":{…}?}}`, plus an AppError's details (the check-in 409 says when and by whom).
 */
export type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string>; [detail: string]: unknown } };

/** The HTTP status of each code of the domain's errors. */
export const HTTP_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<AppErrorCode, number>;

export const MAX_JSON_BODY_BYTES = 16 * 1024;

/** A browser following a link accepts text/html but not JSON: it gets a readable page instead. */
export function acceptsHtmlOnly(accept: string | null | undefined): boolean {
  return !!accept && accept.includes("text/html") && !accept.includes("application/json");
}

export function prefersHtml(request: Request): boolean {
  return acceptsHtmlOnly(request.headers.get("accept"));
}

/** Every answer that depends on who asks: neither the browser nor a shared cache may keep it. */
export const PRIVATE_NO_STORE = "private, no-store";

const PAGE_TEXT: Record<number, { title: string; body: string }> = {
  400: { title: "That request wasn't right", body: "Something in the link or form is not valid." },
  401: { title: "Sign in to continue", body: "You need to sign in to see this." },
  403: { title: "Not yours", body: "This belongs to another account. Sign in with the account that has access." },
  404: { title: "Not found", body: "There is nothing here. Check the link you followed." },
  405: { title: "Not supported", body: "This address can't be used that way." },
  409: { title: "Conflict", body: "That could not be done in the current state." },
  410: { title: "No longer valid", body: "This has been cancelled or replaced." },
  413: { title: "Too large", body: "What was sent is larger than this address accepts." },
  429: { title: "Slow down", body: "Too many attempts. Wait a little and try again." },
  503: { title: "Busy right now", body: "Admit is very busy at the moment. Try again in a few seconds." },
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A browser page's own words, where they can say more than the status's stock text. */
export type PageText = { title: string; body?: string };

export function htmlErrorPage(status: number, message: string, request?: Request, page?: PageText): string {
  const stock = PAGE_TEXT[status] ?? { title: "Something went wrong", body: "Please try again later." };
  const title = page?.title ?? stock.title;
  // A 401's message is written for API clients ("send a Bearer token"); people get plain words.
  const body = page?.body ?? (status === 401 ? stock.body : message || stock.body);
  const back = request ? new URL(request.url).pathname : "/";
  const action =
    status === 401
      ? `<a class="btn" href="/signin?callbackUrl=${encodeURIComponent(back)}">Sign in</a>`
      : `<a class="btn" href="/">Go to Admit</a>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Admit</title>
<style>body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;display:grid;place-items:center;min-height:100vh;margin:0}
main{max-width:28rem;margin:1rem;padding:2rem;background:#fff;border:1px solid #e2e8f0;border-radius:12px}h1{font-size:1.4rem;margin:0 0 .5rem}
p{color:#475569}.code{font-size:.8rem}.btn{display:inline-block;margin-top:1rem;background:#4f46e5;color:#fff;padding:.5rem 1rem;border-radius:8px;text-decoration:none}</style>
</head><body><main><p class="code">Error ${status}</p><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>${action}</main></body></html>`;
}

export function errorResponse(
  request: Request,
  status: number,
  code: string,
  message: string,
  extra: { fields?: Record<string, string>; details?: Record<string, unknown>; headers?: HeadersInit; page?: PageText } = {},
): Response {
  const headers = new Headers(extra.headers);
  headers.set("Cache-Control", PRIVATE_NO_STORE);
  if (request.method !== "HEAD" && prefersHtml(request)) {
    headers.set("Content-Type", "text/html; charset=utf-8");
    return new Response(htmlErrorPage(status, message, request, extra.page), { status, headers });
  }
  // Details go first: they add facts beside the contract's keys and never replace one.
  const body: ErrorBody = { error: { ...extra.details, code, message, ...(extra.fields ? { fields: extra.fields } : {}) } };
  headers.set("Content-Type", "application/json");
  return new Response(request.method === "HEAD" ? null : JSON.stringify(body), { status, headers });
}

/**
 * The REST side of the domain's errors, the only one: an AppError answers with its code's status,
 * its fields and details, and Retry-After when it says when to try again. Input that failed a
 * zod schema is a 400 naming the fields; anything else is a bug, logged, and a bare 500.
 */
export function errorResponseFrom(request: Request, error: unknown): Response {
  const known = error instanceof ZodError ? invalidInput(error) : appErrorOf(error);
  if (!known) {
    console.error("Unexpected error in", request.method, new URL(request.url).pathname, error);
    return errorResponse(request, 500, "INTERNAL_SERVER_ERROR", "Something went wrong on our side");
  }
  const headers = known.retryAfterSeconds === undefined ? undefined : { "Retry-After": String(known.retryAfterSeconds) };
  return errorResponse(request, HTTP_STATUS[known.code], known.reason ?? known.code, known.message, { fields: known.fields, details: known.details, headers });
}

/** Route handlers are wrapped so every failure answers in the contract's shape, never a stack trace. */
export function route<Ctx>(handler: (request: Request, ctx: Ctx) => Promise<Response>) {
  return async (request: Request, ctx: Ctx): Promise<Response> => {
    try {
      return await handler(request, ctx);
    } catch (error) {
      return errorResponseFrom(request, error);
    }
  };
}

export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json");
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", PRIVATE_NO_STORE);
  return new Response(JSON.stringify(data), { ...init, headers });
}

/** Reads a capped JSON body and validates it; every failure is a 4xx naming what was wrong. */
export async function readJson<T>(request: Request, schema: ZodType<T>): Promise<T> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json");
  }
  const text = await readCappedBody(request, MAX_JSON_BODY_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "The body is not valid JSON", { fields: { _: "The body is not valid JSON" } });
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

function tooLarge(max: number) {
  return new AppError("PAYLOAD_TOO_LARGE", `The body must be at most ${max} bytes`);
}

/**
 * The body, read only up to `max` bytes: a larger Content-Length is refused before reading, and a
 * body without one (chunked) is counted while it arrives and cut off at the cap.
 */
export async function readCappedBytes(request: Request, max: number): Promise<Buffer<ArrayBuffer>> {
  if (Number(request.headers.get("content-length") ?? "0") > max) throw tooLarge(max);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function readCappedBody(request: Request, max: number): Promise<string> {
  return new TextDecoder().decode(await readCappedBytes(request, max));
}

/**
 * The same request with its body read (capped) into memory, for handlers that parse bodies
 * themselves (Auth.js, tRPC): they then can't read more than `max` bytes.
 */
export async function withCappedBody(request: Request, max: number): Promise<Request> {
  if (request.method === "GET" || request.method === "HEAD") return request;
  const body = await readCappedBytes(request, max);
  return new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal });
}
