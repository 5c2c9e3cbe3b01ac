import { forbidden, notFound, redirect } from "next/navigation";
import { appErrorOf, type AppErrorCode } from "@/server/errors";

/**
 * The pages' side of the domain's errors (server/errors.ts), the only one: what a page shows in
 * place of its content. Other codes (a conflict, a busy database) reach the error page.
 */
const PAGE_FOR: Partial<Record<AppErrorCode, (returnTo: string) => never>> = {
  NOT_FOUND: () => notFound(),
  // What was cancelled is, to a visitor, simply not there any more.
  GONE: () => notFound(),
  FORBIDDEN: () => forbidden(),
  UNAUTHORIZED: (returnTo) => redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`),
};

/**
 * Runs a server page's data loader. The access rules (server/access.ts) throw AppErrors; a page
 * turns them into the matching page: 404 "not found", 403 "not yours", sign-in for 401.
 */
export async function loadForPage<T>(load: () => Promise<T>, returnTo: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const known = appErrorOf(error);
    const page = known && PAGE_FOR[known.code];
    if (page) page(returnTo);
    throw error;
  }
}
