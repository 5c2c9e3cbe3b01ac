import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { createPostgresDatabase } from "../db/admin";
import { postgresBinaries, startCluster, type Cluster } from "../scripts/postgres-cluster";
import { SERVER_ENV, SERVER_NODE_ARGS, stopGracefully } from "../scripts/server-command";

/**
 * Two instances of the production server on one PostgreSQL database, as behind a load balancer:
 * the database is all they share (sessions, refresh tokens, rate limits), so what one instance
 * does to a session the other knows at once. Each instance has its own data folder (its PDF
 * cache) and the same AUTH_SECRET.
 */
test.describe.configure({ mode: "serial" });
test.skip(!postgresBinaries(), "PostgreSQL is not installed here (Debian: apt-get install postgresql)");

const AUTH_SECRET = "instances-secret-0123456789-0123456789-0123";
const EMAIL = "instances@e2e.test";
const PASSWORD = "instances-password-1";

let cluster: Cluster | undefined;
let dataRoot: string | undefined;
const servers: ChildProcess[] = [];
let a = "";
let b = "";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(origin: string, child: ChildProcess) {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the server on ${origin} exited with ${child.exitCode}`);
    const ok = await fetch(`${origin}/api/health`).then((r) => r.status === 200).catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server on ${origin} did not become healthy`);
}

/**
 * `node --import tsx scripts/serve.ts`, as npm start runs it: the child is the server itself. Through
 * `npx tsx`, SIGTERM stopped npx and left tsx and the server running as orphans after the cluster
 * was gone.
 */
function startServer(env: NodeJS.ProcessEnv): ChildProcess {
  const server = spawn(process.execPath, [...SERVER_NODE_ARGS, "--import", "tsx", "scripts/serve.ts"], { env, stdio: "inherit" });
  servers.push(server);
  return server;
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  cluster = await startCluster({ maxConnections: 100 });
  const databaseUrl = await createPostgresDatabase(cluster.url("postgres"), "admit");
  dataRoot = mkdtempSync(path.join(tmpdir(), "admit-instances-"));
  const env = (port: number, name: string) => ({
    ...process.env,
    ...SERVER_ENV,
    NODE_ENV: "production" as const,
    PORT: String(port),
    APP_URL: `http://localhost:${port}`,
    DATABASE_URL: databaseUrl,
    AUTH_SECRET,
    DATA_DIR: path.join(dataRoot!, name),
    WEB_CONCURRENCY: "1",
    NEXT_TELEMETRY_DISABLED: "1",
  });
  const [portA, portB] = [await freePort(), await freePort()];
  // The first instance migrates as it starts; the account is made once the schema is there.
  const first = startServer(env(portA, "a"));
  a = `http://localhost:${portA}`;
  await waitForHealth(a, first);
  const second = startServer(env(portB, "b"));
  b = `http://localhost:${portB}`;
  const created = spawnSync(process.execPath, ["--import", "tsx", "scripts/user-create.ts", "--email", EMAIL, "--password", PASSWORD], { env: env(portA, "a"), encoding: "utf8" });
  if (created.status !== 0) throw new Error(`user:create failed: ${created.stderr}`);
  await waitForHealth(b, second);
});

// Runs after a failed test or a failed beforeAll too. The servers exit before the cluster stops,
// so none is left running without its database.
test.afterAll(async () => {
  try {
    await Promise.all(servers.map((server) => stopGracefully(server)));
  } finally {
    cluster?.stop();
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  }
});

async function issue(request: APIRequestContext, origin: string) {
  const response = await request.post(`${origin}/api/v1/auth/token`, { data: { email: EMAIL, password: PASSWORD, device: "instances e2e" } });
  expect(response.status()).toBe(200);
  return (await response.json()) as { token: string; refreshToken: string };
}

const me = (request: APIRequestContext, origin: string, token: string) => request.get(`${origin}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
const refresh = (request: APIRequestContext, origin: string, refreshToken: string) => request.post(`${origin}/api/v1/auth/refresh`, { data: { refreshToken } });

test("a token issued by one instance works on the other", async ({ request }) => {
  const { token } = await issue(request, a);
  const response = await me(request, b, token);
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ email: EMAIL });
});

test("a logout on one instance is refused by the other at once", async ({ request }) => {
  const { token, refreshToken } = await issue(request, a);
  expect((await me(request, b, token)).status()).toBe(200);
  expect((await request.post(`${a}/api/v1/auth/logout`, { headers: { authorization: `Bearer ${token}` } })).status()).toBe(204);
  expect((await me(request, b, token)).status()).toBe(401);
  expect((await refresh(request, b, refreshToken)).status()).toBe(401);
});

test("a refresh token rotated on one instance is refused on the other, and its reuse revokes the session", async ({ request }) => {
  const issued = await issue(request, a);
  // Rotated on B, then the new one rotated on A: the first token is now two exchanges old.
  const first = await refresh(request, b, issued.refreshToken);
  expect(first.status()).toBe(200);
  const second = await refresh(request, a, ((await first.json()) as { refreshToken: string }).refreshToken);
  expect(second.status()).toBe(200);
  const latest = (await second.json()) as { token: string };
  expect((await me(request, b, latest.token)).status()).toBe(200);

  const replayed = await refresh(request, b, issued.refreshToken);
  expect(replayed.status()).toBe(401);
  // Reuse means the token leaked: the whole session is dead, on both instances.
  expect((await me(request, a, latest.token)).status()).toBe(401);
  expect((await me(request, b, latest.token)).status()).toBe(401);
});
