import { createServer } from "node:http";
import next from "next";
import { db } from "@/db/client";
import { config, ConfigError } from "@/server/config";

/**
 * The production server: validates config, migrates, then serves Next.js. It exists so the
 * client address is trustworthy: unless TRUST_PROXY is set, a client-sent X-Forwarded-For is
 * dropped and Next.js fills it from the socket (sign-in rate limits key on it).
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
  db(); // opens and migrates
  // Next.js builds absolute URLs (Auth.js redirects among them) from the port it is told.
  const app = next({ dev: false, dir: process.cwd(), port: settings.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    if (!settings.trustProxy) {
      delete req.headers["x-forwarded-for"];
      delete req.headers["x-forwarded-host"];
      delete req.headers["x-forwarded-proto"];
    }
    void handle(req, res);
  });
  server.listen(settings.port, () => console.log(`Admit listening on http://localhost:${settings.port}`));
  const shutdown = () => server.close(() => process.exit(0));
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

void main();
