import { and, eq, isNull } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { emailLinks, sessions, users } from "@/db/schema";
import { fieldsOf } from "@/server/errors";
import { createCaller } from "@/server/router";
import { anonymousContext, browserContext, freshDb, makeUser, TEST_PASSWORD, trpcError } from "@/server/testing/support";
import { failure } from "@/server/testing/failure";
import { mailsTo } from "@/server/testing/outbox";
import { race } from "@/server/testing/race";
import { createInnerContext } from "@/server/trpc";
import { authenticateCookie } from "./caller";
import { checkCredentials, createUser, type Registration } from "./accounts";
import { followEmailLink } from "./email-links";
import { signInApi } from "@/server/testing/auth-http";
import { hashPassword, passwordSchema, verifyPassword } from "./passwords";
import { createApiSession, createBrowserSession, findLiveApiSession, findLiveBrowserSession, rotateRefreshToken } from "./sessions";

let db: AppDb;
beforeEach(async () => {
  db = (await freshDb());
});

const uniqueEmail = (tag: string) => `${tag}-${Math.random().toString(36).slice(2)}@example.test`;

/** The newest outbox message addressed to `to`. */
async function newestMailTo(to: string) {
  const mails = (await mailsTo(to));
  expect(mails.length, `no mail to ${to}`).toBeGreaterThan(0);
  return mails.at(-1)!;
}

/** Registers through the procedure; the answer never says which account it is, so look it up. */
async function registerNew(input: { name: string; email: string; password: string }) {
  expect(await createCaller(anonymousContext(db)).auth.register(input)).toEqual({ email: input.email.toLowerCase() });
  return (await db.select().from(users).where(eq(users.email, input.email.toLowerCase())).limit(1))[0]!;
}

const userById = async (id: string) => (await db.select().from(users).where(eq(users.id, id)).limit(1))[0]!;
const linkTo = async (email: string) => (await db.select().from(emailLinks).where(eq(emailLinks.email, email)).limit(1))[0]!;

const tokenFromMail = (text: string) => {
  const link = /https?:\/\/\S+\/link\?token=(\S+)/.exec(text);
  expect(link, text).not.toBeNull();
  return decodeURIComponent(link![1]);
};

describe("password rules: 8 to 128 characters", () => {
  it.each([
    [7, false],
    [8, true],
    [128, true],
    [129, false],
  ])("%i characters → %s", async (length, ok) => {
    const password = "p".repeat(length);
    expect(passwordSchema.safeParse(password).success).toBe(ok);

    const email = uniqueEmail("rules");
    const caller = createCaller(anonymousContext(db));
    const register = caller.auth.register({ name: "Rule Tester", email, password });
    if (ok) {
      await expect(register).resolves.toMatchObject({ email });
      expect((await checkCredentials(db, email, password, "192.0.2.9")).ok).toBe(true);
    } else {
      const error = await trpcError(register);
      expect(error.code).toBe("BAD_REQUEST");
      expect(Object.keys(fieldsOf(error) ?? {})).toEqual(["password"]);
      expect((await db.select().from(users).where(eq(users.email, email)).limit(1))[0]).toBeUndefined();
    }
  });

  it.each([
    [7, false],
    [8, true],
    [128, true],
    [129, false],
  ])("changing to a %i-character password → %s", async (length, ok) => {
    const user = await makeUser(db);
    const caller = createCaller((await browserContext(db, user)));
    const change = caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "n".repeat(length) });
    if (ok) await expect(change).resolves.toEqual({ revoked: 0 });
    else expect(Object.keys(fieldsOf(await trpcError(change)) ?? {})).toEqual(["newPassword"]);
  });

  it("hashes with argon2id, m=19456 KiB, t=2, p=1, salted", async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, "same password")).toBe(true);
    expect(await verifyPassword(a, "same passwor")).toBe(false);
    expect(await verifyPassword("not a hash", "x")).toBe(false);
    const user = await makeUser(db);
    expect(user.passwordHash).not.toContain(TEST_PASSWORD);
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("emails are unique regardless of case", async () => {
    const email = uniqueEmail("dup");
    await createUser(db, { email, name: "A", password: "long-enough" });
    const error = await failure(createUser(db, { email: email.toUpperCase(), name: "B", password: "long-enough" }));
    expect(error.code).toBe("CONFLICT");
    expect(error.fields).toHaveProperty("email");
    // Registration doesn't say so (see the mail-abuse attack test), and makes no second account.
    await createCaller(anonymousContext(db)).auth.register({ name: "B", email: email.toUpperCase(), password: "long-enough" });
    expect((await db.select().from(users).where(eq(users.email, email)))).toHaveLength(1);
  });
});

