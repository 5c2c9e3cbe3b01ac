import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import type { User } from "@/db/schema";
import { freshDb, makeUser, TEST_PASSWORD } from "@/server/test-support";
import { checkCredentials } from "./accounts";
import { authTables, expectError, postToken } from "./http-test-helpers";
import { checkSignInAllowed, failureCount, recordSignInFailure, SIGN_IN_LIMITS } from "@/server/rate-limit";

let db: AppDb;
let user: User;

beforeEach(async () => {
  db = freshDb();
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

describe("per-account limit", () => {
  it("after 10 wrong passwords the 11th attempt is 429 with Retry-After, even with the right password", async () => {
    expect(SIGN_IN_LIMITS.perAccount).toBe(10);
    await fail(10, user.email);
    const locked = await attempt(user.email, TEST_PASSWORD);
    const error = await expectError(locked.clone(), 429, "TOO_MANY_REQUESTS");
    expect(error.message).toMatch(/try again/i);
    expect(expectRetryAfter(locked)).toBeGreaterThan(14 * 60);
    expect(authTables(db).sessions).toEqual([]);

    // The account key ignores case and surrounding spaces, so they don't reset it.
    await expectError(await attempt(`  ${user.email.toUpperCase()} `, TEST_PASSWORD), 429);
    // Another IP doesn't reset it either: it is the account that is protected.
    await expectError(await attempt(user.email, TEST_PASSWORD, "198.51.100.99"), 429);
  });

  it("the 10th wrong password is still an ordinary 401, and the right password before it works", async () => {
    await fail(9, user.email);
    expect((await attempt(user.email, TEST_PASSWORD)).status).toBe(200);
    const tenth = await attempt(user.email, "still wrong");
    await expectError(tenth.clone(), 401, "UNAUTHORIZED");
    expect(tenth.headers.get("retry-after")).toBeNull();
    await expectError(await attempt(user.email, TEST_PASSWORD), 429);
  });

  it("locks only that account: another account from the same IP still signs in", async () => {
    const other = await makeUser(db);
    await fail(10, user.email);
    expect((await attempt(other.email, TEST_PASSWORD)).status).toBe(200);
  });

  it("unknown emails are limited the same way, so the limit doesn't reveal which accounts exist", async () => {
    await fail(10, "nobody@example.test");
    await expectError(await attempt("nobody@example.test", "x"), 429);
  });

  it("successful sign-ins are not throttled and do not count", async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount + 5; i++) {
      expect((await attempt(user.email, TEST_PASSWORD)).status, `success #${i + 1}`).toBe(200);
    }
    expect(failureCount(db, `account:${user.email}`)).toBe(0);
    expect(failureCount(db, "ip:203.0.113.10")).toBe(0);
  });

  it("frees up when the window passes", () => {
    const t0 = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 10; i++) recordSignInFailure(db, user.email, "203.0.113.10", t0 + i * 1000);
    const locked = checkSignInAllowed(db, user.email, "203.0.113.10", t0 + 10_000);
    expect(locked).toEqual({ limited: true, retryAfterSeconds: 15 * 60 - 10 });
    // When the oldest failure ages out, one more attempt is allowed.
    expect(checkSignInAllowed(db, user.email, "203.0.113.10", t0 + SIGN_IN_LIMITS.windowMs + 1).limited).toBe(false);
    expect(checkSignInAllowed(db, user.email, "203.0.113.10", t0 + SIGN_IN_LIMITS.windowMs - 1).limited).toBe(true);
  });
});

describe("per-IP limit", () => {
  it("100 failures across different accounts from one IP → every further attempt from it is 429; other IPs are unaffected", async () => {
    expect(SIGN_IN_LIMITS.perIp).toBe(100);
    const ip = "203.0.113.77";
    // 100 different (unknown) accounts, 1 failure each: no account is anywhere near its own limit.
    // Ten at a time keeps the argon2 work parallel; the count only matters once they're all in.
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(`victim-${batch}-${i}@example.test`, "guess", ip)));
      for (const r of responses) expect(r.status).toBe(401);
    }
    expect(failureCount(db, `ip:${ip}`)).toBe(100);

    const blocked = await attempt(user.email, TEST_PASSWORD, ip);
    await expectError(blocked.clone(), 429, "TOO_MANY_REQUESTS");
    expectRetryAfter(blocked);
    await expectError(await attempt("fresh@example.test", "guess", ip), 429);
    expect(authTables(db).sessions).toEqual([]);

    // The same account from another address is fine: the IP is what's blocked.
    expect((await attempt(user.email, TEST_PASSWORD, "203.0.113.78")).status).toBe(200);
  });

  it("99 failures from an IP still let the right password through", async () => {
    const ip = "203.0.113.80";
    const t = Date.now();
    for (let i = 0; i < 99; i++) recordSignInFailure(db, `someone-${i}@example.test`, ip, t);
    expect((await attempt(user.email, TEST_PASSWORD, ip)).status).toBe(200);
    recordSignInFailure(db, "one-more@example.test", ip, t);
    await expectError(await attempt(user.email, TEST_PASSWORD, ip), 429);
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
    expect(failureCount(db, "ip:203.0.113.5")).toBe(2);
  });
});
