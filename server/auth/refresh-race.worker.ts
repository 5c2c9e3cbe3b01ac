import { parentPort, workerData } from "node:worker_threads";
import { openDb } from "@/db/client";
import { rotateRefreshToken } from "./sessions";

/**
 * One contender in the concurrent-refresh race (refresh-race.test.ts): its own connection to
 * the shared database file, parked on a barrier until every contender is ready, then one
 * rotation of the shared refresh token.
 */
const { file, refreshToken, barrier } = workerData as { file: string; refreshToken: string; barrier: SharedArrayBuffer };
const flags = new Int32Array(barrier); // [0]: start signal, [1]: contenders ready

const db = openDb(file, { migrate: false });
db.$client.prepare("select 1").get(); // connection fully open before the race starts

Atomics.add(flags, 1, 1);
Atomics.notify(flags, 1);
Atomics.wait(flags, 0, 0);
const startedAt = performance.timeOrigin + performance.now();
try {
  const outcome = rotateRefreshToken(db, refreshToken);
  parentPort!.postMessage({ startedAt, outcome: outcome.ok ? { ok: true, refreshToken: outcome.refreshToken } : outcome });
} catch (error) {
  parentPort!.postMessage({ startedAt, error: String(error) });
} finally {
  db.$client.close();
}
