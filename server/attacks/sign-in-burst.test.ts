import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { users, type User } from "@/db/schema";
import { postToken } from "@/server/testing/auth-http";
import { passwordMetrics, verifyPassword } from "@/server/auth/passwords";
import { createBrowserSession } from "@/server/auth/sessions";
import type { CredentialsOutcome } from "@/server/auth/accounts";
import { freshDb, makeUser, TEST_PASSWORD } from "@/server/testing/support";
import { race } from "@/server/testing/race";
import { expectRetryAfter, trpcMutation } from "@/server/testing/attacks";

/**
 * Finding: "The sign-in limit is beaten by a parallel burst: 100 simultaneous attempts got 26
 * password checks against a limit of 10" (the limit was checked, then argon2 ran, then the
 * failure was recorded), and wrong current passwords on auth.changePassword were not limited.
 * What counts is how many passwords were actually verified, so that is what these tests count.
 */

const LIMIT = 10;
const BURST = 40;
const WINDOW_SECONDS = 15 * 60;

let db: AppDb;
let user: User;
beforeEach(async () => {
  db = (await freshDb());
  user = await makeUser(db);
});

const countVerifications = async <T>(work: () => Promise<T>): Promise<{ result: T; verifications: number }> => {
  const before = passwordMetrics.verifications;
  const result = await work();
  return { result, verifications: passwordMetrics.verifications - before };
};

describe("Finding: a parallel burst beats the sign-in limit", () => {
  it(`${BURST} wrong passwords at once from 8 connections get at most ${LIMIT} password checks`, { timeout: 180_000 }, async () => {
    const ip = "203.0.113.20";
    const workers = 8;
    type Counted = { outcome: CredentialsOutcome; verificationsInThread: number };
    // 8 worker threads, each with its own SQLite connection, each starting 5 attempts together.
    const reports = await race<Counted>(workers, db.$admit.location, "server/testing/counted-sign-in.ts", "checkCredentialsCounted", (worker, call) => [user.email, `wrong-${worker}-${call}`, ip], BURST / workers, { overlapCalls: true });
    expect(reports.filter((r) => !r.ok)).toEqual([]);
    const counted = reports.map((r) => ({ contender: r.contender, ...(r as { value: Counted }).value }));

    // Each thread's counter only grows: its largest report is that thread's total.
    const perThread = new Map<number, number>();
    for (const c of counted) perThread.set(c.contender, Math.max(perThread.get(c.contender) ?? 0, c.verificationsInThread));
    const verifications = [...perThread.values()].reduce((a, b) => a + b, 0);
    expect(verifications).toBeLessThanOrEqual(LIMIT);

    // The limit is used, not over-refused: exactly 10 were checked (and failed), the rest refused.
    const reasons = counted.map((c) => (c.outcome.ok ? "ok" : c.outcome.reason));
    expect(reasons.filter((r) => r === "invalid_credentials")).toHaveLength(LIMIT);
    expect(reasons.filter((r) => r === "rate_limited")).toHaveLength(BURST - LIMIT);

    // And the pair stays locked: the right password from that address is refused unchecked.
    const { result, verifications: after } = await countVerifications(() => postToken({ body: { email: user.email, password: TEST_PASSWORD }, ip }));
    expectRetryAfter(result, WINDOW_SECONDS);
    expect(after).toBe(0);
  });

  it(`${BURST} simultaneous requests to the token endpoint get at most ${LIMIT} password checks, the rest 429`, async () => {
    const ip = "203.0.113.21";
    const { result: responses, verifications } = await countVerifications(() =>
      Promise.all(Array.from({ length: BURST }, (_, i) => postToken({ body: { email: user.email, password: `guess-${i}` }, ip }))),
    );
    expect(verifications).toBeLessThanOrEqual(LIMIT);
    expect(responses.filter((r) => r.status === 401)).toHaveLength(LIMIT);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused).toHaveLength(BURST - LIMIT);
    for (const response of refused) expectRetryAfter(response, WINDOW_SECONDS);
  });
});

describe("Finding: wrong current passwords on auth.changePassword are not limited", () => {
  const ip = "203.0.113.30";
  let cookie: string;
  beforeEach(async () => {
    cookie = (await createBrowserSession(db, user.id, { device: "stolen cookie", ip })).secret;
  });
  const change = (currentPassword: string) => trpcMutation("auth.changePassword", { currentPassword, newPassword: "attacker-chosen-password" }, { cookie, ip });

  it("after 10 wrong current passwords the next try is 429 with Retry-After, even with the right one, and counts for sign-in too", async () => {
    for (let i = 0; i < LIMIT; i++) expect((await change(`guess-${i}`)).status, `guess ${i + 1}`).toBe(400);
    const { result: locked, verifications } = await countVerifications(() => change(TEST_PASSWORD));
    expectRetryAfter(locked, WINDOW_SECONDS);
    expect(verifications).toBe(0);
    expect(((await locked.json()) as { error: { data: { code: string } } }).error.data.code).toBe("TOO_MANY_REQUESTS");
    // The password did not change.
    const [unchanged] = await db.select().from(users).where(eq(users.id, user.id)).limit(1);
    expect(await verifyPassword(unchanged.passwordHash!, TEST_PASSWORD)).toBe(true);
    // The same limits as sign-in: that account from that address is locked there too.
    expectRetryAfter(await postToken({ body: { email: user.email, password: TEST_PASSWORD }, ip }), WINDOW_SECONDS);
  });

  it(`${BURST} simultaneous wrong current passwords get at most ${LIMIT} password checks`, async () => {
    const { result: responses, verifications } = await countVerifications(() => Promise.all(Array.from({ length: BURST }, (_, i) => change(`guess-${i}`))));
    expect(verifications).toBeLessThanOrEqual(LIMIT);
    expect(responses.filter((r) => r.status === 400)).toHaveLength(LIMIT);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(BURST - LIMIT);
  });
});
