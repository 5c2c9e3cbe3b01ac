/**
 * Shared by the tRPC route (app/api/trpc/[trpc]/route.ts), which refuses larger batches, and the
 * browser's batch link (app/_components/trpc.tsx), which splits its calls to fit.
 */
export const MAX_TRPC_BATCH_CALLS = 10;
