import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { transaction, type Db } from "@/db/client";
import { orders, users, type EmailLink, type User } from "@/db/schema";
import { fieldError, rateLimited, unauthorized } from "@/server/errors";
import { safeReturnPath } from "@/lib/return-path";
import { randomId } from "@/server/ids";
import { appUrl, composeMail, enqueueMail } from "@/server/mail";
import { accountMailLimits, release, reserve, SIGN_IN_KNOWN_ADDRESS_MS, signInLimits } from "@/server/rate-limit";
import { claimAccount, emailLinkUrl, inspectEmailLink, issueEmailLink, LINK_LIFETIMES, registeringSessionOf, type FollowingBrowser } from "./email-links";
import { burnVerifyTime, hashPassword, passwordSchema, verifyPassword } from "./passwords";
import { hasSignedInFrom, replaceBrowserSession, revokeOtherSessions } from "./sessions";

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

export type PublicUser = Pick<User, "id" | "email" | "name" | "role">;

function newUserRow(input: { email: string; name: string; role?: User["role"]; verified?: boolean }, passwordHash: string | null, now = Date.now()): User {
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
  const existing = (await db.select({ id: users.id }).from(users).where(eq(users.email, input.email.toLowerCase())).limit(1))[0];
  if (existing) {
    throw fieldError("CONFLICT", { email: "An account with this email already exists" });
  }
  const row = newUserRow(input, await hashPassword(input.password));
  await db.insert(users).values(row);
  return row;
}

/**
 * The account of an address, or a new passwordless, unproven one (a guest buyer's): it can only be
 * entered by following a link sent to that address. One statement decides, so concurrent callers
 * get the same account.
 */
export async function findOrCreateAccount(db: Db, input: { email: string; name: string }, now = Date.now()): Promise<User> {
  const row = newUserRow(input, null, now);
  await db.insert(users).values(row).onConflictDoNothing({ target: users.email });
  const [account] = await db.select().from(users).where(eq(users.email, row.email)).limit(1);
  return account!;
}

export const registrationSchema = z.object({
  name: nameSchema,
  email: emailSchema,
  password: passwordSchema,
  /** Where the confirmation link brings the browser back to (the event page it came from). */
  returnTo: z.string().max(2048).optional(),
});

/** The browser making a request that signs it in: its address, user agent and current session. */
export type Browser = FollowingBrowser;

export type Registration = { email: string; sessionSecret?: string };

/**
 * Registration answers the same whether or not the email has an account: a new address, or one
 * whose account was never proven, gets an account with this password, a browser signed in to it
 * and a confirmation link; a proven account's owner gets a "you already have an account" mail, and
 * nothing else changes (no second account, no new password, no session). Both cost one password
 * hash, and the mail is limited per recipient and per requesting address (server/rate-limit.ts),
 * reserved before any work. Whether the browser ended up signed in is the one thing that differs.
 *
 * An unproven account is a claim on an address, not proof: a new registration replaces it (name
 * and password), signs out its sessions, and its orders stay hidden from the account until the
 * mailbox is proven (orders.buyerMustProveEmail), so nobody can squat an address or take over
 * what a pending registrant did.
 */
export async function register(db: Db, input: z.infer<typeof registrationSchema>, browser: Browser, now = Date.now()): Promise<Registration> {
  const reservation = await reserve(db, accountMailLimits(input.email, browser.ip));
  if (!reservation.ok) throw rateLimited(reservation.retryAfterSeconds, "Too many emails to this address or from your network");
  const passwordHash = await hashPassword(input.password);
  const returnTo = safeReturnPath(input.returnTo);
  const outcome = await transaction(db, async (tx) => {
    const { account: existing, created } = await claimAccount(tx, newUserRow(input, passwordHash, now));
    // Each outcome's mail is queued with it (server/mail.ts).
    if (!created && existing.emailVerifiedAt) {
      await enqueueMail(tx, alreadyRegisteredMail(existing), now);
      return { kind: "taken" as const };
    }
    let user = existing;
    if (!created) {
      await tx.update(users).set({ name: input.name, passwordHash }).where(eq(users.id, existing.id));
      await revokeOtherSessions(tx, existing.id, null, "replaced_by_registration", now);
      await tx.update(orders).set({ buyerMustProveEmail: true }).where(eq(orders.buyerId, existing.id));
      user = { ...existing, name: input.name, passwordHash };
    }
    const { session, secret } = await replaceBrowserSession(tx, browser.currentSessionId, user.id, browser, now);
    const token = await issueEmailLink(tx, { purpose: "verify", email: user.email, returnTo, sessionId: session.id }, now);
    await enqueueMail(tx, verificationMail(user, token), now);
    return { kind: "registered" as const, secret };
  });
  if (outcome.kind === "taken") return { email: input.email };
  return { email: input.email, sessionSecret: outcome.secret };
}

