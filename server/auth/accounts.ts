import { TRPCError } from "@trpc/server";
import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { emailVerifications, users, type User } from "@/db/schema";
import { fieldError } from "@/server/errors";
import { randomId, randomSecret, sha256 } from "@/server/ids";
import { appUrl, sendMail } from "@/server/mail";
import { burnVerifyTime, hashPassword, verifyPassword } from "./passwords";
import { checkSignInAllowed, recordSignInFailure } from "@/server/rate-limit";
import { revokeOtherSessions } from "./sessions";

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

export async function createUser(
  db: Db,
  input: { email: string; name: string; password: string; role?: User["role"]; verified?: boolean },
): Promise<User> {
  const email = input.email.toLowerCase();
  const existing = db.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
  if (existing) {
    throw fieldError("CONFLICT", { email: "An account with this email already exists" });
  }
  const now = Date.now();
  const row: User = {
    id: randomId(),
    email,
    name: input.name,
    passwordHash: await hashPassword(input.password),
    role: input.role ?? "user",
    emailVerifiedAt: input.verified ? now : null,
    createdAt: now,
  };
  db.insert(users).values(row).run();
  return row;
}

export async function sendVerificationEmail(db: Db, user: Pick<User, "id" | "email" | "name">): Promise<void> {
  const token = randomSecret();
  db.insert(emailVerifications)
    .values({ tokenHash: sha256(token), userId: user.id, expiresAt: Date.now() + VERIFICATION_TTL_MS, usedAt: null })
    .run();
  const link = appUrl(`/verify-email?token=${encodeURIComponent(token)}`);
  await sendMail({
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

/**
 * The one credentials check behind browser sign-in and the token endpoint. Unknown email and
 * wrong password are indistinguishable (same answer, same argon2 cost); failures count against
 * both the account and the IP; successes are never throttled.
 */
export async function checkCredentials(db: Db, emailInput: string, password: string, ip: string): Promise<CredentialsOutcome> {
  const email = emailInput.trim().toLowerCase();
  const verdict = checkSignInAllowed(db, email, ip);
  if (verdict.limited) return { ok: false, reason: "rate_limited", retryAfterSeconds: verdict.retryAfterSeconds };
  const user = db.select().from(users).where(eq(users.email, email)).get();
  const valid = user ? await verifyPassword(user.passwordHash, password) : (await burnVerifyTime(password), false);
  if (!user || !valid) {
    recordSignInFailure(db, email, ip);
    return { ok: false, reason: "invalid_credentials" };
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}

/** Changing the password signs out every other device; the current one stays. */
export async function changePassword(db: Db, userId: string, currentSessionId: string, current: string, next: string): Promise<{ revoked: number }> {
  const user = db.select().from(users).where(eq(users.id, userId)).get();
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in again" });
  if (!(await verifyPassword(user.passwordHash, current))) {
    throw fieldError("BAD_REQUEST", { currentPassword: "Current password is wrong" });
  }
  const passwordHash = await hashPassword(next);
  return db.transaction((tx) => {
    tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
    return { revoked: revokeOtherSessions(tx, userId, currentSessionId, "password_changed") };
  });
}

