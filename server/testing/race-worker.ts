import { parentPort, workerData } from "node:worker_threads";
import { sql } from "drizzle-orm";
import { execute, openDb, setDb } from "@/db/client";
import { AppError } from "@/server/errors";

/**
 * One contender in a race (see race.ts): opens its own connection to the shared database file,
 * waits at the barrier until every contender is ready, then makes its calls one after another.
 */
type Input = { dbFile: string; modulePath: string; exportName: string; calls: unknown[][]; barrier: SharedArrayBuffer; contenders: number; overlapCalls: boolean };
const { dbFile, modulePath, exportName, calls, barrier, contenders, overlapCalls } = workerData as Input;

const db = openDb(dbFile, { migrate: false });
await execute(db, sql`select 1`); // the connection is fully open before the race starts
setDb(db);
const mod = (await import(modulePath)) as Record<string, (...a: unknown[]) => unknown>;
const gate = new Int32Array(barrier);
Atomics.add(gate, 0, 1);
Atomics.notify(gate, 0);
while (Atomics.load(gate, 0) < contenders) Atomics.wait(gate, 0, Atomics.load(gate, 0), 50);
const startedAt = performance.timeOrigin + performance.now();
type Result = { ok: true; value: unknown } | { ok: false; code: string; message: string };
async function call(args: unknown[]): Promise<Result> {
  try {
    return { ok: true, value: await mod[exportName](db, ...args) };
  } catch (error) {
    return { ok: false, code: error instanceof AppError ? error.code : "UNEXPECTED", message: String((error as Error)?.message ?? error) };
  }
}
const results: Result[] = [];
if (overlapCalls) results.push(...(await Promise.all(calls.map(call))));
else for (const args of calls) results.push(await call(args));
await db.$admit.close();
parentPort!.postMessage({ startedAt, results });