describe("registering one address from several browsers at once", () => {
  it("makes one account, signed in in one browser only: each registration signs out the ones before it", { timeout: 120_000 }, async () => {
    const BROWSERS = 4;
    for (let round = 0; round < 2; round++) {
      // A new address, then one whose account a pending registration already holds.
      const email = uniqueEmail("together");
      if (round === 1) await registerNew({ name: "Early", email, password: "the-early-password" });
      const results = await race<Registration>(BROWSERS, db.$admit.location, "server/auth/accounts.ts", "register", (contender) => [
        { name: `Browser ${contender}`, email, password: `password-of-browser-${contender}` },
        { device: `browser ${contender}`, ip: `198.51.100.${40 + contender}`, currentSessionId: null },
      ]);
      expect(results.filter((r) => !r.ok), "every registration is answered").toEqual([]);
      const accounts = await db.select().from(users).where(eq(users.email, email));
      expect(accounts).toHaveLength(1);
      const live = await db.select().from(sessions).where(and(eq(sessions.userId, accounts[0].id), isNull(sessions.revokedAt)));
      expect(live).toHaveLength(1);
      // The one browser still signed in is the one whose password the account has.
      const winner = Number(live[0].device.replace("browser ", ""));
      expect(accounts[0].name).toBe(`Browser ${winner}`);
      expect(await verifyPassword(accounts[0].passwordHash!, `password-of-browser-${winner}`)).toBe(true);
    }
  });
});

describe("changing the password", () => {
  it("revokes every other session, browser and API, but keeps the current one", async () => {
    const user = await makeUser(db);
    const current = (await createBrowserSession(db, user.id, { device: "this one", ip: "10.0.0.1" }));
    const otherBrowser = (await createBrowserSession(db, user.id, { device: "other", ip: "10.0.0.2" }));
    const api = await signInApi(user.email, TEST_PASSWORD);
    const apiSid = JSON.parse(Buffer.from(api.token.split(".")[1], "base64url").toString()).sid as string;
    const someoneElse = await makeUser(db);
    const theirs = (await createBrowserSession(db, someoneElse.id, { device: "x", ip: "10.0.0.3" }));

    const caller = createCaller(createInnerContext({ db, auth: (await authenticateCookie(db, current.secret)) }));
    expect(await caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "a brand new password" })).toEqual({ revoked: 2 });

    expect((await findLiveBrowserSession(db, current.secret))).toBeDefined();
    expect((await findLiveBrowserSession(db, otherBrowser.secret))).toBeUndefined();
    expect((await findLiveApiSession(db, apiSid, user.id))).toBeUndefined();
    expect((await rotateRefreshToken(db, api.refreshToken))).toMatchObject({ ok: false });
    expect((await findLiveBrowserSession(db, theirs.secret))).toBeDefined();

    // The current session keeps working for the next call.
    expect(await createCaller(createInnerContext({ db, auth: (await authenticateCookie(db, current.secret)) })).devices.list()).toHaveLength(1);
    // The old password is gone, the new one works.
    expect((await checkCredentials(db, user.email, TEST_PASSWORD, "192.0.2.50")).ok).toBe(false);
    expect((await checkCredentials(db, user.email, "a brand new password", "192.0.2.50")).ok).toBe(true);
  });

  it("with a wrong current password changes nothing and revokes nothing", async () => {
    const user = await makeUser(db);
    const other = (await createApiSession(db, user.id, ["orders:read"], { device: "x", ip: "1.1.1.1" }));
    const caller = createCaller((await browserContext(db, user)));
    const error = await trpcError(caller.auth.changePassword({ currentPassword: "wrong wrong", newPassword: "another password" }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(Object.keys(fieldsOf(error) ?? {})).toEqual(["currentPassword"]);
    expect((await findLiveApiSession(db, other.session.id, user.id))).toBeDefined();
    expect((await checkCredentials(db, user.email, TEST_PASSWORD, "192.0.2.51")).ok).toBe(true);
  });

  it("needs a signed-in caller", async () => {
    const error = await trpcError(createCaller(anonymousContext(db)).auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "whatever-123" }));
    expect(error.code).toBe("UNAUTHORIZED");
  });
});

