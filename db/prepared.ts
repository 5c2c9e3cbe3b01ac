import "server-only";
import type { Db } from "./client";

/** A query built once, run many times with different `sql.placeholder` values. */
export type PreparedQuery<R> = { execute(values?: Record<string, unknown>): Promise<R> };

type Preparable<R> = { prepare(): PreparedQuery<R> };

const statements = new WeakMap<Db, Map<string, unknown>>();

/**
 * A query built and prepared once per connection (or transaction) and reused: drizzle otherwise
 * rebuilds a query's SQL on every call, which shows on the hot paths (every request's session
 * check, every ticket download's access check). `build` returns the unprepared builder; `name`
 * is also the statement's name on PostgreSQL, which prepares named statements per connection.
 *
 * One of two layers, each saving a different cost. This one is drizzle's side (building the SQL
 * text and its row mapping) and, on PostgreSQL, the server's parse and plan; it serves only the
 * queries wrapped in it. db/client.ts's StatementCache is SQLite's side: drizzle's proxy driver
 * hands over SQL text only, so without it SQLite would compile every statement of every query,
 * wrapped here or not, on every run.
 *
 * A lookup by a unique key has no `.limit(1)`: drizzle sends the limit as a bound parameter, and
 * the SQLite that better-sqlite3 ships (3.53) compiles such a statement again each time that
 * parameter is bound, which is every run. Measured alone, the session lookup took 18 µs with
 * `limit ?` and 5 µs without.
 */
export function prepared<R>(db: Db, name: string, build: (db: Db) => Preparable<R>): PreparedQuery<R> {
  let byName = statements.get(db);
  if (!byName) statements.set(db, (byName = new Map()));
  let statement = byName.get(name) as PreparedQuery<R> | undefined;
  if (statement === undefined) {
    // SQLite's prepare() takes no name and ignores one; PostgreSQL's requires it.
    const builder = build(db) as unknown as { prepare(name: string): PreparedQuery<R> };
    byName.set(name, (statement = builder.prepare(name)));
  }
  return statement;
}
