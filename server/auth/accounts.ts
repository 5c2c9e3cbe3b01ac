import { TRPCError } from "@trpc/server";
import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { emailVerifications, users, type User } from "@/db/schema";
import { fieldError, RateLimitedError } from "@/server/errors";
import { randomId, randomSecret, sha256 } from "@/server/ids";
import { appUrl, enqueueMail } from "@/server/mail";
import { accountMailLimits, release, reserve, SIGN_IN_KNOWN_ADDRESS_MS, signInLimits } from "@/server/rate-limit";
import { burnVerifyTime, hashPassword, passwordSchema, verifyPassword } from "./passwords";
import { hasSignedInFrom, revokeOtherSessions } from "./sessions";

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .max(254, "Email must be at most 254 characters")
  .email("Enter a valid email address")
  .transform((e) => e.toLowerCase());

export const nameSchema = z
  .string({ error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(120, "Name must be at most 120 characters");

const VERIFICATION_TTL_MS = 48 * 60 * 60_000;

export type PublicUser = Pick<User, "id" | "email" | "name" | "role">;

function newUserRow(input: { email: string; name: string; role?: User["role"]; verified?: boolean }, passwordHash: string, now = Date.now()): User {
  return {
    id: randomId(),
    email: input.email.toLowerCase(),
    name: input.name,
    passwordHash,
    role: input.role ?? "user",
    emailVerifiedAt: input.verified ? now : null,
    createdAt: now,
  };
}

/** For seeds, scripts and tests: a taken email is an error here (registration never says so). */
export async function createUser(
  db: Db,
  input: { email: string; name: string; password: string; role?: User["role"]; verified?: boolean },
): Promise<User> {
  const existing = db.select({ id: users.id }).from(users).where(eq(users.email, input.email.toLowerCase())).get();
  if (existing) {
    throw fieldError("CONFLICT", { email: "An account with this email already exists" });
  }
  const row = newUserRow(input, await hashPassword(input.password));
  db.insert(users).values(row).run();
  return row;
}

export const registrationSchema = z.object({ name: nameSchema, email: emailSchema, password: passwordSchema });

/**
 * Registration answers the same whether or not the email has an account, so it can't be used to
 * find out who has one: the new account gets a confirmation link, the existing account's owner a
 * "you already have an account" mail, and nothing else changes (no second account, no new
 * password). Both cost one password hash. The mail is limited per recipient and per requesting
 * address (server/rate-limit.ts), reserved before any work.
 */
export async function register(db: Db, input: z.infer<typeof registrationSchema>, ip: string): Promise<{ email: string }> {
  const reservation = reserve(db, accountMailLimits(input.email, ip));
  if (!reservation.ok) throw new RateLimitedError(reservation.retryAfterSeconds, "Too many emails to this address or from your network");
  const row = newUserRow(input, await hashPassword(input.password));
  // The account, its confirmation link and the mail carrying it commit together (server/mail.ts).
  db.transaction((tx) => {
    // One statement decides, so concurrent registrations of one email can't both create it.
    const created = tx.insert(users).values(row).onConflictDoNothing({ target: users.email }).returning().get();
    if (created) queueVerificationEmail(tx, created);
    else queueAlreadyRegisteredEmail(tx, tx.select().from(users).where(eq(users.email, row.email)).get()!);
  });
  return { email: row.email };
}

function queueAlreadyRegisteredEmail(db: Db, user: Pick<User, "email" | "name">): void {
  enqueueMail(db, {
    to: user.email,
    subject: "You already have an account on Admit",
    text: [
      `Hello ${user.name},`,
      "",
      "Someone, maybe you, just tried to create an Admit account with this email address. You already have one, so nothing was changed.",
      "",
      `Sign in here: ${appUrl("/signin")}`,
      "",
      "If it wasn't you, you can ignore this email.",
    ].join("\n"),
  });
}

/** A fresh confirmation link, counted against the same mail limits as registration. */
export async function resendVerificationEmail(db: Db, user: Pick<User, "id" | "email" | "name">, ip: string): Promise<void> {
  const reservation = reserve(db, accountMailLimits(user.email, ip));
  if (!reservation.ok) throw new RateLimitedError(reservation.retryAfterSeconds, "Too many emails to this address");
  db.transaction((tx) => queueVerificationEmail(tx, user));
}

/** A new confirmation link and the mail that carries it; call it inside the transaction that causes it. */
export function queueVerificationEmail(db: Db, user: Pick<User, "id" | "email" | "name">): void {
  const token = randomSecret();
  db.insert(emailVerifications)
    .values({ tokenHash: sha256(token), userId: user.id, expiresAt: Date.now() + VERIFICATION_TTL_MS, usedAt: null })
    .run();
  const link = appUrl(`/verify-email?token=${encodeURIComponent(token)}`);
  enqueueMail(db, {
    to: user.email,
    subject: "Confirm your email for Admit",
    text: `Hello ${user.name},\n\nConfirm your email address to see the tickets sent to it:\n${link}\n\nThe link is valid for 48 hours.`,
  });
}

export type VerifyOutcome = { ok: true; userId: string } | { ok: false; reason: "invalid" };

/** Single-use: the token is consumed by a conditional update. */
export function verifyEmailToken(db: Db, token: string, now = Date.now()): VerifyOutcome {
  if (!token || token.length > 200) return { ok: false, reason: "invalid" };
  return db.transaction((tx) => {
    const tokenHash = sha256(token);
    const row = tx
      .select()
      .from(emailVerifications)
      .where(and(eq(emailVerifications.tokenHash, tokenHash), isNull(emailVerifications.usedAt), gt(emailVerifications.expiresAt, now)))
      .get();
    if (!row) return { ok: false as const, reason: "invalid" as const };
    tx.update(emailVerifications).set({ usedAt: now }).where(eq(emailVerifications.tokenHash, tokenHash)).run();
    tx.update(users).set({ emailVerifiedAt: now }).where(and(eq(users.id, row.userId), isNull(users.emailVerifiedAt))).run();
    return { ok: true as const, userId: row.userId };
  });
}

export type CredentialsOutcome =
  | { ok: true; user: PublicUser }
  | { ok: false; reason: "invalid_credentials" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

type PasswordCheck = { ok: true } | { ok: false; reason: "wrong" } | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * Verifies a password under the sign-in limits (server/rate-limit.ts). A hit on every limit is
 * reserved before argon2 runs and given back only when the password was right, so a burst of
 * parallel guesses gets no more checks than the limits allow, and a locked account answers 429
 * whether or not the guess is right. An unknown email (`user` undefined) costs and counts the
 * same as a wrong password.
 */
async function verifyWithinLimits(db: Db, email: string, user: User | undefined, password: string, ip: string, now = Date.now()): Promise<PasswordCheck> {
  const knownAddress = user ? hasSignedInFrom(db, user.id, ip, now - SIGN_IN_KNOWN_ADDRESS_MS) : false;
  const reservation = reserve(db, signInLimits(email, ip, { knownAddress }), { now });
  if (!reservation.ok) return { ok: false, reason: "rate_limited", retryAfterSeconds: reservation.retryAfterSeconds };
  const valid = user ? await verifyPassword(user.passwordHash, password) : (await burnVerifyTime(password), false);
  if (!valid) return { ok: false, reason: "wrong" };
  release(db, reservation);
  return { ok: true };
}

/**
 * The one credentials check behind browser sign-in and the token endpoint. Unknown email and
 * wrong password are indistinguishable (same answer, same argon2 cost, same limits).
 */
export async function checkCredentials(db: Db, emailInput: string, password: string, ip: string): Promise<CredentialsOutcome> {
  const email = emailInput.trim().toLowerCase();
  const user = db.select().from(users).where(eq(users.email, email)).get();
  const check = await verifyWithinLimits(db, email, user, password, ip);
  if (check.ok && user) return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
  return !check.ok && check.reason === "rate_limited" ? check : { ok: false, reason: "invalid_credentials" };
}

/**
 * Changing the password signs out every other device; the current one stays. A wrong current
 * password counts against the same limits as a failed sign-in: a stolen session must not become
 * an unlimited password oracle.
 */
export async function changePassword(
  db: Db,
  caller: { userId: string; sessionId: string; ip: string },
  current: string,
  next: string,
): Promise<{ revoked: number }> {
  const user = db.select().from(users).where(eq(users.id, caller.userId)).get();
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in again" });
  const check = await verifyWithinLimits(db, user.email, user, current, caller.ip);
  if (!check.ok) {
    if (check.reason === "rate_limited") throw new RateLimitedError(check.retryAfterSeconds, "Too many wrong passwords", "currentPassword");
    throw fieldError("BAD_REQUEST", { currentPassword: "Current password is wrong" });
  }
  const passwordHash = await hashPassword(next);
  return db.transaction((tx) => {
    tx.update(users).set({ passwordHash }).where(eq(users.id, caller.userId)).run();
    return { revoked: revokeOtherSessions(tx, caller.userId, caller.sessionId, "password_changed") };
  });
}
