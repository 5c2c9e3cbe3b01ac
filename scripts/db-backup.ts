import { parseArgs } from "node:util";
import path from "node:path";
import { backupDatabase, describeCounts, describeLocation } from "@/db/backup";
import { config } from "@/server/config";

/**
 * `npm run db:backup -- --to FILE`: a consistent copy of the database, taken while the server
 * runs (db/backup.ts): SQLite's backup API, or pg_dump's custom format on PostgreSQL. Restoring
 * it: `npm run db:restore -- --from FILE` with the server stopped (README, "Backups").
 */
const usage = "Usage: npm run db:backup -- --to FILE";

async function main() {
  const { values } = parseArgs({ options: { to: { type: "string" } }, strict: true });
  if (!values.to) {
    console.error(`--to: say where to write the backup\n${usage}`);
    process.exit(2);
  }
  const summary = await backupDatabase(config().database, path.resolve(values.to));
  console.log(`Backed up ${describeLocation(config().database)} to ${summary.file} (${(summary.bytes / 1024).toFixed(0)} KiB; ${describeCounts(summary.tables)})`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
