import path from "node:path";
import { Worker } from "node:worker_threads";

export type RaceResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/**
 * Runs `exportName(db, ...args)` from `modulePath` in `contenders` worker threads at once, each
 * with its own SQLite connection to `dbFile`. better-sqlite3 is synchronous, so Promise.all in
 * one thread never overlaps; separate connections contend for real, as separate server
 * processes would.
 */
export async function race<T>(contenders: number, dbFile: string, modulePath: string, exportName: string, argsFor: (i: number) => unknown[]): Promise<RaceResult<T>[]> {
  const barrier = new SharedArrayBuffer(4);
  const workerFile = path.resolve("server/testing/race-worker.mjs");
  const runs = Array.from({ length: contenders }, (_, i) =>
    new Promise<RaceResult<T>>((resolve, reject) => {
      const worker = new Worker(workerFile, {
        workerData: { dbFile, modulePath: path.resolve(modulePath), exportName, args: argsFor(i), barrier, contenders },
      });
      worker.once("message", (m: RaceResult<T>) => resolve(m));
      worker.once("error", reject);
      worker.once("exit", (code) => code !== 0 && reject(new Error(`race worker exited with ${code}`)));
    }),
  );
  return Promise.all(runs);
}
