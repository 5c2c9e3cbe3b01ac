import { defineConfig } from "@playwright/test";
import { SERVER_COMMAND, SERVER_ENV } from "./scripts/server-command";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const DATA_DIR = ".e2e-data";

// End-to-end tests run against the production build (`next build` runs first in test:e2e),
// served by our own server on a throwaway database, in the system Chromium.
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    // Every run starts from an empty database and outbox, wiped here rather than in a globalSetup:
    // Playwright starts the webServer *before* globalSetup, so a globalSetup that deletes the
    // folder pulls the database out from under the running server (which keeps the unlinked
    // file while tests that seed it open a new, empty one).
    command: `rm -rf .e2e-data && ${SERVER_COMMAND.join(" ")}`,
    url: `http://localhost:${PORT}/`,
    timeout: 120_000,
    reuseExistingServer: false,
    env: {
      ...SERVER_ENV,
      NODE_ENV: "production",
      PORT: String(PORT),
      DATA_DIR,
      DATABASE_URL: `file:${DATA_DIR}/admit.db`,
      AUTH_SECRET: "e2e-secret-0123456789-0123456789-0123456789",
      APP_URL: `http://localhost:${PORT}`,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
