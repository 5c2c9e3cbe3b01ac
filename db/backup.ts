import "server-only";
import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import pg from "pg";
import { execFile } from "node:child_process";
import { chmodSync, closeSync, copyFileSync, existsSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { postgresBinaries } from "../scripts/postgres-cluster";
import { PRIVATE_FILE_MODE } from "../server/config";
import { BUSY_TIMEOUT_MS, execute, openReadOnlyClient, type AppDb } from "./client";
import { dialectOf } from "./dialect";

/**
 * Backups while the server runs, and restores, of either dialect's database:
 * - SQLite: the backup API copies a consistent snapshot through a connection of its own while the
 *   server goes on reading and writing (WAL mode lets the copy read while others write); a restore
 *   puts the file in place of the database's.
 * - PostgreSQL: `pg_dump` in its custom format, from one snapshot (a dump is one transaction); a
 *   restore is `pg_restore` into the DATABASE_URL database, in one transaction.
 * `location` is the database as config().database gives it: a SQLite file or a PostgreSQL URL.
 */

export type BackupSummary = { file: string; bytes: number; tables: Record<string, number> };

/** The tables whose row counts a backup and a restore report, so a person can check them. */
const COUNTED = ["users", "sessions", "events", "orders", "attendees", "mail_queue"];

/** "12 users, 40 sessions, …" */
export function describeCounts(tables: Record<string, number>): string {
  return Object.entries(tables)
    .map(([table, rows]) => `${rows} ${table}`)
    .join(", ");
}

/** The database for a message: a PostgreSQL URL without its password. */
export function describeLocation(location: string): string {
  if (dialectOf(location) !== "postgres") return location;
  const url = new URL(location);
  url.password = "";
  return url.toString();
}

/**
 * Whether an open database is sound: SQLite's integrity check, through a read-only connection of
 * its own; on PostgreSQL, the server keeps its files consistent (its write-ahead log), so a
 * database that answers is "ok".
 */
export async function checkIntegrity(db: AppDb): Promise<string> {
  if (db.$admit.dialect === "postgres") {
    await execute(db, sql`select 1`);
    return "ok";
  }
  const client = openReadOnlyClient(db);
  try {
    return String(client.pragma("integrity_check", { simple: true }));
  } finally {
    client.close();
  }
}

/**
 * Copies the database at `location` to `target` (a new file, readable by its owner only), checks
 * the copy and returns what it holds. Written to a temporary name and renamed, so `target` is
 * either absent or a complete backup.
 */
export async function backupDatabase(location: string, target: string): Promise<BackupSummary> {
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file name`);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  closeSync(openSync(temporary, "w", PRIVATE_FILE_MODE));
  try {
    const tables = dialectOf(location) === "postgres" ? await dumpPostgres(location, temporary) : await copySqlite(location, temporary);
    chmodSync(temporary, PRIVATE_FILE_MODE);
    renameSync(temporary, target);
    return { file: target, bytes: statSync(target).size, tables };
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Puts a backup in place of the database at `location`, with the server stopped, after checking
 * the backup. SQLite: the file is replaced in one rename, the database there before kept beside it
 * as `<file>.before-restore` (with its write-ahead log as `<file>.before-restore-wal`).
 * PostgreSQL: the backup's tables replace the database's in one transaction (a failed restore
 * changes nothing). Migrating it afterwards is the caller's (scripts/db-restore.ts).
 */
export async function restoreDatabase(backup: string, location: string): Promise<BackupSummary> {
  if (dialectOf(location) === "postgres") {
    await listPostgresDump(backup);
    await pgProgram("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", backup], location);
    return { file: location, bytes: statSync(backup).size, tables: await countPostgres(location) };
  }
  const summary = summarizeSqlite(backup);
  const incoming = `${location}.restoring`;
  copyFileSync(backup, incoming);
  chmodSync(incoming, PRIVATE_FILE_MODE);
  // The replaced database keeps its write-ahead log beside it: committed data may still be there.
  if (existsSync(location)) renameSync(location, `${location}.before-restore`);
  if (existsSync(`${location}-wal`)) renameSync(`${location}-wal`, `${location}.before-restore-wal`);
  rmSync(`${location}-shm`, { force: true });
  renameSync(incoming, location);
  return { ...summary, file: location };
}

// SQLite

async function copySqlite(source: string, temporary: string): Promise<Record<string, number>> {
  const live = new Database(source, { fileMustExist: true });
  try {
    live.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Everything in one step: a copy made in slices starts over whenever a writer commits in between.
    await live.backup(temporary, { progress: () => 0x7fffffff });
  } finally {
    live.close();
  }
  return summarizeSqlite(temporary).tables;
}

function summarizeSqlite(file: string): BackupSummary {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const check = copy.pragma("integrity_check", { simple: true });
    if (check !== "ok") throw new Error(`${file} is damaged: ${String(check)}`);
    const present = new Set((copy.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((t) => t.name));
    const tables = Object.fromEntries(COUNTED.filter((t) => present.has(t)).map((t) => [t, (copy.prepare(`select count(*) as n from "${t}"`).get() as { n: number }).n]));
    return { file, bytes: statSync(file).size, tables };
  } finally {
    copy.close();
  }
}

// PostgreSQL

const run = promisify(execFile);

/**
 * Runs pg_dump or pg_restore (the newest installed, like scripts/postgres-cluster.ts finds them)
 * against the database at `url`. The password goes in the environment, not on the command line,
 * where other users of the machine could read it.
 */
async function pgProgram(program: "pg_dump" | "pg_restore", args: string[], url?: string): Promise<string> {
  const bin = postgresBinaries(program);
  if (!bin) throw new Error(`${program} is not installed (Debian: apt-get install postgresql-client)`);
  const env = { ...process.env };
  const connection: string[] = [];
  if (url) {
    const parsed = new URL(url);
    if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
    parsed.password = "";
    connection.push(`--dbname=${parsed.toString()}`);
  }
  try {
    const { stdout } = await run(path.join(bin, program), [...connection, ...args], { env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${program} failed: ${stderr?.trim() || (error as Error).message}`, { cause: error });
  }
}

/**
 * Dumps the database into `file` from one snapshot, and counts the rows of that same snapshot:
 * the counts describe exactly what the dump holds, whatever is written meanwhile.
 */
async function dumpPostgres(url: string, file: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows } = await client.query<{ snapshot: string }>("SELECT pg_export_snapshot() AS snapshot");
    const tables = await countTables(client);
    // The snapshot stays valid while this transaction is open: pg_dump reads from it.
    await pgProgram("pg_dump", ["--format=custom", `--snapshot=${rows[0].snapshot}`, `--file=${file}`], url);
    await client.query("COMMIT");
    await listPostgresDump(file);
    return tables;
  } finally {
    await client.end();
  }
}

/** Reads a dump's table of contents: a file that isn't a whole custom-format dump is refused. */
async function listPostgresDump(file: string): Promise<void> {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  try {
    await pgProgram("pg_restore", ["--list", file]);
  } catch (error) {
    throw new Error(`${file} is not a backup made by npm run db:backup (${(error as Error).message})`, { cause: error });
  }
}

async function countPostgres(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await countTables(client);
  } finally {
    await client.end();
  }
}

async function countTables(client: pg.Client): Promise<Record<string, number>> {
  const tables: Record<string, number> = {};
  for (const table of COUNTED) {
    const { rows } = await client.query<{ present: string | null }>("SELECT to_regclass($1) AS present", [`public.${table}`]);
    if (!rows[0].present) continue;
    const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
    tables[table] = Number(counted.rows[0].n);
  }
  return tables;
}
