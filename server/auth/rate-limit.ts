import { and, count, eq, gte, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { signInFailures } from "@/db/schema";

/** Failed sign-ins allowed per window, per account and per IP (DESIGN.md "Sessions"). */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60_000,
  perAccount: 10,
  perIp: 100,
};

export type RateLimitVerdict = { limited: false } | { limited: true; retryAfterSeconds: number };

const accountKey = (email: string) => `account:${email.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

/** Checked before the password, so a locked account answers 429 whether or not it is guessed right. */
export async function checkSignInAllowed(db: Db, email: string, ip: string, now = Date.now()): Promise<RateLimitVerdict> {
  const since = now - SIGN_IN_LIMITS.windowMs;
  const checks: Array<[string, number]> = [
    [accountKey(email), SIGN_IN_LIMITS.perAccount],
    [ipKey(ip), SIGN_IN_LIMITS.perIp],
  ];
  for (const [key, limit] of checks) {
    const rows = await db
      .select({ at: signInFailures.at })
      .from(signInFailures)
      .where(and(eq(signInFailures.key, key), gte(signInFailures.at, since)))
      .orderBy(signInFailures.at)
      .limit(limit);
    if (rows.length >= limit) {
      // The window frees a slot when the oldest counted failure ages out.
      const retryAfterMs = rows[0].at + SIGN_IN_LIMITS.windowMs - now;
      return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    }
  }
  return { limited: false };
}

export async function recordSignInFailure(db: Db, email: string, ip: string, now = Date.now()): Promise<void> {
  await db.insert(signInFailures).values([
    { key: accountKey(email), at: now },
    { key: ipKey(ip), at: now },
  ]);
  // Keep the table small: anything older than a window no longer counts.
  if (Math.random() < 0.01) await db.delete(signInFailures).where(lt(signInFailures.at, now - SIGN_IN_LIMITS.windowMs));
}

export async function failureCount(db: Db, key: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(signInFailures).where(eq(signInFailures.key, key));
  return row?.n ?? 0;
}
