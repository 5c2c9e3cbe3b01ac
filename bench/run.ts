import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { SERVER_NODE_ARGS } from "../scripts/server-command";
import { loadLine, marginalPerPageMs, perPageTarget, renderInFreshProcess, type RenderTimings } from "./render";
import { cpuMsOf, ensureBuild, ensureEmptyAppBuild, freePort, freshServerEnv, runBench, saveResults, log, machine as thisMachine, RESULTS_DIR, ROOT, rssOf, start as startServer, stop, waitFor } from "./support";

/**
 * `npm run bench`: the ticket route on the production build against three floors, in one run
 * (these machines are noisy; only ratios within a run mean anything). The 0.8× target is
 * measured against emptyAtPath, the empty handler at the route's own (dynamic) path, and the
 * ratio to `empty` is reported beside it (docs/ticket-route-speed.md says why):
 *   ticket — GET /tickets/{orderIdentifier}, valid Bearer token, PDF already cached;
 *   empty  — an empty Next.js route handler answering the same PDF bytes (the framework's floor):
 *            bench/empty-app/, a Next.js app of its own with Admit's settings and front door, at /pdf;
 *   emptyAtPath — the same empty handler at the ticket route's path, /tickets/{orderIdentifier}
 *            (what routing a dynamic segment costs, nothing of Admit's);
 *   bare   — bench/bare-server.ts: node:http doing the same work through the same functions.
 * Plus render times for 1/10/100 attendees and RSS. Writes bench/results/tickets-<date>.{json,md}.
 */

const DATA_DIR = path.join(ROOT, "bench", ".data");
const TARGETS = ["ticket", "empty", "emptyAtPath", "bare"] as const;
type Target = (typeof TARGETS)[number];

const LOAD = { connections: 16, durationS: 8, warmupS: 2, rounds: 3 };

/** `npm run bench -- --profile` writes V8 CPU profiles of each server to bench/results/profiles/<server>/. */
const PROFILE = process.argv.includes("--profile");

