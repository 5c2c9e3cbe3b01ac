import { lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rateBuckets } from "@/db/schema";
import { RateLimitedError } from "@/server/errors";

/**
 * Rate limits that hold under concurrency: a slot is reserved by one conditional upsert (the row
 * of this key and window is created at 1, or incremented only while below the limit), so a
 * parallel burst can never take more slots than the limit, on SQLite or on a database with row
 * locks. Fixed windows: simple and exact; a burst straddling two windows gets at most twice the
 * limit, which is fine for the limits kept here.
 */
export type RateLimit = { name: string; limit: number; windowMs: number };

/** No window is longer than this, so rows older than it count for nothing anywhere. */
const LONGEST_WINDOW_MS = 24 * 60 * 60_000;

export type Reservation = { granted: true } | { granted: false; retryAfterSeconds: number };

export function reserveSlot(db: Db, rule: RateLimit, subject: string, now = Date.now()): Reservation {
  if (rule.windowMs > LONGEST_WINDOW_MS) throw new Error(`reserveSlot: ${rule.name}'s window is longer than a day`);
  const windowStart = now - (now % rule.windowMs);
  const key = `${rule.name}:${subject}`;
  const taken = db
    .insert(rateBuckets)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: [rateBuckets.key, rateBuckets.windowStart],
      set: { count: sql`${rateBuckets.count} + 1` },
      setWhere: sql`${rateBuckets.count} < ${rule.limit}`,
    })
    .returning({ count: rateBuckets.count })
    .all();
  // Old windows no longer count; sweeping now and then keeps the table small.
  if (Math.random() < 0.01) db.delete(rateBuckets).where(lt(rateBuckets.windowStart, now - LONGEST_WINDOW_MS)).run();
  if (taken.length === 1) return { granted: true };
  return { granted: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + rule.windowMs - now) / 1000)) };
}

/** Reserves a slot or throws 429 (with Retry-After on every transport) saying what to wait for. */
export function requireSlot(db: Db, rule: RateLimit, subject: string, message: string, now = Date.now()): void {
  const reservation = reserveSlot(db, rule, subject, now);
  if (!reservation.granted) throw new RateLimitedError(reservation.retryAfterSeconds, message);
}
