import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import type { User } from "@/db/schema";
import { checkCredentials } from "@/server/auth/accounts";
import { authTables, expectError, postToken } from "@/server/testing/auth-http";
import { freshDb, makeUser, TEST_PASSWORD } from "@/server/testing/support";
import { hitCount, release, reserve, SIGN_IN_LIMITS, signInLimits, type Limit } from "./rate-limit";

/** The limits themselves; the attacks they answer are in server/attacks/. */

let db: AppDb;
let user: User;

beforeEach(async () => {
  db = (await freshDb());
  user = await makeUser(db);
});

const attempt = (email: string, password: string, ip = "203.0.113.10") => postToken({ body: { email, password }, ip });

async function fail(times: number, email: string, ip = "203.0.113.10") {
  // Sequential on purpose: each one must see the previous failures.
  for (let i = 0; i < times; i++) {
    const response = await attempt(email, `wrong-password-${i}`, ip);
    expect(response.status, `failure #${i + 1}`).toBe(401);
  }
}

function expectRetryAfter(response: Response) {
  const value = response.headers.get("retry-after");
  expect(value).toMatch(/^\d+$/);
  const seconds = Number(value);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowMs / 1000);
  return seconds;
}

const keysOf = (email: string, ip: string) => signInLimits(email, ip, { knownAddress: false }).map((l) => l.key);

describe("sign-in: per account and address pair", () => {
  it("after 10 wrong passwords the 11th attempt from that address is 429 with Retry-After, even with the right password", async () => {
    expect(SIGN_IN_LIMITS.perAccountAndAddress).toBe(10);
    await fail(10, user.email);
    const locked = await attempt(user.email, TEST_PASSWORD);
    const error = await expectError(locked.clone(), 429, "TOO_MANY_REQUESTS");
    expect(error.message).toMatch(/try again/i);
    expect(expectRetryAfter(locked)).toBeGreaterThan(14 * 60);
    expect((await authTables(db)).sessions).toEqual([]);
    // The account key ignores case and surrounding spaces, so they don't reset it.
    await expectError(await attempt(`  ${user.email.toUpperCase()} `, TEST_PASSWORD), 429);
  });

  it("the 10th wrong password is still an ordinary 401, and the right password before it works", async () => {
    await fail(9, user.email);
    expect((await attempt(user.email, TEST_PASSWORD)).status).toBe(200);
    const tenth = await attempt(user.email, "still wrong");
    await expectError(tenth.clone(), 401, "UNAUTHORIZED");
    expect(tenth.headers.get("retry-after")).toBeNull();
    await expectError(await attempt(user.email, TEST_PASSWORD), 429);
  });

  it("locks only that account: another account from the same address still signs in", async () => {
    const other = await makeUser(db);
    await fail(10, user.email);
    expect((await attempt(other.email, TEST_PASSWORD)).status).toBe(200);
  });

  it("unknown emails are limited the same way, so the limit doesn't reveal which accounts exist", async () => {
    await fail(10, "nobody@example.test");
    await expectError(await attempt("nobody@example.test", "x"), 429);
  });

  it("successful sign-ins are not throttled and do not count", async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perAccountAndAddress + 5; i++) {
      expect((await attempt(user.email, TEST_PASSWORD)).status, `success #${i + 1}`).toBe(200);
    }
    for (const key of keysOf(user.email, "203.0.113.10")) expect((await hitCount(db, key)), key).toBe(0);
  });
});

describe("sign-in: per address", () => {
  it("99 failures from an address still let a first-time right password through; the 100th throttles it", async () => {
    const ip = "203.0.113.80";
    const t = Date.now();
    for (let i = 0; i < 99; i++) expect((await reserve(db, signInLimits(`someone-${i}@example.test`, ip, { knownAddress: false }), { now: t })).ok).toBe(true);
    expect((await attempt(user.email, TEST_PASSWORD, ip)).status).toBe(200);
    const newcomer = await makeUser(db);
    await reserve(db, signInLimits("one-more@example.test", ip, { knownAddress: false }), { now: t });
    expectRetryAfter(await attempt(newcomer.email, TEST_PASSWORD, ip));
    // The user who just signed in from there is known at that address now.
    expect((await attempt(user.email, TEST_PASSWORD, ip)).status).toBe(200);
  });
});

describe("reservations", () => {
  const limit: Limit = { key: "test:key", max: 10, windowMs: 15 * 60_000 };

  it("free up as the window passes, with a Retry-After counted from the oldest hit", async () => {
    const t0 = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 10; i++) expect((await reserve(db, [limit], { now: t0 + i * 1000 })).ok).toBe(true);
    expect((await reserve(db, [limit], { now: t0 + 10_000 }))).toEqual({ ok: false, retryAfterSeconds: 15 * 60 - 10 });
    expect((await reserve(db, [limit], { now: t0 + limit.windowMs - 1 })).ok).toBe(false);
    // When the oldest hit ages out, one more fits.
    expect((await reserve(db, [limit], { now: t0 + limit.windowMs + 1 })).ok).toBe(true);
    expect((await reserve(db, [limit], { now: t0 + limit.windowMs + 2 })).ok).toBe(false);
  });

  it("take all limits or none, by weight, and give the hits back on release", async () => {
    const other: Limit = { key: "test:other", max: 60, windowMs: 60_000 };
    const first = (await reserve(db, [limit, other], { weight: 6 }));
    expect(first.ok).toBe(true);
    // 6 + 6 > 10 on the first limit: nothing is taken from either.
    expect((await reserve(db, [limit, other], { weight: 6 })).ok).toBe(false);
    expect(await Promise.all([hitCount(db, limit.key), hitCount(db, other.key)])).toEqual([6, 6]);
    await release(db, first as Extract<typeof first, { ok: true }>);
    expect(await Promise.all([hitCount(db, limit.key), hitCount(db, other.key)])).toEqual([0, 0]);
    expect((await reserve(db, [limit, other], { weight: 10 })).ok).toBe(true);
    // More than a limit can ever hold waits a whole window.
    expect((await reserve(db, [other], { weight: 61 }))).toEqual({ ok: false, retryAfterSeconds: 60 });
  });
});

describe("unknown email and wrong password", () => {
  it("get byte-identical answers", async () => {
    const wrongPassword = await attempt(user.email, "not-the-password");
    const unknownEmail = await attempt("no-such-user@example.test", "not-the-password");
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(wrongPassword.status);
    const headersOf = (r: Response) => [...r.headers.entries()].filter(([name]) => name !== "date");
    expect(headersOf(unknownEmail)).toEqual(headersOf(wrongPassword));
    expect(Buffer.from(await unknownEmail.arrayBuffer())).toEqual(Buffer.from(await wrongPassword.arrayBuffer()));
  });

  it("and the same outcome from checkCredentials, both counted as failures", async () => {
    const a = await checkCredentials(db, user.email, "nope-nope", "203.0.113.5");
    const b = await checkCredentials(db, "ghost@example.test", "nope-nope", "203.0.113.5");
    expect(a).toEqual({ ok: false, reason: "invalid_credentials" });
    expect(b).toEqual(a);
    expect((await hitCount(db, "sign-in:address:203.0.113.5"))).toBe(2);
  });
});
