import type { Server } from "node:http";

/**
 * Stops a server the way a rolling deploy or a scale-down needs: it stops accepting connections
 * at once, lets requests already in flight finish (idle keep-alive connections are closed, busy
 * ones close after their response), and after `timeoutMs` cuts whatever is still open. Resolves
 * when the last connection is gone.
 */
export function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    deadline.unref();
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