function alreadyRegisteredMail(user: Pick<User, "email" | "name">) {
  return composeMail({
    to: user.email,
    subject: "You already have an account on Admit",
    greeting: `Hello ${user.name},`,
    body: ["Someone, maybe you, just tried to create an Admit account with this email address. You already have one, so nothing was changed."],
    action: { label: "Sign in", url: appUrl("/signin") },
    footer: ["Forgot your password? Ask for a sign-in link on that page. If it wasn't you, you can ignore this email."],
  });
}

/**
 * A fresh confirmation link, counted against the same mail limits as registration. It stays bound
 * to the registration's own session (see registeringSessionOf), not to the one asking.
 */
export async function resendVerificationEmail(db: Db, user: Pick<User, "id" | "email" | "name">, ip: string): Promise<void> {
  const reservation = await reserve(db, accountMailLimits(user.email, ip));
  if (!reservation.ok) throw rateLimited(reservation.retryAfterSeconds, "Too many emails to this address");
  await transaction(db, async (tx) => {
    const token = await issueEmailLink(tx, { purpose: "verify", email: user.email, returnTo: "/tickets", sessionId: await registeringSessionOf(tx, user.email) });
    await enqueueMail(tx, verificationMail(user, token));
  });
}

function verificationMail(user: Pick<User, "email" | "name">, token: string) {
  return composeMail({
    to: user.email,
    subject: "Confirm your email for Admit",
    greeting: `Hello ${user.name},`,
    body: ["Confirm that this address is yours, to see the tickets sent to it."],
    action: { label: "Confirm my email", url: emailLinkUrl(token) },
    footer: [
      "The link works once, for 48 hours. Opened on another device than the one you registered on, it signs that device in and removes the password chosen at registration (set a new one from your account page).",
      "If you didn't create an Admit account, ignore this email: nobody can use this address on Admit without it.",
    ],
  });
}

/**
 * "Email me a sign-in link", which is also "Forgot password?". Answers the same whether or not the
 * address has an account (a link for a new address creates the account when followed), within
 * the account-mail limits per recipient and address.
 */
export async function requestSignInLink(db: Db, input: { email: string; returnTo?: string }, ip: string): Promise<void> {
  const reservation = await reserve(db, accountMailLimits(input.email, ip));
  if (!reservation.ok) throw rateLimited(reservation.retryAfterSeconds, "Too many emails to this address or from your network");
  await transaction(db, async (tx) => {
    const token = await issueEmailLink(tx, { purpose: "sign_in", email: input.email, returnTo: input.returnTo ?? "/" });
    await enqueueMail(tx, signInLinkMail(input.email, token));
  });
}

function signInLinkMail(email: string, token: string) {
  return composeMail({
    to: email,
    subject: "Your sign-in link for Admit",
    greeting: "Hello,",
    body: ["Here is the link you asked for. It signs you in to Admit with this email address, with no password."],
    action: { label: "Sign in to Admit", url: emailLinkUrl(token) },
    footer: [
      "The link works once, for 30 minutes. If your account has a password, following the link removes it and signs out your other devices: it is also the password reset. Set a new password from your account page.",
      "If you didn't ask for it, ignore this email: nobody gets in without it.",
    ],
  });
}

/**
 * "Email me a new link", offered in place of a used or expired one: the same kind of link, to the
 * same address, for the same place. An unknown token answers the same and sends nothing.
 */
