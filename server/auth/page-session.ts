import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { db } from "@/db/client";
import { authenticateRequest, type Caller } from "./caller";

/**
 * The signed-in caller for a server component, or null; the same check route handlers use.
 * Cached per request: the layout and the page both ask, and the session is looked up once.
 */
export const pageCaller = cache(async (): Promise<Caller | null> => {
  const auth = await authenticateRequest(db(), await headers());
  return auth.kind === "caller" ? auth.caller : null;
});

/** For pages that need an account: anonymous visitors go to sign-in and come back. */
export async function requirePageCaller(returnTo: string): Promise<Caller> {
  const caller = await pageCaller();
  if (!caller) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return caller;
}
