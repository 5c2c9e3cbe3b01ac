import "server-only";
import { and, desc, eq, gt, isNotNull, isNull } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { forUpdate } from "@/db/locks";
import { emailLinks, users, type EmailLink, type User } from "@/db/schema";
import { randomId, randomSecret, sha256 } from "@/server/ids";
import { safeReturnPath } from "@/lib/return-path";
import { appUrl } from "@/server/mail";
import { replaceBrowserSession, revokeOtherSessions, type DeviceInfo } from "./sessions";

/**
 * Emailed links: how a person proves a mailbox. A sign-in link (asked for on the sign-in page; it
 * is also the password reset), the confirmation link of a registration, the personal link in
 * every order email, a team invitation. Each carries 256 random bits, is stored as its SHA-256
 * only, lasts a short while, and is spent by the first POST from the page it opens (a GET only
 * shows that page, so a mail scanner fetching it spends nothing).
 *
 * Following one signs the browser in as its address's account, creating a passwordless account
 * when there is none. A password set before the mailbox was proven must never open what is
 * addressed to it (someone else may have registered the address first), so proving the mailbox
 * drops that password and signs out every other session of the account. The one exception is a
 * registration's own confirmation link followed from the very session that registration started:
 * the same browser chose the password and holds the mailbox.
 */

export type LinkPurpose = EmailLink["purpose"];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const LINK_LIFETIMES: Record<LinkPurpose, number> = {
  sign_in: 30 * MINUTE,
  verify: 48 * HOUR,
  order: 7 * 24 * HOUR,
  invitation: 7 * 24 * HOUR,
};

/** Tokens are 43 base64url characters; anything much longer is not one of ours. */
const MAX_TOKEN_LENGTH = 200;

export type NewLink = {
  purpose: LinkPurpose;
  email: string;
  returnTo: string;
  /** The name a new account gets when following the link creates one. */
  name?: string | null;
  sessionId?: string | null;
  invitationId?: string | null;
};

/** Stores a new link and returns its token (which only the mail will ever hold). */
export async function issueEmailLink(db: Db, link: NewLink, now = Date.now()): Promise<string> {
  const token = randomSecret();
  await db.insert(emailLinks)
    .values({
      tokenHash: sha256(token),
      purpose: link.purpose,
      email: link.email.trim().toLowerCase(),
      returnTo: safeReturnPath(link.returnTo),
      name: link.name ?? null,
      sessionId: link.sessionId ?? null,
      invitationId: link.invitationId ?? null,
      createdAt: now,
      expiresAt: now + LINK_LIFETIMES[link.purpose],
      usedAt: null,
    });
  return token;
}

/** The address a link's mail points at: the page that shows what the link does, with its button. */
export function emailLinkUrl(token: string): string {
  return appUrl(`/link?token=${encodeURIComponent(token)}`);
}

export type LinkState = { state: "valid" | "used" | "expired"; link: EmailLink } | { state: "invalid" };

async function findByToken(db: Db, token: string): Promise<EmailLink | undefined> {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  const [link] = await db.select().from(emailLinks).where(eq(emailLinks.tokenHash, sha256(token))).limit(1);
  return link;
}

/** What the link's page shows, without spending it. */
export async function inspectEmailLink(db: Db, token: string, now = Date.now()): Promise<LinkState> {
  const link = await findByToken(db, token);
  if (!link) return { state: "invalid" };
  if (link.usedAt !== null) return { state: "used", link };
  if (link.expiresAt <= now) return { state: "expired", link };
  return { state: "valid", link };
}

export type FollowOutcome =
  | {
      ok: true;
      link: EmailLink;
      user: Pick<User, "id" | "email" | "name">;
      /** The cookie value of the browser's new session. */
      sessionSecret: string;
      sessionId: string;
      /** The account's email was unproven (or the account new) until now. */
      provenNow: boolean;
      /** A password was removed: set before the mailbox was proven, or reset by a sign-in link. */
      passwordDropped: boolean;
      /** Sessions of the account signed out by it (its other devices and API clients). */
      revokedSessions: number;
    }
  | { ok: false; reason: "invalid" | "used" | "expired" };

export type FollowingBrowser = DeviceInfo & {
  /** The session the browser is signed in with now (it is replaced), or null. */
  currentSessionId: string | null;
};

