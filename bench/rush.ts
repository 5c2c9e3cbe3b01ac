import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { createPostgresDatabase } from "../db/admin";
import { postgresBinaries, startCluster, type Cluster } from "../scripts/postgres-cluster";
import { stopGracefully } from "../scripts/server-command";

/**
 * The on-sale rush: BUYERS signed-in buyers hammer one event's orders.place over HTTP (tRPC, as
 * the checkout page sends it), one ticket per order, each placing orders back to back until the
 * event is sold out. On SQLite and PostgreSQL, with 1 and 2 worker processes. Reports orders per
 * second, latency p50/p99 of the orders placed, and what the database holds afterwards:
 * oversold must be 0 and every order must have its attendee. The load generator runs on the same
 * machine, so it takes CPU from the server: figures are for this machine and one run only.
 * Results: bench/results/rush-<time>.{json,md}.
 */
const BUYERS = Number(process.env.BENCH_RUSH_BUYERS ?? 200);
const SEATS = Number(process.env.BENCH_RUSH_SEATS ?? 3000);
const WORKER_COUNTS = [1, 2];

type Seed = { eventId: string; ticketTypeId: string; buyers: { email: string; name: string; secret: string }[] };
type Check = { quantity: number; sold: number; attendeeRows: number; orderRows: number; ordersWithoutAttendees: number; attendeesWithoutOrder: number };

