import { spawnSync } from "node:child_process";
import { postgresBinaries, startCluster } from "./postgres-cluster";

/**
 * `npm run test:unit:pg`: the vitest suite again, on PostgreSQL. Starts a throwaway cluster,
 * migrates a template database that each test file clones (server/testing/databases.ts), runs
 * vitest with DATABASE_URL pointing at the cluster, then stops and deletes the cluster. Without
 * PostgreSQL installed it says so and exits 0 (SQLite already ran), unless CI demands both.
 */
if (!postgresBinaries()) {
  const message = "PostgreSQL is not installed here (Debian: apt-get install postgresql): only the SQLite suite ran.";
  if (process.env.CI) {
    console.error(`${message} CI runs both dialects.`);
    process.exit(1);
  }
  console.warn(`\n*** ${message} ***\n`);
  process.exit(0);
}

const cluster = await startCluster();
const stop = () => cluster.stop();
process.on("SIGINT", () => (stop(), process.exit(130)));
process.on("SIGTERM", () => (stop(), process.exit(143)));
let status = 1;
try {
  const server = cluster.url("postgres");
  const template = "admit_template";
  // The template is migrated in a child process: the dialect is fixed per process by DATABASE_URL.
  const prepare = `
    import pg from "pg";
    const admin = new pg.Client(${JSON.stringify(server)});
    await admin.connect();
    await admin.query("CREATE DATABASE ${template}");
    await admin.end();
    const { openDb, migrateDb } = await import("@/db/client");
    const db = openDb(${JSON.stringify(cluster.url(template))});
    await migrateDb(db);
    await db.$admit.close();
  `;
  const env = { ...process.env, DATABASE_URL: server, ADMIT_TEST_TEMPLATE: template };
  const migrated = spawnSync("npx", ["tsx", "--input-type=module", "-e", prepare], { stdio: "inherit", env });
  if (migrated.status !== 0) throw new Error("migrating the template database failed");
  console.log(`\nvitest on PostgreSQL (${server})\n`);
  const run = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], { stdio: "inherit", env: { ...env, DATABASE_URL: env.DATABASE_URL } });
  status = run.status ?? 1;
} finally {
  stop();
}
process.exit(status);
