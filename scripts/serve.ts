import cluster from "node:cluster";
import { getHeapStatistics } from "node:v8";
import next from "next";
import { db, migrateDb } from "@/db/client";
import { config, ConfigError, type Config } from "@/server/config";
import { createAppServer } from "@/server/http/front-door";
import { drainAndStop } from "@/server/http/shutdown";
import { startMailWorker } from "@/server/mail-worker";
import { retentionPolicy, startMaintenance } from "@/server/maintenance";
import { dropFailedOutputWrites } from "./output-streams";
import { SERVER_HEAP_LIMIT_MB } from "./server-command";

/**
 * The production server: validates config, migrates, then serves Next.js behind the checks of
 * server/http/front-door.ts (requests Next.js would answer with a 500, oversized bodies, HSTS,
 * client-sent X-Forwarded-For unless TRUST_PROXY is set).
 *
 * With WEB_CONCURRENCY above 1 (default: one per core) the first process migrates, then forks that
 * many workers sharing the port (node:cluster); the database is all they share. Each worker runs
 * its own mail worker and maintenance rounds: both claim their rows in the database, so they can
 * run side by side (server/mail-worker.ts). SIGTERM or SIGINT stops them gracefully.
 */
function settingsOrExit(): Config {
  try {
    return config();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

function warnAboutHeapLimit() {
  const heapLimitMb = getHeapStatistics().heap_size_limit / 1024 / 1024;
  if (heapLimitMb > 2 * SERVER_HEAP_LIMIT_MB) {
    console.warn(`The heap limit is ${heapLimitMb.toFixed(0)} MiB: memory will grow far past what the server needs. Start it with node --max-old-space-size=${SERVER_HEAP_LIMIT_MB} (npm start does; see scripts/server-command.ts).`);
  }
}

async function serve(settings: Config, onReady: () => void) {
  const database = db();
  // Next.js builds absolute URLs (Auth.js redirects among them) from the port it is told.
  const app = next({ dev: false, dir: process.cwd(), port: settings.port });
  await app.prepare();
  const server = createAppServer(app.getRequestHandler(), settings);
  server.listen(settings.port, onReady);
  // Delivers the mail that requests queue (server/mail.ts), with retries, while the server runs.
  const mailWorker = startMailWorker(database);
  // Hourly: old download and check-in rows, dead sessions, used links, old mail, stale and superseded PDFs.
  const maintenance = startMaintenance(database, retentionPolicy(settings));
  // SIGTERM (or Ctrl-C): the health check answers 503, the requests and the mail delivery under
  // way finish (requests get up to SHUTDOWN_TIMEOUT_MS), then the database closes (SQLite
  // checkpoints its write-ahead log) and the process exits. A second signal exits at once, unless
  // this is a worker: Ctrl-C reaches it both from the terminal and from the primary.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (cluster.isPrimary) process.exit(1);
      return;
    }
    stopping = true;
    if (cluster.isPrimary) console.log(`${signal}: finishing the requests under way, then stopping`);
    void drainAndStop(server, [mailWorker, maintenance], { graceMs: settings.shutdownTimeoutMs })
      .then(() => database.$admit.close())
      .then(
        () => process.exit(0),
        (error) => {
          console.error("Stopping failed:", error);
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

async function primary(settings: Config) {
  warnAboutHeapLimit();
  await migrateDb(db());
  const url = `http://localhost:${settings.port}`;
  if (settings.webConcurrency === 1) {
    await serve(settings, () => console.log(`Admit listening on ${url}`));
    return;
  }
  // Workers open their own connections; the primary only supervises.
  await db().$admit.close();
  let stopping = false;
  let listening = 0;
  const fork = () =>
    cluster.fork().once("listening", () => {
      if (++listening === settings.webConcurrency) console.log(`Admit listening on ${url} (${settings.webConcurrency} workers)`);
    });
  for (let i = 0; i < settings.webConcurrency; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // A crashed worker is replaced, so one bad request can't shrink the pool for good.
    console.error(`Worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing the requests under way, then stopping`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

// Its logs' reader gone (its parent exited), the server must not spin on failed writes.
dropFailedOutputWrites();
const settings = settingsOrExit();
if (cluster.isPrimary) await primary(settings);
else await serve(settings, () => {});
