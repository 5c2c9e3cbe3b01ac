import "server-only";
import { sql } from "drizzle-orm";
import { execute, type Db } from "./client";
import { dialect } from "./dialect";

/**
 * Serializes transactions that decide on the same keys (rate-limit counters): each waits for the
 * others holding any of `keys` until they commit, so a count read after this is still true when
 * the transaction writes. On SQLite every transaction() already holds the database's single
 * write lock (BEGIN IMMEDIATE), so there is nothing more to take; on PostgreSQL these are
 * transaction-scoped advisory locks, taken in one order so two transactions can't deadlock.
 */
export async function lockKeys(tx: Db, keys: readonly string[]): Promise<void> {
  if (dialect !== "postgres") return;
  for (const key of [...new Set(keys)].sort()) {
    await execute(tx, sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
  }
}

/**
 * The rows a select returns, locked until the transaction ends (SELECT … FOR UPDATE): a
 * concurrent transaction locking any of them waits, then sees what this one committed. SQLite
 * has no row locks and needs none: transaction() holds its single write lock from the start.
 */
export function forUpdate<T>(query: T): T {
  return dialect === "postgres" ? (query as unknown as { for(strength: "update"): T }).for("update") : query;
}
