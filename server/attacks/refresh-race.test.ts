import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessions } from "@/db/schema";
import { postRefresh } from "@/server/testing/auth-http";
import { createApiSession, rotateRefreshToken, type RefreshOutcome } from "@/server/auth/sessions";
import { freshDb, makeUser } from "@/server/testing/support";
import { race } from "@/server/testing/race";

/**
 * Finding: "20 concurrent refreshes of one token leave the client with a dead session, because
 * the losers trigger reuse detection." A client that retries or fires refreshes from two tabs
 * presents the token it just rotated again within moments; that must be refused without killing
 * the session. Presenting it later is what a stolen copy looks like (RFC 9700 §4.14): the whole
 * session is revoked then.
 */

const CONTENDERS = 20;
const GRACE_MS = 10_000;

async function apiSession() {
  const db = (await freshDb());
  const user = await makeUser(db);
  const { session, refreshToken } = (await createApiSession(db, user.id, ["orders:read"], { device: "race", ip: "127.0.0.1" }));
  const sessionRow = async () => (await db.select().from(sessions).where(eq(sessions.id, session.id)).limit(1))[0]!;
  return { db, file: db.$admit.location, refreshToken, sessionRow };
}

const outcomesOf = (reports: Awaited<ReturnType<typeof race<RefreshOutcome>>>) => {
  expect(reports.filter((r) => !r.ok)).toEqual([]);
  // The barrier released them together, not one after another as each worker finished booting.
  const starts = reports.map((r) => r.startedAt);
  expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(1000);
  return reports.map((r) => (r as { value: RefreshOutcome }).value);
};

describe("Finding: concurrent refreshes of one token kill the session", () => {
  // Booting 20 tsx workers is the slow part (seconds on a busy machine), hence the generous timeout.
  it(`of ${CONTENDERS} concurrent refreshes exactly one wins; the others are refused and the session lives on`, { timeout: 180_000 }, async () => {
    const { db, file, refreshToken, sessionRow } = await apiSession();

    // Each contender is a worker thread with its own connection, released by a shared barrier.
    const outcomes = outcomesOf(await race<RefreshOutcome>(CONTENDERS, file, "server/auth/sessions.ts", "rotateRefreshToken", () => [refreshToken]));
    const winners = outcomes.filter((o) => o.ok);
    expect(winners).toHaveLength(1);
    const losers = outcomes.filter((o) => !o.ok);
    expect(losers).toEqual(Array(CONTENDERS - 1).fill({ ok: false, reason: "superseded" }));

    // The session is alive and the client keeps the winner's tokens: its refresh token works.
    expect((await sessionRow()).revokedAt).toBeNull();
    const winner = winners[0] as Extract<RefreshOutcome, { ok: true }>;
    const next = (await rotateRefreshToken(db, winner.refreshToken));
    expect(next.ok).toBe(true);

    // Over HTTP a duplicate within the grace period is a plain 401.
    const duplicate = (await rotateRefreshToken(db, winner.refreshToken));
    expect(duplicate).toEqual({ ok: false, reason: "superseded" });
    expect((await sessionRow()).revokedAt).toBeNull();
  });

  it("presenting a rotated token after the grace period revokes the whole session, concurrent presentations included", { timeout: 180_000 }, async () => {
    const { db, file, refreshToken, sessionRow } = await apiSession();
    const rotated = (await rotateRefreshToken(db, refreshToken));
    expect(rotated.ok).toBe(true);
    const current = (rotated as Extract<RefreshOutcome, { ok: true }>).refreshToken;

    const later = Date.now() + GRACE_MS + 1;
    const outcomes = outcomesOf(await race<RefreshOutcome>(4, file, "server/auth/sessions.ts", "rotateRefreshToken", () => [refreshToken, later]));
    expect(outcomes).toEqual(Array(4).fill({ ok: false, reason: "reused" }));
    expect((await sessionRow()).revokedReason).toBe("refresh_token_reuse");
    // The thief's copy and the client's current token are both dead.
    expect((await rotateRefreshToken(db, current, later))).toMatchObject({ ok: false });
  });

  it("within the grace period, a token whose successor was already used is reuse too", async () => {
    const { db, refreshToken, sessionRow } = await apiSession();
    const first = (await rotateRefreshToken(db, refreshToken)) as Extract<RefreshOutcome, { ok: true }>;
    expect((await rotateRefreshToken(db, first.refreshToken)).ok).toBe(true);
    // Two rotations on, the first token is no duplicate of the latest exchange: it leaked.
    expect((await rotateRefreshToken(db, refreshToken))).toEqual({ ok: false, reason: "reused" });
    expect((await sessionRow()).revokedReason).toBe("refresh_token_reuse");
  });

  it("the refresh endpoint answers a duplicate 401 without revoking, and names what happened", async () => {
    const { db, refreshToken, sessionRow } = await apiSession();
    const [a, b] = await Promise.all([postRefresh({ body: { refreshToken } }), postRefresh({ body: { refreshToken } })]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const loser = a.status === 401 ? a : b;
    expect(((await loser.json()) as { error: { message: string } }).error.message).toMatch(/newer refresh token/i);
    expect((await sessionRow()).revokedAt).toBeNull();
    const winner = (await (a.status === 200 ? a : b).json()) as { refreshToken: string };
    expect((await rotateRefreshToken(db, winner.refreshToken)).ok).toBe(true);
  });
});