describe("email verification", () => {
  it("register sends a link whose token works exactly once", async () => {
    const email = uniqueEmail("verify");
    const caller = createCaller(anonymousContext(db));
    const { id } = await registerNew({ name: "Vera", email: email.toUpperCase(), password: "long-enough-pw" });
    const mail = (await newestMailTo(email));
    expect(mail.subject).toMatch(/confirm/i);
    const token = tokenFromMail(mail.text);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    // Only the hash is stored.
    expect(JSON.stringify(await db.select().from(emailLinks))).not.toContain(token);
    expect((await userById(id)).emailVerifiedAt).toBeNull();

    expect(await caller.auth.followLink({ token })).toMatchObject({ to: "/" });
    expect((await userById(id)).emailVerifiedAt).not.toBeNull();

    const again = await trpcError(caller.auth.followLink({ token }));
    expect(again.code).toBe("BAD_REQUEST");
    expect(fieldsOf(again)?.token).toMatch(/already used/);
  });

  it("an expired token is rejected and verifies nothing", async () => {
    const email = uniqueEmail("expired");
    const { id } = await registerNew({ name: "Old", email, password: "long-enough-pw" });
    const token = tokenFromMail((await newestMailTo(email)).text);
    const row = await linkTo(email);
    const browser = { device: "vitest", ip: "192.0.2.60", currentSessionId: null };
    expect(await followEmailLink(db, token, browser, row.expiresAt)).toEqual({ ok: false, reason: "expired" });
    expect(await followEmailLink(db, token, browser, row.expiresAt + 60_000)).toEqual({ ok: false, reason: "expired" });
    expect((await userById(id)).emailVerifiedAt).toBeNull();
    // Just before it expires, it still works.
    expect(await followEmailLink(db, token, browser, row.expiresAt - 1)).toMatchObject({ ok: true, user: { id } });
  });

  it("a token is valid for 48 hours", async () => {
    const email = uniqueEmail("ttl");
    const before = Date.now();
    await registerNew({ name: "T", email, password: "long-enough-pw" });
    const row = await linkTo(email);
    expect(row.purpose).toBe("verify");
    expect(row.expiresAt - before).toBeGreaterThanOrEqual(48 * 3600_000);
    expect(row.expiresAt - Date.now()).toBeLessThanOrEqual(48 * 3600_000);
  });

  it("made-up, empty and overlong tokens are 400s, never 500s", async () => {
    const caller = createCaller(anonymousContext(db));
    for (const token of ["made-up", "x".repeat(201), ""]) {
      const error = await trpcError(caller.auth.followLink({ token }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(fieldsOf(error)).toHaveProperty("token");
    }
    expect(await followEmailLink(db, "", { device: "d", ip: "i", currentSessionId: null })).toEqual({ ok: false, reason: "invalid" });
  });

  it("resendVerification sends a fresh link only while unverified", async () => {
    const unverified = await makeUser(db, { verified: false });
    expect(await createCaller(await browserContext(db, unverified)).auth.resendVerification()).toEqual({ sent: true });
    const token = tokenFromMail((await newestMailTo(unverified.email)).text);
    expect((await followEmailLink(db, token, { device: "d", ip: "i", currentSessionId: null })).ok).toBe(true);
    const verified = await makeUser(db, { verified: true });
    expect(await createCaller((await browserContext(db, verified))).auth.resendVerification()).toEqual({ sent: false });
  });
});

describe("auth.me", () => {
  it("is null for anonymous visitors and the user for a session", async () => {
    const user = await makeUser(db, { name: "Me Myself" });
    expect(await createCaller(anonymousContext(db)).auth.me()).toBeNull();
    expect(await createCaller((await browserContext(db, user))).auth.me()).toEqual({ id: user.id, email: user.email, name: "Me Myself", role: "user", emailVerified: true });
  });

  it("is 401 (not anonymous) for credentials that were presented but are dead", async () => {
    const ctx = createInnerContext({ db, auth: { kind: "invalid", reason: "test" } });
    expect((await trpcError(createCaller(ctx).auth.me())).code).toBe("UNAUTHORIZED");
  });
});
