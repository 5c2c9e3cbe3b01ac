import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { postgresBinaries, startCluster } from "./postgres-cluster";
import { stopGracefully } from "./server-command";

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

/**
 * Runs a node script to its end, as a child of this process (no npx in between: a signal to npx
 * stops npx and leaves what it started running). A signal to this process goes to it too, and the
 * cluster is stopped once it has exited.
 */
let running: ChildProcess | undefined;
function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    running = spawn(process.execPath, args, { stdio: "inherit", env });
    running.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const cluster = await startCluster();
const stop = () => cluster.stop();
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.on(signal, () => {
    void (running ? stopGracefully(running) : Promise.resolve()).finally(() => {
      stop();
      process.exit(code);
    });
  });
}
let status: number;
try {
  const server = cluster.url("postgres");
  const template = "admit_template";
  // The template is migrated in a child process: the dialect is fixed per process by DATABASE_URL.
  const prepare = `
    const { createPostgresDatabase } = await import("@/db/admin");
    const { openDb, migrateDb } = await import("@/db/client");
    const db = openDb(await createPostgresDatabase(${JSON.stringify(server)}, "${template}"));
    await migrateDb(db);
    await db.$admit.close();
  `;
  const env = { ...process.env, DATABASE_URL: server, ADMIT_TEST_TEMPLATE: template };
  if ((await runNode(["--import", "tsx", "--input-type=module", "-e", prepare], env)) !== 0) throw new Error("migrating the template database failed");
  console.log(`\nvitest on PostgreSQL (${server})\n`);
  status = await runNode([path.resolve("node_modules/vitest/vitest.mjs"), "run", ...process.argv.slice(2)], env);
} finally {
  stop();
}
process.exit(status);
