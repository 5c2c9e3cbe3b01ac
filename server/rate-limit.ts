import { and, count, eq, gte, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rateLimitHits } from "@/db/schema";

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
export function checkSignInAllowed(db: Db, email: string, ip: string, now = Date.now()): RateLimitVerdict {
  const since = now - SIGN_IN_LIMITS.windowMs;
  const checks: Array<[string, number]> = [
    [accountKey(email), SIGN_IN_LIMITS.perAccount],
    [ipKey(ip), SIGN_IN_LIMITS.perIp],
  ];
  for (const [key, limit] of checks) {
    const rows = db
      .select({ at: rateLimitHits.at })
      .from(rateLimitHits)
      .where(and(eq(rateLimitHits.key, key), gte(rateLimitHits.at, since)))
      .orderBy(rateLimitHits.at)
      .limit(limit)
      .all();
    if (rows.length >= limit) {
      // The window frees a slot when the oldest counted failure ages out.
      const retryAfterMs = rows[0].at + SIGN_IN_LIMITS.windowMs - now;
      return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    }
  }
  return { limited: false };
}

export function recordSignInFailure(db: Db, email: string, ip: string, now = Date.now()) {
  db.insert(rateLimitHits)
    .values([
      { key: accountKey(email), at: now },
      { key: ipKey(ip), at: now },
    ])
    .run();
  // Keep the table small: anything older than a window no longer counts.
  if (Math.random() < 0.01) db.delete(rateLimitHits).where(lt(rateLimitHits.at, now - SIGN_IN_LIMITS.windowMs)).run();
}

export function failureCount(db: Db, key: string): number {
  return db.select({ n: count() }).from(rateLimitHits).where(eq(rateLimitHits.key, key)).get()?.n ?? 0;
}
