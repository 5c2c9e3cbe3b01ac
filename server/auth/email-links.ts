import { and, desc, eq, gt, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { emailLinks, users, type EmailLink, type User } from "@/db/schema";
import { randomId, randomSecret, sha256 } from "@/server/ids";
import { safeReturnPath } from "@/server/http/return-path";
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
export function issueEmailLink(db: Db, link: NewLink, now = Date.now()): string {
  const token = randomSecret();
  db.insert(emailLinks)
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
    })
    .run();
  return token;
}

/** The address a link's mail points at: the page that shows what the link does, with its button. */
export function emailLinkUrl(token: string): string {
  return appUrl(`/link?token=${encodeURIComponent(token)}`);
}

export type LinkState = { state: "valid" | "used" | "expired"; link: EmailLink } | { state: "invalid" };

function findByToken(db: Db, token: string): EmailLink | undefined {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  return db.select().from(emailLinks).where(eq(emailLinks.tokenHash, sha256(token))).get();
}

/** What the link's page shows, without spending it. */
export function inspectEmailLink(db: Db, token: string, now = Date.now()): LinkState {
  const link = findByToken(db, token);
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
 * Spends a link and signs the browser in, all in one IMMEDIATE transaction. The link is claimed
 * by one conditional UPDATE (unused and unexpired → used), so of two tabs following the same link
 * at once exactly one gets a session; the other is told the link was already used.
 *
 * `afterProof` runs inside the same transaction once the account is known (a team invitation is
 * accepted there), so either everything the link does happens or nothing does.
 */
export function followEmailLink(
  db: Db,
  token: string,
  browser: FollowingBrowser,
  now = Date.now(),
  afterProof?: (tx: Db, link: EmailLink, user: Pick<User, "id" | "email" | "name">) => void,
): FollowOutcome {
  return db.transaction(
    (tx): FollowOutcome => {
      const link = findByToken(tx, token);
      if (!link) return { ok: false, reason: "invalid" };
      const claimed = tx
        .update(emailLinks)
        .set({ usedAt: now })
        .where(and(eq(emailLinks.tokenHash, link.tokenHash), isNull(emailLinks.usedAt), gt(emailLinks.expiresAt, now)))
        .run();
      if (claimed.changes !== 1) return { ok: false, reason: link.usedAt === null && link.expiresAt <= now ? "expired" : "used" };

      const existing = tx.select().from(users).where(eq(users.email, link.email)).get();
      const account = existing ?? createPasswordlessAccount(tx, link.email, link.name, now);
      const provenNow = !existing || existing.emailVerifiedAt === null;
      const keepsPassword = provenNow && link.purpose === "verify" && link.sessionId !== null && link.sessionId === browser.currentSessionId;
      // A password nobody proved the mailbox for, or one a sign-in link resets, opens nothing from now on.
      const dropsPassword = account.passwordHash !== null && ((provenNow && !keepsPassword) || (!provenNow && link.purpose === "sign_in"));
      let revokedSessions = 0;
      if (provenNow || dropsPassword) {
        tx.update(users)
          .set({ emailVerifiedAt: account.emailVerifiedAt ?? now, passwordHash: dropsPassword ? null : account.passwordHash })
          .where(eq(users.id, account.id))
          .run();
        revokedSessions = revokeOtherSessions(tx, account.id, null, provenNow ? "mailbox_proven" : "password_reset_by_link", now);
      }
      const user = { id: account.id, email: account.email, name: account.name };
      afterProof?.(tx, link, user);
      const { session, secret } = replaceBrowserSession(tx, browser.currentSessionId, account.id, browser, now);
      return { ok: true, link, user, sessionSecret: secret, sessionId: session.id, provenNow, passwordDropped: dropsPassword, revokedSessions };
    },
    { behavior: "immediate" },
  );
}

/** An account that lives on email links alone; following a link proves it at once. */
function createPasswordlessAccount(db: Db, email: string, name: string | null, now: number): User {
  const row: User = { id: randomId(), email, name: name?.trim() || email.split("@")[0], passwordHash: null, role: "user", emailVerifiedAt: now, createdAt: now };
  db.insert(users).values(row).run();
  return row;
}

/**
 * The session a pending registration started, from its latest confirmation link: a resent
 * confirmation link keeps that binding, never the session it was resent from (someone signed in
 * with a password they were handed must not be able to keep it).
 */
export function registeringSessionOf(db: Db, email: string): string | null {
  return (
    db
      .select({ sessionId: emailLinks.sessionId })
      .from(emailLinks)
      .where(and(eq(emailLinks.email, email.toLowerCase()), eq(emailLinks.purpose, "verify"), isNotNull(emailLinks.sessionId)))
      .orderBy(desc(emailLinks.createdAt))
      .get()?.sessionId ?? null
  );
}