export async function renewEmailLink(db: Db, token: string, ip: string, now = Date.now()): Promise<void> {
  const found = await inspectEmailLink(db, token, now);
  const recipient = found.state === "invalid" ? null : found.link.email;
  const limits = recipient ? accountMailLimits(recipient, ip) : accountMailLimits("", ip).slice(1);
  const reservation = await reserve(db, limits, { now });
  if (!reservation.ok) throw rateLimited(reservation.retryAfterSeconds, "Too many emails to this address or from your network");
  if (found.state === "invalid") return;
  const { link } = found;
  await transaction(db, async (tx) => {
    const fresh = await issueEmailLink(tx, { purpose: link.purpose, email: link.email, returnTo: link.returnTo, name: link.name, sessionId: link.sessionId, invitationId: link.invitationId }, now);
    await enqueueMail(tx, renewedLinkMail(link, fresh), now);
  });
}

function renewedLinkMail(link: EmailLink, token: string) {
  if (link.purpose === "sign_in") return signInLinkMail(link.email, token);
  const days = Math.round(LINK_LIFETIMES[link.purpose] / (24 * 60 * 60_000));
  return composeMail({
    to: link.email,
    subject: "Your new link for Admit",
    greeting: `Hello${link.name ? ` ${link.name}` : ""},`,
    body: ["Here is the new link you asked for, in place of the one that was used or had expired."],
    action: { label: link.purpose === "verify" ? "Confirm my email" : link.purpose === "invitation" ? "Open the invitation" : "Open my tickets", url: emailLinkUrl(token) },
    footer: [`The link works once, for ${days === 2 ? "48 hours" : `${days} days`}, and signs you in with this email address.`],
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
  const knownAddress = user ? await hasSignedInFrom(db, user.id, ip, now - SIGN_IN_KNOWN_ADDRESS_MS) : false;
  const reservation = await reserve(db, signInLimits(email, ip, { knownAddress }), { now });
  if (!reservation.ok) return { ok: false, reason: "rate_limited", retryAfterSeconds: reservation.retryAfterSeconds };
  // An unknown email and an account without a password cost and count like a wrong password.
  const valid = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : (await burnVerifyTime(password), false);
  if (!valid) return { ok: false, reason: "wrong" };
  await release(db, reservation);
  return { ok: true };
}

/**
 * The one credentials check behind browser sign-in and the token endpoint. Unknown email and
 * wrong password are indistinguishable (same answer, same argon2 cost, same limits).
 */
export async function checkCredentials(db: Db, emailInput: string, password: string, ip: string): Promise<CredentialsOutcome> {
  const email = emailInput.trim().toLowerCase();
  const user = (await db.select().from(users).where(eq(users.email, email)).limit(1))[0];
  const check = await verifyWithinLimits(db, email, user, password, ip);
  if (check.ok && user) return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
  return !check.ok && check.reason === "rate_limited" ? check : { ok: false, reason: "invalid_credentials" };
}

/**
 * Setting or changing the password signs out every other device; the current one stays. A wrong
 * current password counts against the same limits as a failed sign-in: a stolen session must not
 * become an unlimited password oracle. An account without a password (it lives on email links)
 * sets its first one without a current one.
 */
export async function changePassword(
  db: Db,
  caller: { userId: string; sessionId: string; ip: string },
  current: string | undefined,
  next: string,
): Promise<{ revoked: number }> {
  const user = (await db.select().from(users).where(eq(users.id, caller.userId)).limit(1))[0];
  if (!user) throw unauthorized("Sign in again");
  if (user.passwordHash !== null) {
    if (!current) throw fieldError("BAD_REQUEST", { currentPassword: "Enter your current password" });
    const check = await verifyWithinLimits(db, user.email, user, current, caller.ip);
    if (!check.ok) {
      if (check.reason === "rate_limited") throw rateLimited(check.retryAfterSeconds, "Too many wrong passwords", "currentPassword");
      throw fieldError("BAD_REQUEST", { currentPassword: "Current password is wrong" });
    }
  }
  const passwordHash = await hashPassword(next);
  return transaction(db, async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, caller.userId));
    return { revoked: await revokeOtherSessions(tx, caller.userId, caller.sessionId, "password_changed") };
  });
}

/** Whether the account has a password (the account page offers "set" or "change"). */
export async function hasPassword(db: Db, userId: string): Promise<boolean> {
  const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.hash != null;
}

/** The same, by address: a sign-in link's page warns that following it resets the password. */
export async function hasPasswordByEmail(db: Db, email: string): Promise<boolean> {
  const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.email, email.toLowerCase())).limit(1);
  return row?.hash != null;
}
