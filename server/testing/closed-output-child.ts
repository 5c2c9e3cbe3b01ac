import { installProcessErrorHandlers } from "next/dist/server/node-environment-extensions/process-error-handlers";
import { dropFailedOutputWrites } from "@/scripts/output-streams";

/**
 * A stand-in for the production server whose stdout and stderr lost their reader
 * (scripts/output-streams.test.ts): Next.js's handlers for uncaught errors installed, as the
 * server has them once Next.js is loaded, and scripts/serve.ts's guard if `guarded` is passed.
 * Once told (over IPC) that the reader is gone it logs one line and reports (over IPC) how many
 * writes to stdout and stderr it made: after 20 turns of its event loop, or as soon as the count
 * reaches `runawayWrites` (a loop of writes keeps the event loop from turning).
 *
 *   node --import tsx server/testing/closed-output-child.ts <runawayWrites> [guarded]
 */
const runawayWrites = Number(process.argv[2]);
installProcessErrorHandlers(false);
if (process.argv[3] === "guarded") dropFailedOutputWrites();

let writes = 0;
const report = () => process.send!({ writes });
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    if (++writes === runawayWrites) report();
    return write(...args);
  }) as typeof stream.write;
}

process.once("message", async () => {
  console.error("Mail worker: connect ECONNREFUSED 127.0.0.1:5432");
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
  report();
});
process.send!("ready");
