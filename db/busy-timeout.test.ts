import { describe, expect, it } from "vitest";
import { freshDb } from "@/server/testing/support";
import { migrateDb, openDb } from "./client";
import { dialect } from "./dialect";

// The busy timeout of requests is tested through HTTP in server/http/database-busy.test.ts.
// SQLite migrates when a file is opened, one connection at a time, so there is nothing to wait for.
describe.skipIf(dialect !== "postgres")("PostgreSQL's lock_timeout (db/client.ts BUSY_TIMEOUT_MS)", () => {
  it("doesn't cut short an instance that waits at start for another one's migration", { timeout: 30_000 }, async () => {
    const db = await freshDb();
    const starting = openDb(db.$admit.location, { busyTimeoutMs: 50, poolSize: 2 });
    // Another instance migrating: it holds the migration lock of db/client.ts.
    const migrating = await db.$admit.pool!.connect();
    try {
      await migrating.query("SELECT pg_advisory_lock(727411)");
      const migrated = migrateDb(starting).then(() => "migrated", (error: Error) => error.message);
      // Well past the 50 ms a request would wait: until the migration lock is its only wait.
      for (;;) {
        const { rows } = await db.$admit.pool!.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = 727411",
        );
        if (rows[0].n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      await migrating.query("SELECT pg_advisory_unlock(727411)");
      expect(await migrated).toBe("migrated");
      // And its connections are back to the short timeout for requests.
      const { rows } = await starting.$admit.pool!.query<{ lock_timeout: string }>("SHOW lock_timeout");
      expect(rows[0].lock_timeout).toBe("50ms");
    } finally {
      migrating.release();
      await starting.$admit.close();
    }
  });
});
