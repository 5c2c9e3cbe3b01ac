import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { sessions } from "@/db/schema";
import { freshDb, makeUser } from "@/server/test-support";
import { race } from "@/server/testing/race";
import { createApiSession, rotateRefreshToken, type RefreshOutcome } from "./sessions";

const CONTENDERS = 12;

// Booting 12 tsx workers is the slow part (seconds on a busy machine), hence the generous timeout.
it(`of ${CONTENDERS} concurrent refreshes with one token, exactly one wins`, { timeout: 120_000 }, async () => {
  const db = await freshDb();
  const file = db.$admit.location;
  const user = await makeUser(db);
  const { session, refreshToken } = await createApiSession(db, user.id, ["orders:read"], { device: "race", ip: "127.0.0.1" });

  // Each contender is a worker thread with its own connection, released by a shared barrier.
  const reports = await race<RefreshOutcome>(CONTENDERS, file, "server/auth/sessions.ts", "rotateRefreshToken", () => [refreshToken]);

  expect(reports.filter((r) => !r.ok)).toEqual([]);
  // The barrier released them together, not one after another as each worker finished booting.
  const starts = reports.map((r) => r.startedAt);
  expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(1000);

  const outcomes = reports.map((r) => (r.ok ? r.value : null));
  const winners = outcomes.filter((o) => o?.ok);
  const losers = outcomes.filter((o) => o && !o.ok);
  expect(winners).toHaveLength(1);
  expect(losers).toHaveLength(CONTENDERS - 1);
  for (const loser of losers) expect(loser).toEqual({ ok: false, reason: "reused" });

  // Presenting the used token again is reuse: the session is revoked, and with it the winner's new token.
  const row = (await db.select().from(sessions).where(eq(sessions.id, session.id)).limit(1))[0]!;
  expect(row.revokedReason).toBe("refresh_token_reuse");
  const winner = winners[0] as { ok: true; refreshToken: string };
  expect(await rotateRefreshToken(db, winner.refreshToken)).toMatchObject({ ok: false });
});
