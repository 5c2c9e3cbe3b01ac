import { spawnSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadConfig, readOrCreateSecret } from "@/server/config";
import { SERVER_COMMAND, SERVER_ENV } from "./server-command";

/** `npm run demo`: migrate, seed the demo data, build if the sources changed, serve on :3000. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function newestSourceChange(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of ["app", "server", "db", "public"]) if (existsSync(dir)) walk(dir);
  for (const file of ["next.config.js", "package-lock.json"]) if (existsSync(file)) newest = Math.max(newest, statSync(file).mtimeMs);
  return newest;
}

const settings = loadConfig({ ...process.env, NODE_ENV: "development" });
const authSecret = process.env.AUTH_SECRET ?? readOrCreateSecret(path.join(settings.dataDir, "auth-secret"));

run("npx", ["tsx", "db/seed.ts"]);
const buildId = ".next/BUILD_ID";
if (!existsSync(buildId) || statSync(buildId).mtimeMs < newestSourceChange()) {
  console.log("Building the app (first run or sources changed)…");
  run("npx", ["next", "build"], { ...process.env, NEXT_TELEMETRY_DISABLED: "1" });
}
console.log(`\nDemo accounts (password demo-password): organizer@demo.test, registrar@demo.test, staff@demo.test, alice@demo.test, bob@demo.test, carol@demo.test\n`);
const server = spawn(SERVER_COMMAND[0], SERVER_COMMAND.slice(1), {
  stdio: "inherit",
  env: {
    ...process.env,
    ...SERVER_ENV,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    AUTH_SECRET: authSecret,
    // Plain http, opened at localhost or 127.0.0.1: without an APP_URL of the operator's, the
    // demo takes the origin each request came to as its own (originFromRequest in server/config.ts).
    DEMO: "1",
  },
});
server.on("exit", (code) => process.exit(code ?? 0));
