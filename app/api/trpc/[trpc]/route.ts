import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { db } from "@/db/client";
import { RateLimitedError } from "@/server/errors";
import { errorResponseFrom, readCappedBody } from "@/server/http/respond";
import { appRouter } from "@/server/router";
import { createContextFromRequest } from "@/server/trpc";

/** Batched mutations carry several inputs, so the cap is above a single JSON body's. */
const MAX_TRPC_BODY_BYTES = 256 * 1024;

async function handler(incoming: Request) {
  let request = incoming;
  if (incoming.method === "POST") {
    try {
      // Buffer with a cap: an oversized (or endless chunked) body is refused before parsing.
      const body = await readCappedBody(incoming, MAX_TRPC_BODY_BYTES);
      request = new Request(incoming.url, { method: "POST", headers: incoming.headers, body });
    } catch (error) {
      return errorResponseFrom(incoming, error);
    }
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createContextFromRequest(db(), request),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path}:`, error);
    },
    // A rate-limited call says when to come back, as the REST routes do (server/http/respond.ts).
    responseMeta({ errors }) {
      const limited = errors.find((error): error is RateLimitedError => error instanceof RateLimitedError);
      return limited ? { headers: new Headers({ "Retry-After": String(limited.retryAfterSeconds) }) } : {};
    },
  });
}

export { handler as GET, handler as POST };
