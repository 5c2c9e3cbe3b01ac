import type { ChildProcess } from "node:child_process";

/**
 * How the production server is started (npm start, npm run demo, Playwright, the benchmarks):
 * `node <SERVER_NODE_ARGS> --import tsx scripts/serve.ts`, the node process being the server
 * itself (no wrapper in between to forward signals).
 *
 * The heap limit keeps the server's memory flat. The live heap of a busy server is about 130 MiB
 * (mostly loaded code and its source text); without a limit V8 sizes the old space against the
 * machine's memory and lets it fill with garbage from page renders and PDF layouts up to several
 * hundred MiB before collecting, so the resident size climbed past 900 MiB under load, where with
 * it the server stays under 400 MiB (bench/soak.ts). package.json's "start" repeats the number.
 */
export const SERVER_HEAP_LIMIT_MB = 256;
export const SERVER_NODE_ARGS = [`--max-old-space-size=${SERVER_HEAP_LIMIT_MB}`];

/**
 * glibc gives each thread that allocates (libuv's pool, V8's helpers) a malloc arena of its own
 * and keeps their freed memory; two arenas keep the native side of the server small.
 * package.json's "start" repeats it.
 */
export const SERVER_ENV = { MALLOC_ARENA_MAX: "2" };

export const SERVER_COMMAND = ["node", ...SERVER_NODE_ARGS, "--import", "tsx", "scripts/serve.ts"];

/**
 * Stops a server started with SERVER_COMMAND (or any child process) and resolves once it has
 * exited: SIGTERM first (it drains its requests and closes its database, scripts/serve.ts), then
 * SIGKILL if it is still running after `graceMs`. What the server used must outlive it (a test's
 * PostgreSQL cluster is stopped after this resolves), and nothing is left running.
 */
export async function stopGracefully(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(kill);
}