function start(script: string, env: NodeJS.ProcessEnv, name: string) {
  // One file per thread (tsx's loader runs in one of its own); the main thread's is the largest.
  const profile = PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${path.join(RESULTS_DIR, "profiles", name)}`] : [];
  return startServer(script, env, name, [...SERVER_NODE_ARGS, ...profile]);
}

type LoadResult = { rps: number; p50: number; p99: number; mean: number; non2xx: number; errors: number; requests: number; mbPerS: number; serverCpuMsPerRequest: number };

/**
 * Requests per second depend on how much CPU the load generator and the neighbours leave the
 * server; CPU time per request, read from the server process itself, does not.
 */
async function load(url: string, headers: Record<string, string>, durationS: number, serverPid: number): Promise<LoadResult> {
  const cpuBefore = cpuMsOf(serverPid);
  const result = await autocannon({ url, headers, connections: LOAD.connections, duration: durationS });
  const cpuMs = cpuMsOf(serverPid) - cpuBefore;
  return {
    serverCpuMsPerRequest: cpuMs / Math.max(1, result.requests.total),
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
    mbPerS: result.throughput.average / 1024 / 1024,
  };
}

async function timedGet(url: string, headers: Record<string, string>): Promise<{ ms: number; status: number; bytes: number }> {
  const start = performance.now();
  const response = await fetch(url, { headers });
  const body = await response.arrayBuffer();
  return { ms: performance.now() - start, status: response.status, bytes: body.byteLength };
}

async function main() {
  const startedAt = Date.now();
  ensureBuild();
  ensureEmptyAppBuild();

  const [port, barePort, emptyPort] = [await freePort(), await freePort(), await freePort()];
  // This process seeds the database and signs the token with the servers' config.
  const env = freshServerEnv(DATA_DIR, port);
  const seeded = await seed(env.DATABASE_URL!.slice("file:".length));

  log(`starting the production server on :${port} and the bare server on :${barePort}`);
  const next = start("scripts/serve.ts", env, "next");
  const bare = start("bench/bare-server.ts", { ...env, BARE_PORT: String(barePort) }, "bare");
  const servers = [next, bare];
  const cleanup = () => servers.forEach((s) => s.exitCode === null && s.kill("SIGKILL"));
  process.on("exit", cleanup);
  try {
    await waitFor(`http://localhost:${port}/api/health`, (s) => s === 200, next);
    await waitFor(`http://localhost:${barePort}/tickets/x`, (s) => s === 401, bare);

    const auth = { authorization: `Bearer ${seeded.token}` };
    const urls = {
      ticket: `http://localhost:${port}/tickets/${seeded.orders[3]}`,
      empty: `http://localhost:${emptyPort}/pdf`,
      emptyAtPath: `http://localhost:${emptyPort}/tickets/${seeded.orders[3]}`,
      bare: `http://localhost:${barePort}/tickets/${seeded.orders[3]}`,
    };

    // The first request renders and caches the PDF; both servers then send the same file.
    const viaNext = await fetch(urls.ticket, { headers: auth });
    const nextBytes = Buffer.from(await viaNext.arrayBuffer());
    const viaBare = await fetch(urls.bare, { headers: auth });
    const bareBytes = Buffer.from(await viaBare.arrayBuffer());
    if (viaNext.status !== 200 || viaBare.status !== 200 || !nextBytes.equals(bareBytes) || nextBytes.subarray(0, 5).toString() !== "%PDF-") {
      throw new Error(`sanity check failed: next ${viaNext.status}, bare ${viaBare.status}, same bytes ${nextBytes.equals(bareBytes)}`);
    }
    log(`cached PDF: ${(nextBytes.length / 1024).toFixed(1)} KiB, 3 attendees`);

    // The floor answers the very bytes the ticket route sent.
    const pdfFile = path.join(DATA_DIR, "floor.pdf");
    writeFileSync(pdfFile, nextBytes);
    log(`starting the empty Next.js app on :${emptyPort}`);
    const empty = start("bench/empty-app/serve.ts", { ...env, PORT: String(emptyPort), BENCH_PDF_FILE: pdfFile }, "empty");
    servers.push(empty);
    await waitFor(urls.empty, (s) => s === 200, empty);
    for (const floor of [urls.empty, urls.emptyAtPath]) {
      const viaEmpty = Buffer.from(await (await fetch(floor)).arrayBuffer());
      if (!viaEmpty.equals(nextBytes)) throw new Error(`sanity check failed: ${floor} doesn't answer the ticket's bytes`);
    }

    const rssBeforeLoad = rssOf(next.pid!);
    const rounds: Record<Target, LoadResult[]> = { ticket: [], empty: [], emptyAtPath: [], bare: [] };
    const pids = { ticket: next.pid!, empty: empty.pid!, emptyAtPath: empty.pid!, bare: bare.pid! };
    const headersOf = (name: Target) => (name === "empty" || name === "emptyAtPath" ? {} : auth);
    for (const name of TARGETS) {
      log(`warm-up ${name} (${LOAD.warmupS} s)`);
      await load(urls[name], headersOf(name), LOAD.warmupS, pids[name]);
    }
    // Interleaved rounds, so a noisy neighbour hurts all three alike rather than one.
    for (let round = 1; round <= LOAD.rounds; round++) {
      for (const name of TARGETS) {
        const r = await load(urls[name], headersOf(name), LOAD.durationS, pids[name]);
        log(`round ${round} ${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${r.serverCpuMsPerRequest.toFixed(3)} ms/req, non-2xx ${r.non2xx}, errors ${r.errors}`);
        rounds[name].push(r);
      }
    }
    const rssAfterLoad = rssOf(next.pid!);

    // Uncached renders through the production server: the first request of an order renders it.
    const httpRenders = [];
    for (const n of [1, 10, 100] as const) {
      const url = `http://localhost:${port}/tickets/${seeded.orders[n]}`;
      const rssBefore = rssOf(next.pid!);
      const cold = await timedGet(url, auth);
      const rssAfter = rssOf(next.pid!);
      const cached = await timedGet(url, auth);
      if (cold.status !== 200 || cached.status !== 200) throw new Error(`render of ${n} failed: ${cold.status}/${cached.status}`);
      httpRenders.push({ n, coldMs: cold.ms, coldPerPageMs: cold.ms / n, cachedMs: cached.ms, kib: cold.bytes / 1024, peakGrowthMb: rssAfter && rssBefore ? rssAfter.peakMb - rssBefore.peakMb : null });
      log(`HTTP ${n} attendee(s): uncached ${cold.ms.toFixed(0)} ms (${(cold.ms / n).toFixed(1)} ms/page), cached ${cached.ms.toFixed(1)} ms`);
    }
    const rssEnd = rssOf(next.pid!);

    log("render timing in a fresh process …");
    const render = renderInFreshProcess(env);

    const audited = countDownloads(env.DATABASE_URL!.slice("file:".length));
    await Promise.all(servers.map(stop));
    writeResults({ rounds, httpRenders, render, rss: { beforeLoad: rssBeforeLoad, afterLoad: rssAfterLoad, end: rssEnd }, audited, pdfKib: nextBytes.length / 1024, startedAt });
  } finally {
    cleanup();
  }
}

