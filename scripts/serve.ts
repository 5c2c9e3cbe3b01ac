import next from "next";
import { getHeapStatistics } from "node:v8";
import { db } from "@/db/client";
import { config, ConfigError } from "@/server/config";
import { createAppServer } from "@/server/http/front-door";
import { drainAndStop } from "@/server/http/shutdown";
import { startMailWorker } from "@/server/mail-worker";
import { DEFAULT_RETENTION, startMaintenance } from "@/server/maintenance";
import { SERVER_HEAP_LIMIT_MB } from "./server-command";

/**
 * The production server: validates config, migrates, then serves Next.js behind the checks of
 * server/http/front-door.ts (requests Next.js would answer with a 500, oversized bodies, HSTS,
 * client-sent X-Forwarded-For unless TRUST_PROXY is set).
 */
async function main() {
  let settings;
  try {
    settings = config();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const heapLimitMb = getHeapStatistics().heap_size_limit / 1024 / 1024;
  if (heapLimitMb > 2 * SERVER_HEAP_LIMIT_MB) {
    console.warn(`The heap limit is ${heapLimitMb.toFixed(0)} MiB: memory will grow far past what the server needs. Start it with node --max-old-space-size=${SERVER_HEAP_LIMIT_MB} (npm start does; see scripts/server-command.ts).`);
  }
  const database = db(); // opens and migrates
  // Next.js builds absolute URLs (Auth.js redirects among them) from the port it is told.
  const app = next({ dev: false, dir: process.cwd(), port: settings.port });
  await app.prepare();
  const server = createAppServer(app.getRequestHandler(), settings);
  server.listen(settings.port, () => console.log(`Admit listening on http://localhost:${settings.port}`));
  // Delivers the mail that requests queue (server/mail.ts), with retries, while the server runs.
  const mailWorker = startMailWorker(database);
  // Hourly: old download and check-in rows, dead sessions, used links, old mail, stale PDFs.
  const maintenance = startMaintenance(database, { ...DEFAULT_RETENTION, auditDaysAfterEvent: settings.retentionDays });
  // SIGTERM (or Ctrl-C): finish the requests and the mail delivery under way, then close the
  // database (checkpointing its write-ahead log) and exit. A second signal exits at once.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`${signal}: finishing the requests under way, then stopping`);
    void drainAndStop(server, [mailWorker, maintenance])
      .then(() => database.$client.close())
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

void main();
