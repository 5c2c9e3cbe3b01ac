import Database from "better-sqlite3";
import pg from "pg";
import { dialect } from "@/db/dialect";

/**
 * Runs `hook` just before each statement whose SQL matches `pattern` goes to the database, on
 * every connection of this process. Only for crash tests (server/testing/crash-child.ts), which
 * SIGKILL the process at a chosen statement, half-way through a transaction. It patches the
 * drivers' prototypes, so nothing in production may import it (server/test-boundary.test.ts).
 */
export function beforeStatements(pattern: RegExp, hook: (text: string) => void): void {
  if (dialect === "postgres") {
    // Pooled queries and transactions' queries all end in Client#query, with the SQL as a string
    // or as the `text` of a query config.
    const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: unknown } | undefined;
      const text = typeof first === "string" ? first : first?.text;
      if (typeof text === "string" && pattern.test(text)) hook(text);
      return query.apply(this, args);
    } as typeof pg.Client.prototype.query;
    return;
  }
  // Every statement drizzle runs on SQLite is prepared through here (db/client.ts caches the
  // prepared statement, wrappers included); the matching ones call the hook each time they run.
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, source: string) {
    const statement = prepare.call(this, source);
    if (!pattern.test(source)) return statement;
    for (const method of ["run", "get", "all"] as const) {
      const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        hook(source);
        return original(...args);
      };
    }
    return statement;
  } as typeof prepare;
}
