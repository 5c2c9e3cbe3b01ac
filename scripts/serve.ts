import next from "next";
import { db } from "@/db/client";
import { config, ConfigError } from "@/server/config";
import { createAppServer } from "@/server/http/front-door";
import { startMailWorker } from "@/server/mail-worker";

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
  const database = db(); // opens and migrates
  // Next.js builds absolute URLs (Auth.js redirects among them) from the port it is told.
  const app = next({ dev: false, dir: process.cwd(), port: settings.port });
  await app.prepare();
  const server = createAppServer(app.getRequestHandler(), settings);
  server.listen(settings.port, () => console.log(`Admit listening on http://localhost:${settings.port}`));
  // Delivers the mail that requests queue (server/mail.ts), with retries, while the server runs.
  const mailWorker = startMailWorker(database);
  const shutdown = () => server.close(() => void mailWorker.stop().then(() => process.exit(0)));
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

void main();
