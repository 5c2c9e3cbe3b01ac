import fs from "node:fs/promises";
import { openDb } from "@/db/client";
import { ticketFileFor } from "./storage";

/**
 * Run by storage.test.ts in a child process: renders an order's tickets and kills itself with
 * SIGKILL at the worst moment, after the temp file is written and fsynced but before the rename
 * (what a power cut or OOM kill would do). Args: database file, order id, attendee ids as JSON.
 */
const [dbFile, orderIdentifier, attendeeIdsJson] = process.argv.slice(2);
const db = openDb(dbFile, { migrate: false });
fs.rename = (async () => {
  process.kill(process.pid, "SIGKILL");
}) as typeof fs.rename;
await ticketFileFor(db, orderIdentifier, JSON.parse(attendeeIdsJson) as string[]);
console.error("crash-render.fixture: the rename was reached but the process is still alive");
process.exit(1);
