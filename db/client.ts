import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import * as schema from "./schema";
import { config, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../server/config";

/** The connection itself; owns the raw client for pragmas and shutdown. */
export type AppDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** What domain functions take: the connection or a transaction on it. */
export type Db = BaseSQLiteDatabase<"sync", Database.RunResult, typeof schema>;

/** Opens (and migrates) a database file; tests open throwaway ones, the app opens config's. */
export function openDb(file: string, options: { migrate?: boolean } = {}): AppDb {
  if (file !== ":memory:") createPrivately(file);
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  const db = drizzle(sqlite, { schema }) as AppDb;
  if (options.migrate ?? true) migrate(db, { migrationsFolder: migrationsFolder() });
  return db;
}

/**
 * The database file is created 0600 before SQLite opens it, and SQLite gives its -wal and -shm
 * files the database file's mode; one made by an older version is tightened.
 */
function createPrivately(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(each)) chmodSync(each, PRIVATE_FILE_MODE);
  }
}

function migrationsFolder(): string {
  // Next.js bundles server code, so the module's own URL points into .next/; every entry point
  // (next start, scripts, vitest) runs from the project root.
  return path.resolve("db/migrations");
}

const globalForDb = globalThis as unknown as { admitDb?: AppDb };

/** The app's one connection, shared by route handlers, tRPC and server components. */
export function db(): AppDb {
  globalForDb.admitDb ??= openDb(config().databasePath);
  return globalForDb.admitDb;
}

/** Tests swap in their own database. */
export function setDb(instance: AppDb | undefined) {
  globalForDb.admitDb = instance;
}

/**
 * A separate read-only connection for long reads (CSV exports) that iterate lazily: a
 * better-sqlite3 connection can't run other statements while one of its cursors is open, and in
 * WAL mode a second connection reads a consistent snapshot without blocking writers.
 */
export function openReadOnlyClient(): Database.Database {
  const client = new Database(db().$client.name, { readonly: true, fileMustExist: true });
  client.pragma("busy_timeout = 5000");
  return client;
}
