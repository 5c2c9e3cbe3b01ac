import { parseArgs } from "node:util";
import path from "node:path";
import { describeCounts, restoreDatabase } from "@/db/backup";
import { openDb } from "@/db/client";
import { config } from "@/server/config";

/**
 * `npm run db:restore -- --from FILE`, with the server stopped: puts a backup made by
 * `npm run db:backup` in place of the database at DATABASE_URL (the one there is kept as
 * `<file>.before-restore`), then migrates it, so a backup from an older version opens in this one.
 */
const usage = "Usage: npm run db:restore -- --from FILE   (stop the server first)";

function main() {
  const { values } = parseArgs({ options: { from: { type: "string" } }, strict: true });
  if (!values.from) {
    console.error(`--from: say which backup to restore\n${usage}`);
    process.exit(2);
  }
  const target = config().databasePath;
  const summary = restoreDatabase(path.resolve(values.from), target);
  openDb(target).$client.close(); // migrates
  console.log(`Restored ${path.resolve(values.from)} to ${target} (${describeCounts(summary.tables)}). Start the server again.`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
