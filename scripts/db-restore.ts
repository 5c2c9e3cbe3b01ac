import { parseArgs } from "node:util";
import path from "node:path";
import { describeCounts, describeLocation, restoreDatabase } from "@/db/backup";
import { migrateDb, openDb } from "@/db/client";
import { config } from "@/server/config";

/**
 * `npm run db:restore -- --from FILE`, with the server stopped: puts a backup made by
 * `npm run db:backup` in place of the database at DATABASE_URL (db/backup.ts; a SQLite database
 * there is kept as `<file>.before-restore`, a PostgreSQL one is replaced in one transaction),
 * then migrates it, so a backup from an older version opens in this one.
 */
const usage = "Usage: npm run db:restore -- --from FILE   (stop the server first)";

async function main() {
  const { values } = parseArgs({ options: { from: { type: "string" } }, strict: true });
  if (!values.from) {
    console.error(`--from: say which backup to restore\n${usage}`);
    process.exit(2);
  }
  const target = config().database;
  const summary = await restoreDatabase(path.resolve(values.from), target);
  const db = openDb(target);
  try {
    await migrateDb(db);
  } finally {
    await db.$admit.close();
  }
  console.log(`Restored ${path.resolve(values.from)} to ${describeLocation(target)} (${describeCounts(summary.tables)}). Start the server again.`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
