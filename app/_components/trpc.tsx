"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { httpBatchLink, TRPCClientError, type TRPCLink } from "@trpc/client";
import { createTRPCReact, type inferReactQueryProcedureOptions } from "@trpc/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import { useState } from "react";
import { MAX_TRPC_BATCH_CALLS } from "@/lib/trpc-limits";
import type { AppRouter } from "@/server/router";

export const trpc = createTRPCReact<AppRouter>();
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type ReactQueryOptions = inferReactQueryProcedureOptions<AppRouter>;

export const NETWORK_ERROR_MESSAGE = "Could not reach Admit. Check your internet connection and try again.";

/**
 * A request that never got an answer (offline, server unreachable) fails with the browser's
 * "Failed to fetch"; this link says it in words people can act on. Answers from the server,
 * errors included, pass through untouched.
 */
const networkErrorsInWords: TRPCLink<AppRouter> = () => ({ next, op }) =>
  observable((observer) =>
    next(op).subscribe({
      next: (value) => observer.next(value),
      complete: () => observer.complete(),
      error: (error) => observer.error(error.data || error.shape ? error : new TRPCClientError(NETWORK_ERROR_MESSAGE, { cause: error })),
    }),
  );

export function TrpcProvider({ children }: { children: React.ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // networkMode "always": offline, a request fails at once with a message instead of
          // waiting for the connection ("online" mode pauses it, then sends it by itself when the
          // connection returns: an order placed long after the person gave up). No retries of
          // mutations either: whether one runs again is the person's decision.
          queries: { retry: false, refetchOnWindowFocus: false, networkMode: "always" },
          mutations: { retry: false, networkMode: "always" },
        },
      }),
  );
  const [client] = useState(() =>
    trpc.createClient({ links: [networkErrorsInWords, httpBatchLink({ url: "/api/trpc", maxItems: MAX_TRPC_BATCH_CALLS })] }),
  );
  return (
    <trpc.Provider client={client} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}

/** The per-field messages a procedure rejected, keyed by field path. */
export function fieldErrors(error: unknown): Record<string, string> {
  const data = (error as { data?: { fields?: Record<string, string> } } | null)?.data;
  return data?.fields ?? {};
}
