import "server-only";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { BUSY_RETRY_AFTER_SECONDS, watchDatabase, type DatabaseWatch } from "@/db/errors";
import { acceptsHtmlOnly, htmlErrorPage, type ErrorBody } from "./respond";
import { HSTS_POLICY, NON_DOCUMENT_POLICY, SECURITY_HEADERS } from "./security-headers";

/**
 * The production server's own checks, made before Next.js sees a request (scripts/serve.ts).
 * Next.js answers some hostile requests with a bare 500 and none of the security headers:
 * malformed percent-encoding in a dynamic path segment, and methods such as TRACE. Those are
 * refused here with the error contract of server/http/respond.ts instead.
 */

/** Every page and handler of the app is reached with these; anything else is a 405. */
export const ALLOWED_METHODS: readonly string[] = ["GET", "HEAD", "POST"];

/**
 * No endpoint accepts a larger body (each caps lower while reading: server/http/respond.ts), so a
 * larger Content-Length is refused before a byte is read. Chunked bodies, which declare no
 * length, are counted by those readers.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export type FrontDoorOptions = {
  /** The public origin; an https one turns on HSTS. */
  appUrl?: string;
  /** Behind a proxy we run, X-Forwarded-* are believed; otherwise a client can't send them. */
  trustProxy: boolean;
};

type Refusal = { status: number; code: string; message: string; headers?: Record<string, string> };

/** Why a request can't be handed to Next.js, or null when it can. */
export function refusalFor(request: Pick<IncomingMessage, "method" | "url" | "headers">): Refusal | null {
  const method = request.method ?? "";
  if (!ALLOWED_METHODS.includes(method)) {
    return { status: 405, code: "METHOD_NOT_ALLOWED", message: `The method ${method || "(none)"} is not supported`, headers: { Allow: ALLOWED_METHODS.join(", ") } };
  }
  if (!hasWellFormedPath(request.url ?? "")) {
    return { status: 400, code: "BAD_REQUEST", message: "The address is not valid: its path has malformed percent-encoding" };
  }
  if (Number(request.headers["content-length"] ?? 0) > MAX_REQUEST_BODY_BYTES) {
    return { status: 413, code: "PAYLOAD_TOO_LARGE", message: `The body must be at most ${MAX_REQUEST_BODY_BYTES} bytes` };
  }
  return null;
}

/** Next.js decodes path segments into route params; a segment that doesn't decode made it throw. */
function hasWellFormedPath(target: string): boolean {
  let pathname: string;
  if (target.startsWith("/")) {
    pathname = target.replace(/[?#].*$/s, "");
  } else {
    // Absolute form ("GET http://host/path"), which HTTP/1.1 servers must accept.
    try {
      pathname = new URL(target).pathname;
    } catch {
      return false;
    }
  }
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/** The refusal in the contract's shape (a readable page for browsers), with the usual headers. */
function refuse(request: IncomingMessage, response: ServerResponse, refusal: Refusal): void {
  const html = acceptsHtmlOnly(request.headers.accept);
  const error: ErrorBody = { error: { code: refusal.code, message: refusal.message } };
  const body = html ? htmlErrorPage(refusal.status, refusal.message) : JSON.stringify(error);
  response.writeHead(refusal.status, {
    ...SECURITY_HEADERS,
    "Content-Security-Policy": NON_DOCUMENT_POLICY,
    "Cache-Control": "no-store",
    "Content-Type": html ? "text/html; charset=utf-8" : "application/json",
    "Content-Length": Buffer.byteLength(body),
    // Whatever body the client is still sending is never read; the connection ends with this answer.
    Connection: "close",
    ...refusal.headers,
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

/** The HTTP server scripts/serve.ts runs: these checks, then `handle` (Next.js's request handler). */
export function createAppServer(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, options: FrontDoorOptions): Server {
  const hsts = options.appUrl?.startsWith("https://") ?? false;
  return createServer((request, response) => {
    // Plain http stays usable for local demos and e2e; only an https origin pins browsers to it.
    if (hsts) response.setHeader("Strict-Transport-Security", HSTS_POLICY);
    const refusal = refusalFor(request);
    if (refusal) return refuse(request, response, refusal);
    if (!options.trustProxy) {
      // Sign-in rate limits key on the client address: a client-sent X-Forwarded-For is dropped
      // and Next.js fills it from the socket.
      delete request.headers["x-forwarded-for"];
      delete request.headers["x-forwarded-host"];
      delete request.headers["x-forwarded-proto"];
    }
    const watch: DatabaseWatch = { busy: false };
    answerBusyAs503(response, watch);
    watchDatabase(watch, () => void handle(request, response));
  });
}

/**
 * Route handlers and tRPC answer a busy database 503 themselves (server/http/respond.ts,
 * server/trpc.ts); a page can't: Next.js renders its error page with a 500. When a statement of
 * this request found the database busy (db/errors.ts), that 500 goes out as a 503 with
 * Retry-After, which tells clients and load balancers the same request will work shortly.
 */
function answerBusyAs503(response: ServerResponse, watch: DatabaseWatch): void {
  const writeHead = response.writeHead.bind(response) as (status: number, ...rest: unknown[]) => ServerResponse;
  // Node calls writeHead for implicit headers too (a first write or end without it).
  response.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status !== 500 || !watch.busy) return writeHead(status, ...rest);
    response.setHeader("Retry-After", String(BUSY_RETRY_AFTER_SECONDS));
    if (typeof rest[0] === "string") rest[0] = "Service Unavailable";
    return writeHead(503, ...rest);
  }) as ServerResponse["writeHead"];
}
