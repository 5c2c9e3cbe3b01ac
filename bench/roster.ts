import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SERVER_ENV, SERVER_NODE_ARGS } from "../scripts/server-command";

/**
 * The dashboard at scale: an event with 100,000 attendees on the production server, read over
 * HTTP like the dashboard does (tRPC GET with a session cookie). Reports p50/p95 for the first
 * page, a deep page, searches and a filter, and the CSV export's time and the server's RSS
 * during it. Results go to bench/results/roster-<date>.{json,md}.
 */
const PORT = Number(process.env.BENCH_ROSTER_PORT ?? 3311);
const ATTENDEES = Number(process.env.BENCH_ATTENDEES ?? 100_000);
const DATA_DIR = path.resolve("bench/.data-roster");
const BASE = `http://localhost:${PORT}`;
const SAMPLES = 40;

const env: Record<string, string | undefined> = {
  ...process.env,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  DATA_DIR,
  DATABASE_URL: `file:${DATA_DIR}/admit.db`,
  AUTH_SECRET: "bench-secret-0123456789-0123456789-0123456789",
  APP_URL: BASE,
  PORT: String(PORT),
  ...SERVER_ENV,
  // One process, so its RSS is the server's (bench/rush.ts measures worker processes).
  WEB_CONCURRENCY: "1",
};

/** Setup steps (build, seed) run outside production mode: the seed refuses production. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...env, NODE_ENV: "development" } as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited ${code}`))));
  });
}

async function startServer(): Promise<ChildProcess> {
  const server = spawn(process.execPath, [...SERVER_NODE_ARGS, "--import", "tsx", "scripts/serve.ts"], { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "ignore", "inherit"] });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${BASE}/signin`)).ok) return server;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  server.kill();
  throw new Error("server did not start");
}

async function signIn(email: string, password: string): Promise<string> {
  // The same path a browser takes: Auth.js CSRF token, then the credentials callback.
  const csrfResponse = await fetch(`${BASE}/api/auth/csrf`);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const csrfCookie = csrfResponse.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const response = await fetch(`${BASE}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie, origin: BASE },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: BASE }),
  });
  const session = response.headers.getSetCookie().find((c) => c.startsWith("admit.session="));
  if (!session) throw new Error(`sign-in failed (${response.status})`);
  return session.split(";")[0];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(cookie: string, procedure: string, input: unknown) {
  const url = `${BASE}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < SAMPLES + 3; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers: { cookie } });
    const body = (await response.json()) as { result?: { data: { total: number } } };
    if (!response.ok || !body.result) throw new Error(`${procedure} answered ${response.status}`);
    total = body.result.data.total;
    if (i >= 3) times.push(performance.now() - started); // the first calls warm caches
  }
  times.sort((a, b) => a - b);
  return { p50: +percentile(times, 50).toFixed(1), p95: +percentile(times, 95).toFixed(1), matches: total };
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

async function measureExport(cookie: string, eventId: string, pid: number) {
  const before = rssOf(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
  const started = performance.now();
  const response = await fetch(`${BASE}/api/events/${eventId}/attendees.csv`, { headers: { cookie } });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (const b of chunk) if (b === 10) lines++;
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  return { ms: Math.round(ms), bytes, rows: lines - 1, rssBeforeMb: +(before / 2 ** 20).toFixed(1), rssPeakMb: +(peak / 2 ** 20).toFixed(1), rssGrowthMb: +((peak - before) / 2 ** 20).toFixed(1) };
}

async function main() {
  rmSync(DATA_DIR, { recursive: true, force: true });
  mkdirSync(DATA_DIR, { recursive: true });
  if (!existsSync(".next/BUILD_ID")) await run("npx", ["next", "build"]);
  const seeded = await run(process.execPath, ["--import", "tsx", "scripts/seed-large.ts", "--attendees", String(ATTENDEES)]);
  const eventId = /into event (\S+)/.exec(seeded)![1];
  const server = await startServer();
  try {
    const cookie = await signIn("bigconf-owner@demo.test", "demo-password");
    const pages = Math.ceil(ATTENDEES / 50);
    const results = {
      firstPage: await measure(cookie, "attendees.list", { eventId, page: 1 }),
      deepPage: await measure(cookie, "attendees.list", { eventId, page: pages - 10 }),
      searchCommon: await measure(cookie, "attendees.list", { eventId, search: "García" }),
      searchOne: await measure(cookie, "attendees.list", { eventId, search: `guest${ATTENDEES - 7}@` }),
      searchShort: await measure(cookie, "attendees.list", { eventId, search: "Ad" }),
      filterCheckedIn: await measure(cookie, "attendees.list", { eventId, checkedIn: true }),
      ordersFirstPage: await measure(cookie, "attendees.orders", { eventId, page: 1 }),
      csvExport: await measureExport(cookie, eventId, server.pid!),
    };
    const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg().map((l) => +l.toFixed(2)) };
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(`bench/results/roster-${stamp}.json`, JSON.stringify({ attendees: ATTENDEES, machine, results }, null, 2));
    const rows = Object.entries(results)
      .filter(([k]) => k !== "csvExport")
      .map(([k, v]) => {
        const r = v as { p50: number; p95: number; matches: number };
        return `| ${k} | ${r.p50} | ${r.p95} | ${r.matches} |`;
      });
    const md = [
      `# Roster benchmark, ${new Date().toISOString()}`,
      "",
      `${ATTENDEES} attendees; production build over HTTP (tRPC GET with a session cookie); ${SAMPLES} samples each.`,
      `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GiB, Node ${machine.node}, load average ${machine.loadAverage.join(" / ")}.`,
      "",
      "| query | p50 ms | p95 ms | matches |",
      "|---|---|---|---|",
      ...rows,
      "",
      `CSV export: ${results.csvExport.rows} rows, ${(results.csvExport.bytes / 2 ** 20).toFixed(1)} MiB in ${results.csvExport.ms} ms; server RSS ${results.csvExport.rssBeforeMb} MiB before, peak ${results.csvExport.rssPeakMb} MiB (growth ${results.csvExport.rssGrowthMb} MiB).`,
      "",
      "Targets (issue 5): list and search p95 ≤ 50 ms; export of 100,000 rows ≤ 3 s with flat memory.",
    ].join("\n");
    writeFileSync(`bench/results/roster-${stamp}.md`, md + "\n");
    console.log(md);
  } finally {
    server.kill("SIGTERM");
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