/** A buyer with orders of 1, 3, 10 and 100 attendees, and an API token with tickets:read. */
async function seed(dbFile: string) {
  // Imported here, after process.env carries the bench config: these modules read it.
  const { openDb } = await import("@/db/client");
  const { createUser } = await import("@/server/auth/accounts");
  const { accessTokenKey, signAccessToken } = await import("@/server/auth/access-token");
  const { createApiSession } = await import("@/server/auth/sessions");
  const { insertEvent, insertOrder } = await import("@/server/testing/inserts");
  const db = openDb(dbFile);
  const buyer = await createUser(db, { email: "bench-buyer@bench.test", name: "Bench Buyer", password: randomBytes(12).toString("hex"), verified: true });
  // Next month: an event long over would have its download rows pruned by the server's
  // maintenance (server/maintenance.ts) in the middle of the run.
  const startsAt = Date.now() + 30 * 24 * 60 * 60_000;
  const event = await insertEvent(db, "Bench Conf 2026", { event: { startsAt, endsAt: startsAt + 8 * 60 * 60_000 } });
  const people = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `Attendee ${i + 1} Łukasiewicz`, email: `a${i}-${n}@bench.test` }));
  const orders: Record<1 | 3 | 10 | 100, string> = {
    1: (await insertOrder(db, event, buyer, people(1))).id,
    3: (await insertOrder(db, event, buyer, people(3))).id,
    10: (await insertOrder(db, event, buyer, people(10))).id,
    100: (await insertOrder(db, event, buyer, people(100))).id,
  };
  const { session } = await createApiSession(db, buyer.id, ["tickets:read"], { device: "bench", ip: "127.0.0.1" });
  const token = await signAccessToken(accessTokenKey(process.env.AUTH_SECRET!), { userId: buyer.id, sessionId: session.id, scopes: ["tickets:read"] });
  await db.$admit.close();
  return { orders, token };
}

