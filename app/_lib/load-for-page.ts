import { TRPCError } from "@trpc/server";
import { forbidden, notFound, redirect } from "next/navigation";

/**
 * Runs a server page's data loader. The access rules (server/access.ts) throw TRPCErrors; a page
 * turns them into the matching page: 404 "not found", 403 "not yours", sign-in for 401.
 */
export async function loadForPage<T>(load: () => Promise<T>, returnTo: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "NOT_FOUND") notFound();
      if (error.code === "FORBIDDEN") forbidden();
      if (error.code === "UNAUTHORIZED") redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
    }
    throw error;
  }
}
