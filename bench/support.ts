import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { SERVER_ENV, stopGracefully } from "../scripts/server-command";

/** What the benchmarks share: the build, ports, starting and stopping servers, reading /proc. */

export const ROOT = process.cwd();
export const RESULTS_DIR = path.join(ROOT, "bench", "results");

export function log(message: string) {
  console.log(`[bench] ${message}`);
}

/** `next build` unless a build is there that has the routes we measure. */
export function ensureBuild() {
  const manifest = path.join(ROOT, ".next", "app-path-routes-manifest.json");
  const routes = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as Record<string, string>) : {};
  const hasRoutes = ["/tickets/[orderIdentifier]/route"].every((r) => r in routes);
  if (existsSync(path.join(ROOT, ".next", "BUILD_ID")) && hasRoutes) {
    log("using the existing production build (.next/BUILD_ID)");
    return;
  }
  log("building (next build) …");
  execFileSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}

/** `next build` of the benchmark's empty Next.js app (bench/empty-app/) unless its build is newer than its sources. */
export function ensureEmptyAppBuild() {
  const dir = path.join(ROOT, "bench", "empty-app");
  const built = path.join(dir, ".next", "BUILD_ID");
  const sources = [
    path.join(dir, "app", "pdf-response.ts"),
    path.join(dir, "app", "pdf", "route.ts"),
    path.join(dir, "app", "tickets", "[orderIdentifier]", "route.ts"),
    path.join(dir, "next.config.mjs"),
    path.join(ROOT, "next.config.js"),
  ];
  if (existsSync(built) && sources.every((file) => statSync(file).mtimeMs < statSync(built).mtimeMs)) return;
  log("building the empty app (next build bench/empty-app) …");
  execFileSync("npx", ["next", "build", dir], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}

/**
 * A production server's environment on an empty data folder of its own (wiped first), also
 * installed in this process, which seeds the database and signs tokens with the same config.
 */
export function freshServerEnv(dataDir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "admit.db")}`,
    AUTH_SECRET: randomBytes(48).toString("base64url"),
    PORT: String(port),
    APP_URL: `http://localhost:${port}`,
    NEXT_TELEMETRY_DISABLED: "1",
    ...SERVER_ENV,
    // One process: the figures are per process (bench/rush.ts compares worker counts).
    WEB_CONCURRENCY: "1",
    ...extra,
  };
  Object.assign(process.env, env);
  return env;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(url: string, ok: (status: number) => boolean, child: ChildProcess, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (ok(response.status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up within ${timeoutMs} ms`);
}

/** Starts `script` as a server; `nodeArgs` go to node itself (profiling, heap snapshots). */
export function start(script: string, env: NodeJS.ProcessEnv, name: string, nodeArgs: string[] = []): ChildProcess {
  // `node --import tsx` (not the tsx CLI) so the pid is the server itself, for its RSS.
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", script], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", () => {});
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk}`));
  return child;
}

export function stop(child: ChildProcess): Promise<void> {
  return stopGracefully(child, 5000);
}

/** Current and peak resident set of a process, in MiB (Linux /proc). */
export function rssOf(pid: number): { rssMb: number; peakMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/** CPU time a process has used so far (user + system, all threads), in ms (Linux /proc). */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function machine() {
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGb: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

/** bench/results/<name>-<date>.json and .md; the report is also printed. */
export function saveResults(name: string, date: string, json: unknown, md: string) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const base = path.join(RESULTS_DIR, `${name}-${date.replace(/[:.]/g, "-")}`);
  writeFileSync(`${base}.json`, JSON.stringify(json, null, 2) + "\n");
  writeFileSync(`${base}.md`, md);
  log(`wrote ${path.relative(ROOT, base)}.md and .json`);
  console.log("\n" + md);
}

/** Runs a benchmark's main; a failure ends the process with a non-zero code. */
export function runBench(main: () => Promise<void>) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