/**
 * Spends a link and signs the browser in, all in one transaction. The link is claimed by one
 * conditional UPDATE (unused and unexpired → used), so of two tabs following the same link at
 * once exactly one gets a session; the other is told the link was already used. On PostgreSQL
 * the loser's UPDATE waits for the winner's row lock, then finds the link used.
 *
 * `afterProof` runs inside the same transaction once the account is known (a team invitation is
 * accepted there), so either everything the link does happens or nothing does.
 */
export async function followEmailLink(
  db: Db,
  token: string,
  browser: FollowingBrowser,
  now = Date.now(),
  afterProof?: (tx: Db, link: EmailLink, user: Pick<User, "id" | "email" | "name">) => Promise<void>,
): Promise<FollowOutcome> {
  return transaction(db, async (tx): Promise<FollowOutcome> => {
    const link = await findByToken(tx, token);
    if (!link) return { ok: false, reason: "invalid" };
    const claimed = await tx
      .update(emailLinks)
      .set({ usedAt: now })
      .where(and(eq(emailLinks.tokenHash, link.tokenHash), isNull(emailLinks.usedAt), gt(emailLinks.expiresAt, now)))
      .returning({ tokenHash: emailLinks.tokenHash });
    if (claimed.length !== 1) return { ok: false, reason: link.usedAt === null && link.expiresAt <= now ? "expired" : "used" };

    const { account, created } = await claimAccount(tx, passwordlessAccountRow(link.email, link.name, now));
    const provenNow = created || account.emailVerifiedAt === null;
    const keepsPassword = provenNow && link.purpose === "verify" && link.sessionId !== null && link.sessionId === browser.currentSessionId;
    // A password nobody proved the mailbox for, or one a sign-in link resets, opens nothing from now on.
    const dropsPassword = account.passwordHash !== null && ((provenNow && !keepsPassword) || (!provenNow && link.purpose === "sign_in"));
    let revokedSessions = 0;
    if (provenNow || dropsPassword) {
      await tx
        .update(users)
        .set({ emailVerifiedAt: account.emailVerifiedAt ?? now, passwordHash: dropsPassword ? null : account.passwordHash })
        .where(eq(users.id, account.id));
      revokedSessions = await revokeOtherSessions(tx, account.id, null, provenNow ? "mailbox_proven" : "password_reset_by_link", now);
    }
    const user = { id: account.id, email: account.email, name: account.name };
    await afterProof?.(tx, link, user);
    const { session, secret } = await replaceBrowserSession(tx, browser.currentSessionId, account.id, browser, now);
    return { ok: true, link, user, sessionSecret: secret, sessionId: session.id, provenNow, passwordDropped: dropsPassword, revokedSessions };
  });
}

/** An account that lives on email links alone; following a link proves it at once. */
function passwordlessAccountRow(email: string, name: string | null, now: number): User {
  return { id: randomId(), email, name: name?.trim() || email.split("@")[0], passwordHash: null, role: "user", emailVerifiedAt: now, createdAt: now };
}

/**
 * The account of `row.email`, locked until the transaction ends, or `row` inserted as it when
 * the address has none (`created`). Whatever decides on an account's state (registering over an
 * unproven one, proving a mailbox) goes through here first, so two such transactions on one
 * address take turns, and concurrent ones make one account, never a unique-violation error: on
 * PostgreSQL the insert waits for a concurrent one of the same address and then does nothing,
 * and FOR UPDATE makes the loser wait for, then read, what the winner committed. On SQLite the
 * transaction's write lock already serializes them (db/locks.ts).
 */
export async function claimAccount(tx: Db, row: User): Promise<{ account: User; created: boolean }> {
  const inserted = await tx.insert(users).values(row).onConflictDoNothing({ target: users.email }).returning({ id: users.id });
  if (inserted.length === 1) return { account: row, created: true };
  const [account] = await forUpdate(tx.select().from(users).where(eq(users.email, row.email)).limit(1));
  return { account: account!, created: false };
}

/**
 * The session a pending registration started, from its latest confirmation link: a resent
 * confirmation link keeps that binding, never the session it was resent from (someone signed in
 * with a password they were handed must not be able to keep it).
 */
export async function registeringSessionOf(db: Db, email: string): Promise<string | null> {
  const [latest] = await db
    .select({ sessionId: emailLinks.sessionId })
    .from(emailLinks)
    .where(and(eq(emailLinks.email, email.toLowerCase()), eq(emailLinks.purpose, "verify"), isNotNull(emailLinks.sessionId)))
    .orderBy(desc(emailLinks.createdAt))
    .limit(1);
  return latest?.sessionId ?? null;
}
