import cluster from "node:cluster";
import next from "next";
import { db, migrateDb } from "@/db/client";
import { config, ConfigError, type Config } from "@/server/config";
import { createAppServer } from "@/server/http/front-door";
import { closeGracefully } from "@/server/http/graceful";

/**
 * The production server: validates config, migrates, then serves Next.js behind the checks of
 * server/http/front-door.ts (requests Next.js would answer with a 500, oversized bodies, HSTS,
 * client-sent X-Forwarded-For unless TRUST_PROXY is set).
 *
 * With WEB_CONCURRENCY above 1 (default: one per core) the first process migrates, then forks that
 * many workers sharing the port (node:cluster); the database is all they share. SIGTERM or SIGINT
 * stops them gracefully: no new connections, requests in flight finish (up to SHUTDOWN_TIMEOUT_MS).
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

async function serve(settings: Config, onReady: () => void) {
  // Next.js builds absolute URLs (Auth.js redirects among them) from the port it is told.
  const app = next({ dev: false, dir: process.cwd(), port: settings.port });
  await app.prepare();
  const server = createAppServer(app.getRequestHandler(), settings);
  server.listen(settings.port, onReady);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await closeGracefully(server, settings.shutdownTimeoutMs);
    await db().$admit.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

async function primary(settings: Config) {
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
  const fork = () => cluster.fork().once("listening", () => {
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
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal === "SIGINT" ? "SIGTERM" : signal);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

const settings = settingsOrExit();
if (cluster.isPrimary) await primary(settings);
else await serve(settings, () => {});
