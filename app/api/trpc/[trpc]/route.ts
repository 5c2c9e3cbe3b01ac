import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { db } from "@/db/client";
import { errorResponseFrom, PRIVATE_NO_STORE, withCappedBody } from "@/server/http/respond";
import { MAX_TRPC_BATCH_CALLS } from "@/lib/trpc-limits";
import { appRouter } from "@/server/router";
import { createContextFromRequest, errorResponseMeta, isUnexpected } from "@/server/trpc";

/** Batched mutations carry several inputs, so the cap is above a single JSON body's. */
const MAX_TRPC_BODY_BYTES = 256 * 1024;

async function handler(incoming: Request) {
  let request: Request;
  try {
    // Buffered with a cap: an oversized (or endless chunked) body is refused before parsing.
    request = await withCappedBody(incoming, MAX_TRPC_BODY_BYTES);
  } catch (error) {
    return errorResponseFrom(incoming, error);
  }
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    // A larger batch is refused (400) before any of its calls runs: one request can't carry
    // dozens of password guesses or expensive queries.
    maxBatchSize: MAX_TRPC_BATCH_CALLS,
    createContext: ({ resHeaders }) => createContextFromRequest(db(), request, resHeaders),
    // A rate-limited call, or one that met a busy database, says when to try again, as the REST
    // routes do (server/http/respond.ts).
    responseMeta: errorResponseMeta,
    onError({ error, path }) {
      if (isUnexpected(error)) console.error(`tRPC ${path}:`, error);
    },
  });
  // Answers carry attendee emails, device addresses and the like: no cache may keep any of them.
  response.headers.set("Cache-Control", PRIVATE_NO_STORE);
  // A request tRPC refuses before reading its calls (an oversized batch) gets a JSON body that
  // tRPC leaves labelled text/plain.
  if (response.headers.get("content-type")?.startsWith("text/plain")) response.headers.set("Content-Type", "application/json");
  return response;
}

export { handler as GET, handler as POST };
