import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

/**
 * The production server's stdout and stderr losing their reader (scripts/output-streams.ts): a
 * child with Next.js's handlers for uncaught errors (server/testing/closed-output-child.ts) whose
 * pipes this process closes, then asks it to log one line; it reports how many writes it made
 * (over the next 20 turns of its event loop, or as soon as they reach RUNAWAY_WRITES).
 */
const RUNAWAY_WRITES = 1_000;

function writesAfterReaderLeft(guarded: boolean): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/testing/closed-output-child.ts", String(RUNAWAY_WRITES), ...(guarded ? ["guarded"] : [])], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  return new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => reject(new Error(`the child exited (${signal ?? code}) without reporting`)));
    child.on("message", (message: "ready" | { writes: number }) => {
      if (message === "ready") {
        child.stdout!.destroy();
        child.stderr!.destroy();
        child.send("go");
      } else {
        resolve(message.writes);
      }
    });
  }).finally(() => child.kill("SIGKILL"));
}

describe("the server's output with no one reading it", () => {
  it("without a guard, Next.js's handler logs each failed write as an uncaught error, whose write fails again: writes without end", async () => {
    // What kept orphaned servers busy; here to show that the guard below is what stops it.
    expect(await writesAfterReaderLeft(false)).toBe(RUNAWAY_WRITES);
  });

  it("with scripts/serve.ts's guard, a log line whose write fails is dropped: one write, no loop", async () => {
    expect(await writesAfterReaderLeft(true)).toBe(1);
  });
});
