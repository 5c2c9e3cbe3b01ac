import { openReadOnlyClient, type AppDb } from "./client";

type BuiltQuery = { toSQL(): { sql: string; params: unknown[] } };

/**
 * A long read (a CSV export of 100,000 attendees) in batches of rows (each row its columns'
 * values in the select's order), with memory flat however many rows there are. On SQLite it
 * reads through a separate read-only connection: better-sqlite3 can't run other statements on a
 * connection while one of its cursors is open, and in WAL mode a second connection reads a
 * consistent snapshot without blocking writers. The connection opens on the first batch, so a
 * response nobody reads holds none; `return()` (or the end) closes it.
 */
export async function* queryBatches(db: AppDb, query: BuiltQuery, batchRows: number): AsyncGenerator<unknown[][]> {
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