const log = (message: string) => console.log(`[rush] ${message}`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function databaseScript(env: NodeJS.ProcessEnv, args: string[]): string {
  // NODE_ENV development: the script writes test data, which production refuses elsewhere.
  return execFileSync(process.execPath, ["--import", "tsx", "bench/rush-db.ts", ...args], { env: { ...env, NODE_ENV: "development" }, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
}

async function startServer(env: NodeJS.ProcessEnv, origin: string): Promise<ChildProcess> {
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], { env, stdio: ["ignore", "ignore", "inherit"] });
  for (let i = 0; i < 480; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    const ok = await fetch(`${origin}/api/health`).then((r) => r.status === 200).catch(() => false);
    if (ok) return server;
    await new Promise((r) => setTimeout(r, 250));
  }
  server.kill("SIGKILL");
  throw new Error("the server did not start");
}

/** One tRPC mutation over keep-alive HTTP: its status and how long it took. */
function placeOrder(agent: Agent, port: number, origin: string, headers: Record<string, string>, body: string): Promise<{ status: number; ms: number; code?: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/api/trpc/orders.place", method: "POST", agent, headers: { ...headers, origin, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          const ms = performance.now() - started;
          const code = res.statusCode === 200 ? undefined : (JSON.parse(text) as { error?: { data?: { code?: string } } }).error?.data?.code;
          resolve({ status: res.statusCode ?? 0, ms, code });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function rush(port: number, origin: string, seed: Seed) {
  const agent = new Agent({ keepAlive: true, maxSockets: BUYERS });
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let firstStart = Infinity;
  let lastOrder = 0;
  const buyer = async (index: number) => {
    const { email, name, secret } = seed.buyers[index];
    // Each buyer comes from an address of its own (TRUST_PROXY=1), as real buyers would.
    const headers = { cookie: `admit.session=${secret}`, "x-forwarded-for": `10.${index >> 8}.${index & 255}.1` };
    const body = JSON.stringify({ eventId: seed.eventId, items: [{ ticketTypeId: seed.ticketTypeId, quantity: 1 }], attendees: [{ ticketTypeId: seed.ticketTypeId, name, email }] });
    for (;;) {
      const started = performance.now();
      firstStart = Math.min(firstStart, started);
      const { status, ms, code } = await placeOrder(agent, port, origin, headers, body);
      const outcome = status === 200 ? "placed" : `${status} ${code ?? ""}`.trim();
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (status === 200) {
        latencies.push(ms);
        lastOrder = performance.now();
      } else if (status === 409) return; // sold out
      else if (outcomes[outcome] > 50) throw new Error(`orders.place keeps answering ${outcome}`);
    }
  };
  await Promise.all(Array.from({ length: BUYERS }, (_, i) => buyer(i)));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const seconds = (lastOrder - firstStart) / 1000;
  return {
    orders: latencies.length,
    seconds: +seconds.toFixed(2),
    ordersPerSecond: +(latencies.length / seconds).toFixed(1),
    p50Ms: +percentile(latencies, 50).toFixed(1),
    p99Ms: +percentile(latencies, 99).toFixed(1),
    outcomes,
  };
}

async function main() {
  if (!existsSync(".next/BUILD_ID")) execFileSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  let cluster: Cluster | undefined;
  if (postgresBinaries()) cluster = await startCluster({ maxConnections: 200 });
  else log("PostgreSQL is not installed: measuring SQLite only");
  const dataRoot = mkdtempSync(path.join(os.tmpdir(), "admit-rush-"));
  const runs = [];
  try {
    for (const dialect of cluster ? (["sqlite", "postgres"] as const) : (["sqlite"] as const)) {
      for (const workers of WORKER_COUNTS) {
        const name = `${dialect}-${workers}`;
        const dataDir = path.join(dataRoot, name);
        let databaseUrl = `file:${path.join(dataDir, "admit.db")}`;
        if (dialect === "postgres") {
          databaseUrl = await createPostgresDatabase(cluster!.url("postgres"), `rush_${workers}`);
        }
        const port = await freePort();
        const origin = `http://localhost:${port}`;
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          NODE_ENV: "production",
          NEXT_TELEMETRY_DISABLED: "1",
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          AUTH_SECRET: randomBytes(48).toString("base64url"),
          APP_URL: origin,
          PORT: String(port),
          WEB_CONCURRENCY: String(workers),
          TRUST_PROXY: "1",
        };
        log(`${name}: seeding ${BUYERS} buyers and ${SEATS} seats`);
        const seed = JSON.parse(databaseScript(env, ["seed", String(BUYERS), String(SEATS)])) as Seed;
        const server = await startServer(env, origin);
        try {
          log(`${name}: rush`);
          const result = await rush(port, origin, seed);
          const check = JSON.parse(databaseScript(env, ["check", seed.ticketTypeId])) as Check;
          const oversold = Math.max(0, check.attendeeRows - check.quantity, check.sold - check.quantity);
          runs.push({ dialect, workers, ...result, oversold, check });
          log(`${name}: ${result.ordersPerSecond} orders/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, oversold ${oversold}`);
        } finally {
          await stopGracefully(server);
        }
      }
    }
  } finally {
    cluster?.stop();
    rmSync(dataRoot, { recursive: true, force: true });
  }

  const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg().map((l) => +l.toFixed(2)) };
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(`bench/results/rush-${stamp}.json`, JSON.stringify({ buyers: BUYERS, seats: SEATS, machine, runs }, null, 2));
  const anchor = 500 / 60; // pretix: about 500 orders per minute per event
  const lines = [
    `# On-sale rush — ${new Date().toISOString()}`,
    "",
    `${BUYERS} signed-in buyers place one-ticket orders through tRPC (orders.place over HTTP, keep-alive) until ${SEATS} seats are sold out. Machine: ${machine.cores} × ${machine.cpu}, load average ${machine.loadAverage.join(" / ")} at the end; the load generator shares these cores.`,
    "",
    "| database | workers | orders | orders/s | × pretix's 500/min | p50 ms | p99 ms | oversold | orders without attendees | other answers |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...runs.map((r) => {
      const others = Object.entries(r.outcomes).filter(([k]) => k !== "placed").map(([k, v]) => `${k}: ${v}`).join(", ");
      return `| ${r.dialect} | ${r.workers} | ${r.orders} | ${r.ordersPerSecond} | ${(r.ordersPerSecond / anchor).toFixed(1)} | ${r.p50Ms} | ${r.p99Ms} | ${r.oversold} | ${r.check.ordersWithoutAttendees} | ${others} |`;
    }),
    "",
  ];
  writeFileSync(`bench/results/rush-${stamp}.md`, lines.join("\n"));
  console.log(lines.join("\n"));
  const broken = runs.filter((r) => r.oversold !== 0 || r.check.ordersWithoutAttendees !== 0 || r.check.attendeesWithoutOrder !== 0 || r.check.sold !== r.check.attendeeRows);
  if (broken.length) {
    console.error("[rush] the database does not add up:", JSON.stringify(broken.map((r) => ({ dialect: r.dialect, workers: r.workers, check: r.check }))));
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
