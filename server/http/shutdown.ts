import "server-only";
import type { Server } from "node:http";

/**
 * A clean stop on SIGTERM (scripts/serve.ts): the health check starts answering 503 so a load
 * balancer stops sending traffic, the server takes no new connections and lets the requests under
 * way finish (closing idle keep-alive connections at once, and any still open after `graceMs`),
 * then the background work (the mail worker's delivery under way, a maintenance round) finishes.
 */

export type Stoppable = { stop(): Promise<void> };

// Shared through globalThis: the health route runs in Next.js's bundle, this in the server's.
const SHUTTING_DOWN = Symbol.for("admit.shuttingDown");
type WithFlag = { [SHUTTING_DOWN]?: boolean };

export function isShuttingDown(): boolean {
  return (globalThis as WithFlag)[SHUTTING_DOWN] === true;
}

export async function drainAndStop(server: Server, background: Stoppable[], { graceMs = 25_000 } = {}): Promise<void> {
  (globalThis as WithFlag)[SHUTTING_DOWN] = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Keep-alive connections that go idle after their last response are closed as they do.
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(deadline);
  }
  await Promise.all(background.map((task) => task.stop()));
}
