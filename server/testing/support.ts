import { TRPCError } from "@trpc/server";
import type { AppDb } from "@/db/client";
import type { User } from "@/db/schema";
import { createUser } from "@/server/auth/accounts";
import { authenticateCookie } from "@/server/auth/caller";
import { createBrowserSession } from "@/server/auth/sessions";
import { randomId } from "@/server/ids";
import { createCaller } from "@/server/router";
import { emptyDatabase } from "@/server/testing/databases";
import { createInnerContext, type Context } from "@/server/trpc";

/** An empty, migrated database of its own, installed as the app's connection (see server/testing/databases.ts). */
export function freshDb(): Promise<AppDb> {
  return emptyDatabase();
}

export const TEST_PASSWORD = "correct horse battery";

export async function makeUser(
  db: AppDb,
  options: { role?: User["role"]; verified?: boolean; email?: string; name?: string } = {},
): Promise<User> {
  return createUser(db, {
    email: options.email ?? `user-${randomId(6)}@example.test`.toLowerCase(),
    name: options.name ?? "Test User",
    password: TEST_PASSWORD,
    role: options.role,
    verified: options.verified ?? true,
  });
}

/** A tRPC context as a signed-in browser would have it (a real session row behind it). */
export async function browserContext(db: AppDb, user: Pick<User, "id">, overrides: Partial<Context> = {}): Promise<Context> {
  const { secret } = await createBrowserSession(db, user.id, { device: "vitest", ip: "127.0.0.1" });
  const auth = await authenticateCookie(db, secret);
  return createInnerContext({ db, auth, ...overrides });
}

export function anonymousContext(db: AppDb): Context {
  return createInnerContext({ db });
}

export async function callerAs(db: AppDb, user: Pick<User, "id"> | null) {
  return createCaller(user ? await browserContext(db, user) : anonymousContext(db));
}

/** The TRPCError a call failed with; anything else (success included) fails the test. */
export async function trpcError(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}
