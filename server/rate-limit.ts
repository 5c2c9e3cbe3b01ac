import "server-only";
import { and, asc, count, eq, gte, inArray, lt } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { lockKeys } from "@/db/locks";
import { rateLimitHits } from "@/db/schema";
import { rateLimited } from "@/server/errors";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** At most `max` hits under `key` in any `windowMs`. */
export type Limit = { key: string; max: number; windowMs: number };

export type Reservation = { ok: true; hitIds: number[] } | { ok: false; retryAfterSeconds: number };

/**
 * Failed sign-ins (and wrong current passwords on a password change), in 15 minutes:
 * - per account and address pair: what locks an attacker out of the account they guess at;
 * - per account across all addresses: a higher ceiling against guessing from many addresses;
 * - per address across accounts: against one address spraying many accounts.
 * The owner's escape from the ceiling is the emailed sign-in link; a pair lock only shuts the
 * address the guesses came from, so an attacker elsewhere can't lock the owner out.
 *
 * The per-address limit would let one person behind a shared address (venue Wi-Fi, an office
 * NAT) lock out everyone behind it, right password included. So it does not apply to, and does
 * not count, attempts on an account that has signed in from that address before (a session row
 * created from it, live or not, within SIGN_IN_KNOWN_ADDRESS_MS): a guesser there can't create
 * such a row without the password, and still meets the pair limit and the ceiling. The cost is
 * that someone behind the same address can tell that an account has signed in from it (401
 * instead of 429 once the address is throttled); newcomers behind a throttled address wait or
 * sign in elsewhere.
 */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * MINUTE,
  perAccountAndAddress: 10,
  perAccount: 50,
  perAddress: 100,
};
export const SIGN_IN_KNOWN_ADDRESS_MS = 30 * 24 * HOUR;

/**
 * Mail about an account (registration confirmations, "you already have an account", resent
 * verification links), per recipient address and per requesting address, in an hour: nobody can
 * bomb a stranger's inbox through us, or use us to mail many strangers.
 */
export const ACCOUNT_MAIL_LIMITS = { windowMs: HOUR, perRecipient: 5, perAddress: 50 };

/** Order mails (one to the buyer, one per other attendee address), per buyer account and per address, in an hour. */
export const ORDER_MAIL_LIMITS = { windowMs: HOUR, perAccount: 60, perAddress: 200 };

/**
 * Orders placed by guests (nobody signed in), per requesting address and per buyer address typed,
 * in an hour: checkout without an account must not become a way to mail strangers in bulk.
 */
export const GUEST_ORDER_LIMITS = { windowMs: HOUR, perAddress: 10, perBuyerEmail: 10 };

/**
 * Ticket emails sent again on request ("Resend"), per recipient and per account asking, in an
 * hour: enough to recover a lost mail, too few to bomb an inbox.
 */
export const RESEND_LIMITS = { windowMs: HOUR, perRecipient: 3, perAccount: 20 };

const LONGEST_WINDOW_MS = Math.max(SIGN_IN_LIMITS.windowMs, ACCOUNT_MAIL_LIMITS.windowMs, ORDER_MAIL_LIMITS.windowMs, GUEST_ORDER_LIMITS.windowMs, RESEND_LIMITS.windowMs);

export function signInLimits(email: string, ip: string, { knownAddress }: { knownAddress: boolean }): Limit[] {
  const account = email.trim().toLowerCase();
  const { windowMs } = SIGN_IN_LIMITS;
  const limits: Limit[] = [
    { key: `sign-in:pair:${JSON.stringify([account, ip])}`, max: SIGN_IN_LIMITS.perAccountAndAddress, windowMs },
    { key: `sign-in:account:${account}`, max: SIGN_IN_LIMITS.perAccount, windowMs },
  ];
  if (!knownAddress) limits.push({ key: `sign-in:address:${ip}`, max: SIGN_IN_LIMITS.perAddress, windowMs });
  return limits;
}

export function accountMailLimits(recipient: string, ip: string): Limit[] {
  const { windowMs } = ACCOUNT_MAIL_LIMITS;
  return [
    { key: `account-mail:to:${recipient.trim().toLowerCase()}`, max: ACCOUNT_MAIL_LIMITS.perRecipient, windowMs },
    { key: `account-mail:address:${ip}`, max: ACCOUNT_MAIL_LIMITS.perAddress, windowMs },
  ];
}

export function orderMailLimits(buyerId: string, ip: string): Limit[] {
  const { windowMs } = ORDER_MAIL_LIMITS;
  return [
    { key: `order-mail:account:${buyerId}`, max: ORDER_MAIL_LIMITS.perAccount, windowMs },
    { key: `order-mail:address:${ip}`, max: ORDER_MAIL_LIMITS.perAddress, windowMs },
  ];
}

