import Database from "better-sqlite3";
import { chmodSync, closeSync, copyFileSync, existsSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { PRIVATE_FILE_MODE } from "../server/config";

/**
 * Backups of the SQLite database (PostgreSQL has pg_dump for this). Online: SQLite's backup API
 * copies a consistent snapshot through a connection of its own while the server goes on reading
 * and writing (WAL mode lets the copy read while others write).
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

function summarize(file: string): BackupSummary {
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

/**
 * Copies the database at `source` to `target` (a new file, readable by its owner only), checks
 * the copy's integrity and returns what it holds. Written to a temporary name and renamed, so
 * `target` is either absent or a complete backup.
 */
export async function backupDatabase(source: string, target: string): Promise<BackupSummary> {
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file name`);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  closeSync(openSync(temporary, "w", PRIVATE_FILE_MODE));
  const live = new Database(source, { fileMustExist: true });
  try {
    live.pragma("busy_timeout = 5000");
    // Everything in one step: a copy made in slices starts over whenever a writer commits in between.
    await live.backup(temporary, { progress: () => 0x7fffffff });
    chmodSync(temporary, PRIVATE_FILE_MODE);
    const summary = summarize(temporary);
    renameSync(temporary, target);
    return { ...summary, file: target };
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    live.close();
  }
}

/**
 * Puts a backup in place of the database at `target`, with the server stopped: checks the backup
 * first, then replaces the file in one rename. An existing database is kept beside it as
 * `<target>.before-restore` (with its write-ahead log as `<target>.before-restore-wal`).
 */
export function restoreDatabase(backup: string, target: string): BackupSummary {
  const summary = summarize(backup);
  const incoming = `${target}.restoring`;
  copyFileSync(backup, incoming);
  chmodSync(incoming, PRIVATE_FILE_MODE);
  // The replaced database keeps its write-ahead log beside it: committed data may still be there.
  if (existsSync(target)) renameSync(target, `${target}.before-restore`);
  if (existsSync(`${target}-wal`)) renameSync(`${target}-wal`, `${target}.before-restore-wal`);
  rmSync(`${target}-shm`, { force: true });
  renameSync(incoming, target);
  return { ...summary, file: target };
}
