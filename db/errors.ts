import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { IN_TRANSACTION, type Db } from "./client";
import { dialect } from "./dialect";

/**
 * Whether a write failed on a UNIQUE constraint of `table.column` (drizzle may wrap the driver's
 * error as its cause). SQLite names the column in its message; PostgreSQL names the constraint,
 * which drizzle-kit calls `table_column_unique`. Kept in db/ because the shape of constraint
 * errors is the dialect's.
 */
export function isUniqueViolation(error: unknown, column: string): boolean {
  const constraint = column.replace(".", "_") + "_unique";
  for (let e = error as { code?: unknown; message?: unknown; constraint?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "SQLITE_CONSTRAINT_UNIQUE" && typeof e.message === "string" && e.message.includes(column)) return true;
    if (e.code === "23505" && e.constraint === constraint) return true;
  }
  return false;
}

/**
 * Runs a write that may fail and be retried, inside a transaction, without losing the rest of
 * it: PostgreSQL aborts a whole transaction on a failed statement unless it ran under a
 * savepoint; SQLite undoes only the failed statement by itself.
 */
export async function underSavepoint<T>(tx: Db, write: (tx: Db) => Promise<T>): Promise<T> {
  if (dialect !== "postgres" || !("transaction" in tx)) return write(tx);
  return (tx as unknown as { transaction<R>(fn: (inner: Db) => Promise<R>): Promise<R> }).transaction((inner) => {
    Object.defineProperty(inner, IN_TRANSACTION, { value: true });
    return write(inner);
  });
}

/**
 * Whether a database error means "busy or away, try again soon" rather than a bug: the database
 * was locked by another connection for longer than the busy timeout (db/client.ts), or, on
 * PostgreSQL, a lock wait, serialization conflict, a server that is restarting or out of
 * connections, or a connection that broke or couldn't be made. The HTTP layers answer these 503
 * with Retry-After (server/http/respond.ts, server/trpc.ts), since the same request will succeed
 * once the lock is released or the server is back (the pool drops broken connections and opens
 * new ones); nothing is left half-done, as the statement or transaction that met it was rolled
 * back, by the server if the connection broke.
 */
export function isDatabaseBusy(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof message === "string" && PG_CONNECTION_LOST.some((text) => message.startsWith(text))) return true;
    if (typeof code !== "string") continue;
    // better-sqlite3: SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_TIMEOUT, SQLITE_LOCKED, …
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return true;
    // PostgreSQL SQLSTATEs: serialization failure, deadlock, lock not available, shutting down
    // (pg_terminate_backend, a restart), crash shutdown, starting up, too many connections, and
    // class 08, connection exceptions.
    if (["40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300"].includes(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    // The server unreachable (node-postgres passes on the socket's error): down, restarting, or
    // the connection cut under a query.
    if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"].includes(code)) return true;
  }
  return false;
}

/**
 * node-postgres's own errors, which carry no code: the server closed the connection under a
 * query (a restart, pg_terminate_backend), a pool that couldn't connect within its timeout, a
 * client whose connection broke earlier.
 */
const PG_CONNECTION_LOST = [
  "Connection terminated unexpectedly",
  "Connection terminated due to connection timeout",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
];

/** What a busy answer tells the client to wait before trying again, in seconds. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * What one HTTP request met: whether a statement of it found the database busy. The front door
 * (server/http/front-door.ts) watches each request so, and turns the 500 that Next.js renders for
 * a page whose data couldn't be read into the 503 with Retry-After that route handlers and tRPC
 * answer by themselves. One store for the whole process, through globalThis: Next.js bundles this
 * module apart from the server's copy.
 */
export type DatabaseWatch = { busy: boolean };
const WATCH = Symbol.for("admit.databaseWatch");
const watches = ((globalThis as Record<symbol, unknown>)[WATCH] ??= new AsyncLocalStorage<DatabaseWatch>()) as AsyncLocalStorage<DatabaseWatch>;

export function watchDatabase<T>(watch: DatabaseWatch, run: () => T): T {
  return watches.run(watch, run);
}

/** Called by db/client.ts with every error a statement or transaction throws; returns it. */
export function noteDatabaseError(error: unknown): unknown {
  if (isDatabaseBusy(error)) {
    const watch = watches.getStore();
    if (watch) watch.busy = true;
  }
  return error;
}