function countDownloads(dbFile: string): number {
  const out = execFileSync(process.execPath, ["-e", `const D=require("better-sqlite3");const d=new D(${JSON.stringify(dbFile)},{readonly:true});console.log(d.prepare("select count(*) c from ticket_downloads").get().c)`], { encoding: "utf8" });
  return Number(out.trim());
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function writeResults(r: {
  rounds: Record<Target, LoadResult[]>;
  httpRenders: { n: number; coldMs: number; coldPerPageMs: number; cachedMs: number; kib: number; peakGrowthMb: number | null }[];
  render: RenderTimings;
  rss: Record<string, { rssMb: number; peakMb: number } | null>;
  audited: number;
  pdfKib: number;
  startedAt: number;
}) {
  const summary = Object.fromEntries(
    (Object.entries(r.rounds) as [keyof typeof r.rounds, LoadResult[]][]).map(([name, runs]) => [
      name,
      {
        rps: mean(runs.map((x) => x.rps)),
        p50: mean(runs.map((x) => x.p50)),
        p99: mean(runs.map((x) => x.p99)),
        cpuMs: mean(runs.map((x) => x.serverCpuMsPerRequest)),
        non2xx: runs.reduce((a, x) => a + x.non2xx, 0),
        errors: runs.reduce((a, x) => a + x.errors, 0),
      },
    ]),
  ) as Record<Target, { rps: number; p50: number; p99: number; cpuMs: number; non2xx: number; errors: number }>;
  const ratios = {
    ticketVsEmpty: summary.ticket.rps / summary.empty.rps,
    ticketVsEmptyAtPath: summary.ticket.rps / summary.emptyAtPath.rps,
    ticketVsBare: summary.ticket.rps / summary.bare.rps,
    // The same ratios from server CPU per request: what each request would reach on a CPU of its own.
    cpuTicketVsEmpty: summary.empty.cpuMs / summary.ticket.cpuMs,
    cpuTicketVsEmptyAtPath: summary.emptyAtPath.cpuMs / summary.ticket.cpuMs,
    cpuTicketVsBare: summary.bare.cpuMs / summary.ticket.cpuMs,
  };
  const perPage = perPageTarget(r.render);
  const marginalPerPage = marginalPerPageMs(r.render);
  const hundredHttp = r.httpRenders.find((h) => h.n === 100)!;
  const targets = {
    ticketAtLeast08xEmptyAtPath: ratios.ticketVsEmptyAtPath >= 0.8,
    ticketAtLeast08xEmpty: ratios.ticketVsEmpty >= 0.8,
    warmPerPageAtMost15ms: perPage.met,
    hundredAttendeesAtMost1500ms: Math.max(r.render.hundred.ms, hundredHttp.coldMs) <= 1500,
    hundredAttendeesRssGrowthAtMost100Mb: r.render.hundred.growthMb <= 100 && (hundredHttp.peakGrowthMb ?? 0) <= 100,
  };
  const machine = thisMachine();
  const date = new Date(r.startedAt).toISOString();
  const json = { date, machine, load: { settings: LOAD, rounds: r.rounds, summary, ratios }, httpRenders: r.httpRenders, render: { ...r.render, marginalPerPageMs: marginalPerPage }, serverRss: r.rss, auditedDownloads: r.audited, pdfKib: r.pdfKib, targets, durationS: (Date.now() - r.startedAt) / 1000 };

  const resultName = `tickets-${date.replace(/[:.]/g, "-")}`;

  const f0 = (n: number) => n.toFixed(0);
  const f1 = (n: number) => n.toFixed(1);
  const yes = (b: boolean) => (b ? "met" : "**missed**");
  const rss = (x: { rssMb: number; peakMb: number } | null) => (x ? `${f0(x.rssMb)} MiB (peak ${f0(x.peakMb)} MiB)` : "n/a");
  const md = `# Ticket download benchmark — ${date}

Machine: ${machine.cpu}, ${machine.cores} cores, ${f1(machine.memoryGb)} GiB, ${machine.os}, Node ${machine.node}.
Load: autocannon, ${LOAD.connections} connections, ${LOAD.rounds} interleaved rounds of ${LOAD.durationS} s per target after a ${LOAD.warmupS} s warm-up;
the load generator runs on the same machine. Only the ratios within this run mean anything.

## Throughput and latency (mean of rounds)

| target | req/s | p50 ms | p99 ms | server CPU ms / request | non-2xx | errors |
|---|---:|---:|---:|---:|---:|---:|
| \`GET /tickets/{order}\` (Next.js, Bearer, cached ${f1(r.pdfKib)} KiB PDF) | ${f0(summary.ticket.rps)} | ${f1(summary.ticket.p50)} | ${f1(summary.ticket.p99)} | ${summary.ticket.cpuMs.toFixed(3)} | ${summary.ticket.non2xx} | ${summary.ticket.errors} |
| empty Next.js route handler sending the same PDF (framework floor, bench/empty-app, \`/pdf\`) | ${f0(summary.empty.rps)} | ${f1(summary.empty.p50)} | ${f1(summary.empty.p99)} | ${summary.empty.cpuMs.toFixed(3)} | ${summary.empty.non2xx} | ${summary.empty.errors} |
| the same empty handler at the ticket route's path (\`/tickets/{order}\`) | ${f0(summary.emptyAtPath.rps)} | ${f1(summary.emptyAtPath.p50)} | ${f1(summary.emptyAtPath.p99)} | ${summary.emptyAtPath.cpuMs.toFixed(3)} | ${summary.emptyAtPath.non2xx} | ${summary.emptyAtPath.errors} |
| bare \`node:http\`, same work (bench/bare-server.ts) | ${f0(summary.bare.rps)} | ${f1(summary.bare.p50)} | ${f1(summary.bare.p99)} | ${summary.bare.cpuMs.toFixed(3)} | ${summary.bare.non2xx} | ${summary.bare.errors} |

Ratios (req/s, target ≥ 0.8×): ticket route / empty handler at the same path = **${ratios.ticketVsEmptyAtPath.toFixed(2)}×**; / empty handler at \`/pdf\` = **${ratios.ticketVsEmpty.toFixed(2)}×**; / bare server = **${ratios.ticketVsBare.toFixed(2)}×**.
Ratios (server CPU per request, inverted so higher is better): vs empty handler at the same path **${ratios.cpuTicketVsEmptyAtPath.toFixed(2)}×**; vs empty handler at \`/pdf\` **${ratios.cpuTicketVsEmpty.toFixed(2)}×**; vs bare server **${ratios.cpuTicketVsBare.toFixed(2)}×**.
CPU per request is read from each server's /proc/<pid>/stat around every run; unlike req/s it doesn't depend on how much CPU the load generator and neighbours take.
Every request was authenticated, access-checked and audited: ${r.audited} download rows written.

Per round: ${TARGETS.map((n) => `${n} ${r.rounds[n].map((x) => f0(x.rps)).join(" / ")}`).join("; ")} req/s.

## Rendering

In a fresh process (\`bench/render-child.ts\`, synthetic tickets, every 10th cancelled): first render ever (1 ticket, includes loading the fonts) ${f0(r.render.firstRenderInProcess.ms)} ms.
Warm render: after 300 unmeasured renders, the median of several renders of each size (\`bench/render.ts\`). ${loadLine(r.render)}

| attendees | warm render ms | ms / page | CPU ms / page | PDF KiB | uncached via HTTP ms | ms / page | cached via HTTP ms |
|---:|---:|---:|---:|---:|---:|---:|---:|
${r.render.warm
  .map((w) => {
    const h = r.httpRenders.find((x) => x.n === w.n)!;
    return `| ${w.n} | ${f0(w.ms)} | ${f1(w.perPageMs)} | ${f1(w.cpuPerPageMs)} | ${f0(w.bytes / 1024)} | ${f0(h.coldMs)} | ${f1(h.coldPerPageMs)} | ${f1(h.cachedMs)} |`;
  })
  .join("\n")}

Memory: a 100-attendee render grows a process's peak RSS by ${f1(r.render.hundred.growthMb)} MiB (${f0(r.render.hundred.rssBeforeMb)} → ${f0(r.render.hundred.peakAfterMb)} MiB);
in the server, the uncached 100-attendee request raised its peak by ${hundredHttp.peakGrowthMb === null ? "n/a" : `${f1(hundredHttp.peakGrowthMb)} MiB`}.
Server RSS: before load ${rss(r.rss.beforeLoad)}, after load ${rss(r.rss.afterLoad)}, at the end ${rss(r.rss.end)}.

## Targets

| target | result |
|---|---|
| ticket route ≥ 0.8× the empty handler at its path | ${yes(targets.ticketAtLeast08xEmptyAtPath)} (${ratios.ticketVsEmptyAtPath.toFixed(2)}× req/s, ${ratios.cpuTicketVsEmptyAtPath.toFixed(2)}× by CPU) |
| ticket route ≥ 0.8× the empty handler at \`/pdf\` | ${yes(targets.ticketAtLeast08xEmpty)} (${ratios.ticketVsEmpty.toFixed(2)}× req/s, ${ratios.cpuTicketVsEmpty.toFixed(2)}× by CPU) |
| ≤ 15 ms per page warm | ${yes(targets.warmPerPageAtMost15ms)} (${perPage.text}; each further page costs ${f1(marginalPerPage)} ms CPU) |
| 100-attendee order ≤ 1.5 s | ${yes(targets.hundredAttendeesAtMost1500ms)} (${f0(r.render.hundred.ms)} ms in process, ${f0(hundredHttp.coldMs)} ms via HTTP) |
| ≤ 100 MB RSS growth for it | ${yes(targets.hundredAttendeesRssGrowthAtMost100Mb)} |

## Where the ticket route's time goes

Besides the framework's work, a download reads three rows (the session, the order, what is printed)
and stores its audit row, which it shares with the downloads of the same turn of the event loop (one
INSERT for all of them); a PDF served lately comes from memory. docs/ticket-route-speed.md says what
each step costs and what was changed to get here. Profiles: \`npm run bench -- --profile\`. Warm
render cost is react-pdf's layout and font subsetting; the first page of a document costs most, each
further page less.

Run took ${f0(json.durationS)} s. Raw numbers: \`${resultName}.json\`.
`;
  saveResults("tickets", date, json, md);
}

runBench(main);
