import type { Db } from "./client";

/**
 * Serializes transactions that decide on the same keys (rate-limit counters): each waits for the
 * others holding any of `keys` until they commit, so a count read after this is still true when
 * the transaction writes. On SQLite every transaction() already holds the database's single
 * write lock (BEGIN IMMEDIATE), so there is nothing more to take.
 */
export async function lockKeys(_tx: Db, _keys: readonly string[]): Promise<void> {}