export function guestOrderLimits(buyerEmail: string, ip: string): Limit[] {
  const { windowMs } = GUEST_ORDER_LIMITS;
  return [
    { key: `guest-order:address:${ip}`, max: GUEST_ORDER_LIMITS.perAddress, windowMs },
    { key: `guest-order:buyer:${buyerEmail.trim().toLowerCase()}`, max: GUEST_ORDER_LIMITS.perBuyerEmail, windowMs },
  ];
}

export function resendLimits(recipient: string, accountId: string): Limit[] {
  const { windowMs } = RESEND_LIMITS;
  return [
    { key: `resend:to:${recipient.trim().toLowerCase()}`, max: RESEND_LIMITS.perRecipient, windowMs },
    { key: `resend:account:${accountId}`, max: RESEND_LIMITS.perAccount, windowMs },
  ];
}

/** How long until `weight` more hits fit under `limit`, or 0 if they fit now. */
async function waitMs(db: Db, limit: Limit, weight: number, now: number): Promise<number> {
  if (weight > limit.max) return limit.windowMs;
  const counted = await db
    .select({ at: rateLimitHits.at })
    .from(rateLimitHits)
    .where(and(eq(rateLimitHits.key, limit.key), gte(rateLimitHits.at, now - limit.windowMs)))
    .orderBy(asc(rateLimitHits.at));
  const excess = counted.length + weight - limit.max;
  if (excess <= 0) return 0;
  // A slot frees up as each counted hit ages out of the window: the `excess` oldest must.
  return Math.max(1000, counted[excess - 1].at + limit.windowMs - now);
}

async function retryAfter(db: Db, limits: Limit[], weight: number, now: number): Promise<number> {
  // One after another: inside a transaction the queries share one connection.
  let wait = 0;
  for (const limit of limits) wait = Math.max(wait, await waitMs(db, limit, weight, now));
  return wait;
}

/**
 * Takes `weight` hits under every limit at once, or none if any limit lacks room. The check and
 * the insert are one transaction holding the limits' keys (db/locks.ts): of concurrent callers
 * (other connections, processes and instances included) only as many get through as there is
 * room, however they interleave. Reserve before the expensive or visible work (hashing
 * a password, sending mail); release() gives the hits back when they shouldn't count after all.
 */
export async function reserve(db: Db, limits: Limit[], { weight = 1, now = Date.now() }: { weight?: number; now?: number } = {}): Promise<Reservation> {
  const reservation = await transaction(db, async (tx): Promise<Reservation> => {
    await lockKeys(tx, limits.map((limit) => limit.key));
    const wait = await retryAfter(tx, limits, weight, now);
    if (wait > 0) return { ok: false, retryAfterSeconds: Math.ceil(wait / 1000) };
    const rows = limits.flatMap((limit) => Array.from({ length: weight }, () => ({ key: limit.key, at: now })));
    const hitIds = (await tx.insert(rateLimitHits).values(rows).returning({ id: rateLimitHits.id })).map((r) => r.id);
    return { ok: true, hitIds };
  });
  // Keep the table small between the scheduled prunes (server/maintenance.ts).
  if (Math.random() < 0.01) await pruneRateLimitHits(db, now);
  return reservation;
}

/** Nothing older than the longest window counts any more. */
export async function pruneRateLimitHits(db: Db, now = Date.now()): Promise<number> {
  const pruned = await db.delete(rateLimitHits).where(lt(rateLimitHits.at, now - LONGEST_WINDOW_MS)).returning({ id: rateLimitHits.id });
  return pruned.length;
}

/** A limit on one kind of action, counted separately for each subject (a session, an order, an event). */
export type ActionLimit = { name: string; max: number; windowMs: number };

export function limitOn(rule: ActionLimit, subject: string): Limit {
  return { key: `${rule.name}:${subject}`, max: rule.max, windowMs: rule.windowMs };
}

/** Takes one hit under each limit (all or none), or throws 429 (Retry-After on every transport) saying what to wait for. */
export async function requireRoom(db: Db, limits: Limit | Limit[], what: string, now = Date.now()): Promise<void> {
  const reservation = await reserve(db, Array.isArray(limits) ? limits : [limits], { now });
  if (!reservation.ok) throw rateLimited(reservation.retryAfterSeconds, what);
}

/** Gives reserved hits back (a sign-in that succeeded, an order that wasn't placed). */
export async function release(db: Db, reservation: Extract<Reservation, { ok: true }>): Promise<void> {
  if (reservation.hitIds.length) await db.delete(rateLimitHits).where(inArray(rateLimitHits.id, reservation.hitIds));
}

/** Hits counted under `key` right now, whatever their window (for tests and diagnostics). */
export async function hitCount(db: Db, key: string): Promise<number> {
  const [{ n }] = await db.select({ n: count() }).from(rateLimitHits).where(eq(rateLimitHits.key, key));
  return n;
}
