import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createPostgresDatabase } from "@/db/admin";
import { execute, openDb, setDb, type AppDb } from "@/db/client";
import { dialect } from "@/db/dialect";
import { randomId } from "@/server/ids";

/**
 * Empty, migrated databases for tests, installed as the app's connection.
 * - SQLite: a new file (or an in-memory database) every time.
 * - PostgreSQL (scripts/test-postgres.ts runs the suite on a throwaway cluster): one database per
 *   test file, cloned from the migrated template the runner prepared, emptied on every call. Test
 *   files run in parallel, each on its own database; within a file, tests run one at a time.
 */
export async function emptyDatabase(sqliteFile?: string): Promise<AppDb> {
  if (dialect === "sqlite") {
    const db = openDb(sqliteFile ?? path.join(mkdtempSync(path.join(tmpdir(), "admit-test-")), "test.db"));
    setDb(db);
    return db;
  }
  fileDatabase ??= clonePostgresTemplate();
  const db = await fileDatabase;
  // A transaction a previous test left open (a download stream nobody finished reading) would
  // make TRUNCATE wait for ever: end those sessions first; the pools reconnect.
  await execute(
    db,
    sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
  );
  // DELETE, children first: a test leaves a few dozen rows, and deleting them is far cheaper than
  // TRUNCATE's new files per table (the privilege matrix empties the database thousands of times).
  for (const table of TABLES) await execute(db, sql.raw(`DELETE FROM ${table}`));
  setDb(db);
  return db;
}

let fileDatabase: Promise<AppDb> | undefined;

// Children before parents, so every DELETE satisfies the foreign keys.
const TABLES = ["audit_log", "audit_totals", "ticket_downloads", "checkins", "attendees", "orders", "ticket_types", "team_invitations", "event_members", "events", "refresh_tokens", "sessions", "email_links", "rate_limit_hits", "mail_queue", "users"];

async function clonePostgresTemplate(): Promise<AppDb> {
  const template = process.env.ADMIT_TEST_TEMPLATE;
  const server = process.env.DATABASE_URL;
  if (!template || !server) throw new Error("PostgreSQL tests run through scripts/test-postgres.ts (it sets DATABASE_URL and ADMIT_TEST_TEMPLATE)");
  const name = `test_${randomId(8).toLowerCase().replace(/[^a-z0-9]/g, "")}`;
  return openDb(await createPostgresDatabase(server, name, template), { poolSize: 5 });
}
