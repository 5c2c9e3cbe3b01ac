import { and, count, eq, isNull } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { emailLinks, sessions, users } from "@/db/schema";
import { fieldsOf } from "@/server/errors";
import { sha256 } from "@/server/ids";
import { createCaller } from "@/server/router";
import { anonymousContext, browserContext, freshDb, makeUser, TEST_PASSWORD, trpcError } from "@/server/testing/support";
import { mailsTo } from "@/server/testing/outbox";
import { race } from "@/server/testing/race";
import { createInnerContext } from "@/server/trpc";
import { checkCredentials } from "./accounts";
import { authenticateCookie } from "./caller";
import { followEmailLink, inspectEmailLink, issueEmailLink, LINK_LIFETIMES, type FollowOutcome } from "./email-links";
import { createApiSession, createBrowserSession, findLiveApiSession, findLiveBrowserSession } from "./sessions";

let db: AppDb;
beforeEach(async () => {
  db = await freshDb();
});

const unique = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 10)}@example.test`;
const fresh = { device: "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36", ip: "192.0.2.70", currentSessionId: null };
const tokenIn = (text: string) => /\/link\?token=([\w-]+)/.exec(text)?.[1] ?? "";
const liveSessionsOf = async (userId: string) => (await db.select({ n: count() }).from(sessions).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt))))[0].n;
const userByEmail = async (email: string) => (await db.select().from(users).where(eq(users.email, email)).limit(1))[0];

async function expectSignedIn(following: Promise<FollowOutcome>): Promise<Extract<FollowOutcome, { ok: true }>> {
  const outcome = await following;
  if (!outcome.ok) throw new Error(`the link was refused: ${outcome.reason}`);
  expect((await findLiveBrowserSession(db, outcome.sessionSecret))?.user.id).toBe(outcome.user.id);
  return outcome;
}

describe("email links", () => {
  it("carry 256 random bits, of which only the SHA-256 is stored", async () => {
    const token = await issueEmailLink(db, { purpose: "sign_in", email: "Someone@Example.test", returnTo: "/tickets" });
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const rows = await db.select().from(emailLinks);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tokenHash: sha256(token), email: "someone@example.test", returnTo: "/tickets", usedAt: null });
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("last 30 minutes when asked for to sign in, 7 days in an order mail, and not a moment longer", async () => {
    const now = Date.now();
    for (const [purpose, lifetime] of [["sign_in", 30 * 60_000], ["order", 7 * 24 * 3600_000]] as const) {
      expect(LINK_LIFETIMES[purpose]).toBe(lifetime);
      const token = await issueEmailLink(db, { purpose, email: unique(purpose), returnTo: "/" }, now);
      expect((await inspectEmailLink(db, token, now + lifetime - 1)).state).toBe("valid");
      expect((await inspectEmailLink(db, token, now + lifetime)).state).toBe("expired");
      expect(await followEmailLink(db, token, fresh, now + lifetime)).toEqual({ ok: false, reason: "expired" });
      await expectSignedIn(followEmailLink(db, token, fresh, now + lifetime - 1));
    }
  });

  it("land only on a path of this site, whatever was asked for", async () => {
    for (const returnTo of ["https://evil.test/", "//evil.test", "/\\evil.test", "javascript:alert(1)"]) {
      const token = await issueEmailLink(db, { purpose: "sign_in", email: unique("land"), returnTo });
      expect((await expectSignedIn(followEmailLink(db, token, fresh))).link.returnTo).toBe("/");
    }
  });

  it("work once: a second follow is refused and signs nobody in", async () => {
    const token = await issueEmailLink(db, { purpose: "sign_in", email: unique("once"), returnTo: "/" });
    const first = await expectSignedIn(followEmailLink(db, token, fresh));
    expect(await followEmailLink(db, token, fresh)).toEqual({ ok: false, reason: "used" });
    expect((await inspectEmailLink(db, token)).state).toBe("used");
    expect(await liveSessionsOf(first.user.id)).toBe(1);
    // Through the procedure: a 400 naming the token, saying what happened.
    const error = await trpcError(createCaller(anonymousContext(db)).auth.followLink({ token }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(fieldsOf(error)?.token).toMatch(/already used/);
  });

  it("two tabs following one link at the same moment get exactly one session", async () => {
    const email = unique("tabs");
    const TABS = 4;
    for (let round = 0; round < 2; round++) {
      const token = await issueEmailLink(db, { purpose: "order", email, returnTo: "/tickets", name: "Tab Tester" });
      const results = await race<FollowOutcome>(TABS, db.$admit.location, "server/auth/email-links.ts", "followEmailLink", () => [token, fresh]);
      const outcomes = results.map((r) => (r.ok ? (r.value.ok ? "session" : r.value.reason) : `error:${r.message}`));
      expect(outcomes.filter((o) => o === "session"), outcomes.join(", ")).toHaveLength(1);
      expect(outcomes.filter((o) => o === "used")).toHaveLength(TABS - 1);
    }
    const account = (await userByEmail(email))!;
    // One account (not one per tab), with one session per round.
    expect((await db.select({ n: count() }).from(users).where(eq(users.email, email)))[0].n).toBe(1);
    expect((await db.select({ n: count() }).from(sessions).where(eq(sessions.userId, account.id)))[0].n).toBe(2);
  }, 60_000);

  it("made-up, tampered and overlong tokens sign nobody in", async () => {
    const token = await issueEmailLink(db, { purpose: "sign_in", email: unique("tamper"), returnTo: "/" });
    const tampered = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const bad of ["", "made-up", tampered, token + "x", "x".repeat(5000)]) {
      expect(await followEmailLink(db, bad, fresh)).toEqual({ ok: false, reason: "invalid" });
    }
    expect((await db.select({ n: count() }).from(sessions))[0].n).toBe(0);
    await expectSignedIn(followEmailLink(db, token, fresh));
  });

  it("create a passwordless account, proven, for an address that has none", async () => {
    const email = unique("new");
    const outcome = await expectSignedIn(followEmailLink(db, await issueEmailLink(db, { purpose: "order", email, returnTo: "/", name: "Nell New" }), fresh));
    expect(outcome.provenNow).toBe(true);
    expect(await userByEmail(email)).toMatchObject({ name: "Nell New", passwordHash: null, emailVerifiedAt: expect.any(Number), role: "user" });
  });

  it("replace the session the browser had, even another account's: a browser is signed in as one person", async () => {
    const other = await makeUser(db);
    const before = await createBrowserSession(db, other.id, { device: "d", ip: "i" });
    const current = await authenticateCookie(db, before.secret);
    const sessionId = current.kind === "caller" ? current.caller.sessionId : null;
    const outcome = await expectSignedIn(followEmailLink(db, await issueEmailLink(db, { purpose: "sign_in", email: unique("switch"), returnTo: "/" }), { ...fresh, currentSessionId: sessionId }));
    expect(outcome.user.id).not.toBe(other.id);
    expect(await findLiveBrowserSession(db, before.secret)).toBeUndefined();
  });

  it("from an order mail, sign a proven account in without touching its password or other devices", async () => {
    const user = await makeUser(db);
    const laptop = await createBrowserSession(db, user.id, { device: "laptop", ip: "i" });
    const outcome = await expectSignedIn(followEmailLink(db, await issueEmailLink(db, { purpose: "order", email: user.email, returnTo: "/tickets" }), fresh));
    expect(outcome).toMatchObject({ provenNow: false, passwordDropped: false, revokedSessions: 0 });
    expect(await findLiveBrowserSession(db, laptop.secret)).toBeDefined();
    expect((await checkCredentials(db, user.email, TEST_PASSWORD, "192.0.2.71")).ok).toBe(true);
  });
});

describe("a sign-in link is the password reset", () => {
  it("the old password is dead, and every other session, browser and API, is signed out", async () => {
    const user = await makeUser(db);
    const laptop = await createBrowserSession(db, user.id, { device: "laptop", ip: "i" });
    const app = await createApiSession(db, user.id, ["tickets:read"], { device: "app", ip: "i" });
    expect(await createCaller(anonymousContext(db)).auth.requestSignInLink({ email: user.email.toUpperCase(), returnTo: "/account" })).toEqual({ sent: true });
    const mail = (await mailsTo(user.email)).at(-1)!;
    expect(mail.subject).toMatch(/sign-in link/i);

    const outcome = await expectSignedIn(followEmailLink(db, tokenIn(mail.text), fresh));
    expect(outcome).toMatchObject({ passwordDropped: true, revokedSessions: 2, link: { returnTo: "/account" } });
    expect(await findLiveBrowserSession(db, laptop.secret)).toBeUndefined();
    expect(await findLiveApiSession(db, app.session.id, user.id)).toBeUndefined();
    expect((await checkCredentials(db, user.email, TEST_PASSWORD, "192.0.2.72")).ok).toBe(false);

    // The signed-in browser sets a new password without knowing the old one.
    const ctx = createInnerContext({ db, auth: await authenticateCookie(db, outcome.sessionSecret) });
    await createCaller(ctx).auth.changePassword({ newPassword: "a fresh password" });
    expect((await checkCredentials(db, user.email, "a fresh password", "192.0.2.72")).ok).toBe(true);
  });

  it("for a passwordless account it just signs in, leaving its other devices alone", async () => {
    const first = await expectSignedIn(followEmailLink(db, await issueEmailLink(db, { purpose: "order", email: unique("nopw"), returnTo: "/" }), fresh));
    const second = await expectSignedIn(followEmailLink(db, await issueEmailLink(db, { purpose: "sign_in", email: first.user.email, returnTo: "/" }), fresh));
    expect(second).toMatchObject({ passwordDropped: false, revokedSessions: 0 });
    expect(await findLiveBrowserSession(db, first.sessionSecret)).toBeDefined();
  });

  it("is answered the same for an address with an account and one without, and each gets its link", async () => {
    const known = await makeUser(db);
    const unknown = unique("unknown");
    const caller = createCaller(anonymousContext(db));
    const answers = [await caller.auth.requestSignInLink({ email: known.email }), await caller.auth.requestSignInLink({ email: unknown })];
    expect(answers[0]).toEqual(answers[1]);
    expect((await mailsTo(known.email))).toHaveLength(1);
    expect((await mailsTo(unknown))).toHaveLength(1);
    expect(await userByEmail(unknown)).toBeUndefined();
  });

  it("requests are limited per address asked for: 5 an hour, then 429", async () => {
    const email = unique("limited");
    const caller = createCaller(anonymousContext(db));
    for (let i = 0; i < 5; i++) await caller.auth.requestSignInLink({ email });
    expect((await trpcError(caller.auth.requestSignInLink({ email }))).code).toBe("TOO_MANY_REQUESTS");
    expect((await mailsTo(email))).toHaveLength(5);
  });
});

describe("a registration's confirmation link", () => {
  async function registerInBrowser(email: string, password = "registration-password") {
    const resHeaders = new Headers();
    await createCaller(createInnerContext({ db, resHeaders, userAgent: fresh.device })).auth.register({ name: "Rita", email, password, returnTo: "/events/some-conf" });
    const secret = /admit\.session=([^;]+)/.exec(resHeaders.get("set-cookie") ?? "")?.[1] ?? "";
    return { secret, token: tokenIn((await mailsTo(email)).at(-1)!.text) };
  }

  it("signs the registering browser in at once, and brings it back where it came from once confirmed", async () => {
    const email = unique("reg");
    const { secret, token } = await registerInBrowser(email);
    const auth = await authenticateCookie(db, secret);
    expect(auth.kind === "caller" && auth.caller.user).toMatchObject({ email, emailVerified: false });
    const ctx = createInnerContext({ db, auth, resHeaders: new Headers() });
    expect(await createCaller(ctx).auth.followLink({ token })).toMatchObject({ to: "/events/some-conf", passwordDropped: false });
    // Confirmed from the browser that chose it, the password stays.
    expect((await userByEmail(email))?.emailVerifiedAt).not.toBeNull();
    expect((await checkCredentials(db, email, "registration-password", "192.0.2.73")).ok).toBe(true);
  });

  it("opened anywhere else proves the mailbox but drops the password chosen at registration", async () => {
    const email = unique("elsewhere");
    const { secret, token } = await registerInBrowser(email);
    const outcome = await expectSignedIn(followEmailLink(db, token, fresh));
    expect(outcome).toMatchObject({ provenNow: true, passwordDropped: true, revokedSessions: 1 });
    expect(await findLiveBrowserSession(db, secret)).toBeUndefined();
    expect((await checkCredentials(db, email, "registration-password", "192.0.2.74")).ok).toBe(false);
  });

  it("resent from a later session stays bound to the registering one", async () => {
    const email = unique("resent");
    await registerInBrowser(email);
    const account = (await userByEmail(email))!;
    // Signed in with the password in another browser (as someone handed it would be), then resent.
    const later = await browserContext(db, account);
    await createCaller(later).auth.resendVerification();
    const token = tokenIn((await mailsTo(email)).at(-1)!.text);
    const laterSession = later.auth.kind === "caller" ? later.auth.caller.sessionId : null;
    expect(await expectSignedIn(followEmailLink(db, token, { ...fresh, currentSessionId: laterSession }))).toMatchObject({ passwordDropped: true });
  });
});

describe("email me a new link", () => {
  it("sends a fresh link of the same kind, to the same address, for the same place", async () => {
    const email = unique("renew");
    const old = await issueEmailLink(db, { purpose: "order", email, returnTo: "/orders/x?download=1", name: "Rene" });
    await expectSignedIn(followEmailLink(db, old, fresh));
    expect(await createCaller(anonymousContext(db)).auth.renewLink({ token: old })).toEqual({ sent: true });
    const renewed = tokenIn((await mailsTo(email)).at(-1)!.text);
    expect(renewed).not.toBe(old);
    expect(await inspectEmailLink(db, renewed)).toMatchObject({ state: "valid", link: { purpose: "order", email, returnTo: "/orders/x?download=1", name: "Rene" } });
  });

  it("answers an unknown link the same way, and mails nobody", async () => {
    const before = (await db.select({ n: count() }).from(emailLinks))[0].n;
    expect(await createCaller(anonymousContext(db)).auth.renewLink({ token: "not-a-link-of-ours" })).toEqual({ sent: true });
    expect((await db.select({ n: count() }).from(emailLinks))[0].n).toBe(before);
  });
});
