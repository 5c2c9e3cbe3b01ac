/**
 * A server whose stdout or stderr has no reader any more (the process that started it exited, a
 * log collector went away) gets EPIPE on every write to it. Node reports a failed write to these
 * streams as an 'error' event, thrown when no one listens for it; Next.js catches uncaught
 * exceptions and logs them with console.error (node_modules/next/dist/server/
 * node-environment-extensions/process-error-handlers.js), which writes to the same stream, fails
 * the same way, and so on: one log line was enough to keep an orphaned server writing
 * "Error: write EPIPE" to nowhere at 60% of a core for as long as it ran.
 *
 * With a listener, a failed write is dropped instead: there is nowhere left to report it, and the
 * server goes on serving (its logs are lost, as they would be anyway).
 */
export function dropFailedOutputWrites(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
}
