import type { Db } from "@/db/client";
import { checkCredentials } from "@/server/auth/accounts";
import { passwordMetrics } from "@/server/auth/passwords";

/**
 * A sign-in attempt for the race harness (server/testing/race.ts), reporting how many password
 * verifications its worker thread has run so far. The counter only grows, so the last of a
 * thread's calls to finish reports the thread's total.
 */
export async function checkCredentialsCounted(db: Db, email: string, password: string, ip: string) {
  const outcome = await checkCredentials(db, email, password, ip);
  return { outcome, verificationsInThread: passwordMetrics.verifications };
}
