import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppDb } from "@/db/client";
import type { User } from "@/db/schema";
import { browserSignIn, Jar, ORIGIN } from "@/server/testing/authjs";
import { postToken } from "@/server/testing/auth-http";
import { freshDb, makeUser, TEST_PASSWORD } from "@/server/testing/support";
import { expectRetryAfter } from "@/server/testing/attacks";

/**
 * Finding: "Lockout as a weapon: anyone can lock any account (10 wrong tries), and one shared
 * address (venue Wi-Fi) can lock out everyone behind it, right password included."
 *
 * The limits now: 10 failures per account and address pair, 100 per address, 50 per account
 * across all addresses, in 15 minutes (server/rate-limit.ts); an address someone already signed
 * in from is not throttled for them by other people's failures there.
 */

const WINDOW_SECONDS = 15 * 60;

let db: AppDb;
let owner: User;
beforeEach(async () => {
  db = (await freshDb());
  owner = await makeUser(db);
  // Auth.js logs refused sign-ins as errors; expected here.
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

const signIn = (email: string, password: string, ip: string) => postToken({ body: { email, password }, ip });

/** `times` wrong passwords for `email` from `ip`, all at once; each must be an ordinary 401. */
async function failFrom(ip: string, email: string, times = 10) {
  const responses = await Promise.all(Array.from({ length: times }, (_, i) => signIn(email, `attacker-guess-${i}`, ip)));
  expect(responses.map((r) => r.status)).toEqual(Array(times).fill(401));
}

describe("Finding: lockout as a weapon", () => {
  it("an attacker's 10 wrong passwords from address A lock only A: the owner signs in from B (API and browser)", async () => {
    await failFrom("198.51.100.1", owner.email);

    // From A, that account is locked, right password included.
    expectRetryAfter(await signIn(owner.email, TEST_PASSWORD, "198.51.100.1"), WINDOW_SECONDS);
    const lockedBrowser = await browserSignIn(new Jar(), owner.email, TEST_PASSWORD, { ip: "198.51.100.1" });
    expect(lockedBrowser.status).toBe(429);
    expect(Number(lockedBrowser.retryAfter)).toBeGreaterThan(0);
    expect(Number(lockedBrowser.retryAfter)).toBeLessThanOrEqual(WINDOW_SECONDS);

    // From B, the owner is not locked out.
    expect((await signIn(owner.email, TEST_PASSWORD, "203.0.113.50")).status).toBe(200);
    const jar = new Jar();
    const browser = await browserSignIn(jar, owner.email, TEST_PASSWORD, { ip: "203.0.113.51" });
    expect(browser.status).toBe(200);
    expect(browser.url).toBe(`${ORIGIN}/`);
    expect(jar.cookies.has("admit.session")).toBe(true);
  });

  it("the per-account ceiling: 50 failures from 5 addresses lock the account everywhere, 49 do not", async () => {
    for (let a = 1; a <= 4; a++) await failFrom(`198.51.100.${a}`, owner.email);
    await failFrom("198.51.100.5", owner.email, 9);
    // 49 failures: a fresh address still gets in.
    expect((await signIn(owner.email, TEST_PASSWORD, "203.0.113.60")).status).toBe(200);

    await failFrom("198.51.100.5", owner.email, 1);
    // 50: the account is locked from every address, right password included.
    expectRetryAfter(await signIn(owner.email, TEST_PASSWORD, "203.0.113.61"), WINDOW_SECONDS);
    expect((await browserSignIn(new Jar(), owner.email, TEST_PASSWORD, { ip: "203.0.113.62" })).status).toBe(429);
    // Another account is unaffected.
    const other = await makeUser(db);
    expect((await signIn(other.email, TEST_PASSWORD, "198.51.100.1")).status).toBe(200);
  });

  it("one shared address: 100 failures there don't lock out people who signed in from it before; newcomers there are throttled", async () => {
    const venue = "192.0.2.200";
    const regular = await makeUser(db);
    const newcomer = await makeUser(db);
    expect((await signIn(regular.email, TEST_PASSWORD, venue)).status).toBe(200);

    // Someone at the venue sprays 100 accounts, 10 at a time.
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => signIn(`victim-${batch}-${i}@example.test`, "Summer2030!", venue)));
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(401));
    }

    // The address is throttled for anyone without an earlier success from it...
    expectRetryAfter(await signIn(newcomer.email, TEST_PASSWORD, venue), WINDOW_SECONDS);
    expectRetryAfter(await signIn("victim-x@example.test", "Summer2030!", venue), WINDOW_SECONDS);
    // ...but the regular still gets in there, by API and by browser.
    expect((await signIn(regular.email, TEST_PASSWORD, venue)).status).toBe(200);
    expect((await browserSignIn(new Jar(), regular.email, TEST_PASSWORD, { ip: venue })).status).toBe(200);
    // The newcomer gets in from anywhere else.
    expect((await signIn(newcomer.email, TEST_PASSWORD, "203.0.113.70")).status).toBe(200);
  });

  it("a known account and an unknown email get the same answers, before and after the pair limit", async () => {
    const ip = "198.51.100.9";
    const ghost = "ghost@example.test";
    // Retry-After counts from each key's own oldest failure, so only its presence is compared.
    const bodyOf = async (r: Response) => ({ status: r.status, retryAfter: r.headers.has("retry-after"), body: await r.text() });
    expect(await bodyOf(await signIn(owner.email, "wrong", ip))).toEqual(await bodyOf(await signIn(ghost, "wrong", ip)));
    await failFrom(ip, owner.email, 9);
    await failFrom(ip, ghost, 9);
    const [known, unknown] = [await bodyOf(await signIn(owner.email, TEST_PASSWORD, ip)), await bodyOf(await signIn(ghost, TEST_PASSWORD, ip))];
    expect(known.status).toBe(429);
    expect(unknown).toEqual(known);
  });
});
