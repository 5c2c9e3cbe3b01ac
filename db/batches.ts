import "server-only";
import { openReadOnlyClient, type AppDb } from "./client";

type BuiltQuery = { toSQL(): { sql: string; params: unknown[] } };

/**
 * A long read (a CSV export of 100,000 attendees) in batches of rows (each row its columns'
 * values in the select's order), with memory flat however many rows there are. It reads one
 * consistent snapshot, without blocking writers, through a connection of its own that opens on
 * the first batch (a response nobody reads holds none) and closes at the end, on an error, or on
 * `return()` (a client that went away).
 * - SQLite: a separate read-only connection (better-sqlite3 can't run other statements on a
 *   connection while one of its cursors is open; in WAL mode a second connection reads a snapshot).
 * - PostgreSQL: a server-side cursor in a read-only REPEATABLE READ transaction on a pooled client.
 */
export function queryBatches(db: AppDb, query: BuiltQuery, batchRows: number): AsyncGenerator<unknown[][]> {
  return db.$admit.dialect === "postgres" ? postgresBatches(db, query, batchRows) : sqliteBatches(db, query, batchRows);
}

async function* sqliteBatches(db: AppDb, query: BuiltQuery, batchRows: number): AsyncGenerator<unknown[][]> {
  const { sql: text, params } = query.toSQL();
  const client = openReadOnlyClient(db);
  try {
    const cursor = client.prepare(text).raw(true).iterate(...params) as IterableIterator<unknown[]>;
    try {
      let batch: unknown[][] = [];
      for (const row of cursor) {
        batch.push(row);
        if (batch.length === batchRows) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    } finally {
      cursor.return?.();
    }
  } finally {
    client.close();
  }
}

async function* postgresBatches(db: AppDb, query: BuiltQuery, batchRows: number): AsyncGenerator<unknown[][]> {
  const { sql: text, params } = query.toSQL();
  const client = await db.$admit.pool!.connect();
  let failed = false;
  // A connection that dies while checked out reports here, not to the pool's handler.
  const onError = () => (failed = true);
  client.on("error", onError);
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // A reader that stalls for good (and is never cancelled) can't hold the connection for ever.
    await client.query("SET LOCAL idle_in_transaction_session_timeout = '10min'");
    await client.query({ text: `DECLARE batches NO SCROLL CURSOR FOR ${text}`, values: params });
    for (;;) {
      const { rows } = await client.query({ text: `FETCH ${Math.trunc(batchRows)} FROM batches`, rowMode: "array" });
      if (rows.length) yield rows as unknown[][];
      if (rows.length < batchRows) break;
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // Ending the transaction closes the cursor; a client whose connection broke is not reused.
    await client.query("ROLLBACK").catch(() => (failed = true));
    client.off("error", onError);
    client.release(failed);
  }
}
