import path from "node:path";
import { Worker } from "node:worker_threads";

export type RaceResult<T> = ({ ok: true; value: T } | { ok: false; code: string; message: string }) & {
  contender: number;
  /** When this contender was released from the barrier (ms, comparable across threads). */
  startedAt: number;
};

/**
 * Runs `exportName(db, ...args)` from `modulePath` in `contenders` worker threads at once, each
 * with its own SQLite connection to `dbFile`, `callsEach` times per contender. better-sqlite3 is
 * synchronous, so Promise.all in one thread never overlaps; separate connections contend for
 * real, as separate server processes would. Results come back flat, contender by contender.
 *
 * `overlapCalls` starts a contender's calls together instead of one after another: for async
 * functions (a sign-in awaits argon2), so one thread also interleaves its own calls the way one
 * server process interleaves concurrent requests, without booting a worker per call.
 */
export async function race<T>(
  contenders: number,
  dbFile: string,
  modulePath: string,
  exportName: string,
  argsFor: (contender: number, call: number) => unknown[],
  callsEach = 1,
  { overlapCalls = false }: { overlapCalls?: boolean } = {},
): Promise<RaceResult<T>[]> {
  const barrier = new SharedArrayBuffer(4);
  // Worker threads can't load TypeScript by themselves: the .mjs registers tsx first.
  const workerFile = path.resolve("server/testing/race-worker.mjs");
  const runs = Array.from({ length: contenders }, (_, contender) =>
    new Promise<RaceResult<T>[]>((resolve, reject) => {
      const calls = Array.from({ length: callsEach }, (_, call) => argsFor(contender, call));
      const worker = new Worker(workerFile, {
        workerData: { dbFile, modulePath: path.resolve(modulePath), exportName, calls, barrier, contenders, overlapCalls },
      });
      worker.once("message", (m: { startedAt: number; results: Array<{ ok: true; value: T } | { ok: false; code: string; message: string }> }) =>
        resolve(m.results.map((r) => ({ ...r, contender, startedAt: m.startedAt }))),
      );
      worker.once("error", reject);
      worker.once("exit", (code) => code !== 0 && reject(new Error(`race worker exited with ${code}`)));
    }),
  );
  return (await Promise.all(runs)).flat();
}
