import { parentPort, workerData } from "node:worker_threads";
import { TRPCError } from "@trpc/server";
import { openDb, setDb } from "@/db/client";

/**
 * One contender in a race (see race.ts): opens its own connection to the shared database file,
 * waits at the barrier until every contender is ready, then calls the named function.
 */
type Input = { dbFile: string; modulePath: string; exportName: string; args: unknown[]; barrier: SharedArrayBuffer; contenders: number };
const { dbFile, modulePath, exportName, args, barrier, contenders } = workerData as Input;

const db = openDb(dbFile, { migrate: false });
setDb(db);
const mod = (await import(modulePath)) as Record<string, (...a: unknown[]) => unknown>;
const gate = new Int32Array(barrier);
Atomics.add(gate, 0, 1);
Atomics.notify(gate, 0);
while (Atomics.load(gate, 0) < contenders) Atomics.wait(gate, 0, Atomics.load(gate, 0), 50);
try {
  const value = await mod[exportName](db, ...args);
  parentPort!.postMessage({ ok: true, value });
} catch (error) {
  parentPort!.postMessage({ ok: false, code: error instanceof TRPCError ? error.code : "UNEXPECTED", message: String((error as Error)?.message ?? error) });
} finally {
  db.$client.close();
}
