import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { sessions } from "@/db/schema";
import { freshDb, makeUser } from "@/server/test-support";
import { createApiSession, rotateRefreshToken } from "./sessions";

type Report = { startedAt: number; outcome?: { ok: true; refreshToken: string } | { ok: false; reason: string }; error?: string };

const CONTENDERS = 12;

/**
 * better-sqlite3 is synchronous, so concurrency inside one thread would be an illusion: each
 * contender is a worker thread with its own connection to the same database file, released at
 * the same instant by a shared barrier.
 */
function contender(file: string, refreshToken: string, barrier: SharedArrayBuffer): { worker: Worker; report: Promise<Report> } {
  const script = pathToFileURL(path.resolve("server/auth/refresh-race.worker.ts")).href;
  // Workers don't inherit vitest's transform: register tsx (which honours the "@/" paths) first.
  const boot = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(script)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { file, refreshToken, barrier } });
  const report = new Promise<Report>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`worker exited (${code}) without reporting`)));
  });
  return { worker, report };
}

// Booting 12 tsx workers is the slow part (seconds on a busy machine), hence the generous timeout.
it(`of ${CONTENDERS} concurrent refreshes with one token, exactly one wins`, { timeout: 120_000 }, async () => {
  const db = freshDb();
  const file = db.$client.name;
  const user = await makeUser(db);
  const { session, refreshToken } = createApiSession(db, user.id, ["orders:read"], { device: "race", ip: "127.0.0.1" });

  const barrier = new SharedArrayBuffer(8);
  const flags = new Int32Array(barrier);
  const workers = Array.from({ length: CONTENDERS }, () => contender(file, refreshToken, barrier));
  try {
    const deadline = Date.now() + 90_000;
    while (Atomics.load(flags, 1) < CONTENDERS) {
      if (Date.now() > deadline) throw new Error(`only ${Atomics.load(flags, 1)} contenders got ready`);
      await new Promise((r) => setTimeout(r, 5));
    }
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    const reports = await Promise.all(workers.map((w) => w.report));

    expect(reports.filter((r) => r.error)).toEqual([]);
    // The barrier released them together, not one after another as each worker finished booting.
    const starts = reports.map((r) => r.startedAt);
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(1000);

    const winners = reports.filter((r) => r.outcome?.ok);
    const losers = reports.filter((r) => r.outcome && !r.outcome.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(CONTENDERS - 1);
    for (const loser of losers) expect(loser.outcome).toEqual({ ok: false, reason: "reused" });

    // Presenting the used token again is reuse: the session is revoked, and with it the winner's new token.
    const row = db.select().from(sessions).where(eq(sessions.id, session.id)).get()!;
    expect(row.revokedReason).toBe("refresh_token_reuse");
    const winner = winners[0].outcome as { ok: true; refreshToken: string };
    expect(rotateRefreshToken(db, winner.refreshToken)).toMatchObject({ ok: false });
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
});
