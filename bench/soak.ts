import { randomBytes } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import { SERVER_NODE_ARGS } from "../scripts/server-command";
import { ensureBuild, freePort, freshServerEnv, runBench, saveResults, log, machine, ROOT, rssOf, start, stop, waitFor } from "./support";

/**
 * `npm run bench` (after the others), or `tsx bench/soak.ts [--minutes N | --long]`: the
 * production server under a sustained mixed load, its resident memory sampled as it goes.
 * Four streams at once, each cycling through many distinct targets so caches see realistic
 * variety: ticket downloads (Bearer), pages (cookie), tRPC lists (cookie) and check-ins (Bearer).
 * The server must plateau (no growth over the second half) and stay under 400 MiB. Writes
 * bench/results/soak-<date>.{json,md} with RSS over time as a table and a bar chart.
 */

const LONG = process.argv.includes("--long");
const minutesFlag = process.argv.indexOf("--minutes");
const MINUTES = minutesFlag > 0 ? Number(process.argv[minutesFlag + 1]) : LONG ? 10 : 3;
const SAMPLE_EVERY_S = MINUTES > 5 ? 15 : 5;
const RSS_LIMIT_MB = 400;
const DATA_DIR = path.join(ROOT, "bench", ".data-soak");

const STREAMS = {
  downloads: { connections: 8 },
  pages: { connections: 2 },
  trpc: { connections: 2 },
  checkins: { connections: 2 },
} as const;
type Stream = keyof typeof STREAMS;

type Seeded = Awaited<ReturnType<typeof seed>>;

/** A buyer with 300 orders, an event of 3,000 attendees with its team, tokens and cookies. */
async function seed(dbFile: string) {
  const { openDb } = await import("@/db/client");
  const { createUser } = await import("@/server/auth/accounts");
  const { accessTokenKey, signAccessToken } = await import("@/server/auth/access-token");
  const { createApiSession, createBrowserSession } = await import("@/server/auth/sessions");
  const { insertEvent, insertOrder } = await import("@/server/testing/inserts");
  const { eventMembers } = await import("@/db/schema");
  const db = openDb(dbFile);
  const password = randomBytes(12).toString("hex");
  const buyer = await createUser(db, { email: "soak-buyer@bench.test", name: "Soak Buyer", password, verified: true });
  const owner = await createUser(db, { email: "soak-owner@bench.test", name: "Soak Owner", password, verified: true });
  const registrar = await createUser(db, { email: "soak-door@bench.test", name: "Soak Door", password, verified: true });
  const event = await insertEvent(db, "Soak Conf 2026", { event: { startsAt: Date.now() + 86_400_000, endsAt: Date.now() + 90_000_000 }, ticketType: { quantity: 100_000 } });
  for (const [user, role] of [[owner, "owner"], [registrar, "registrar"]] as const) {
    await db.insert(eventMembers).values({ eventId: event.id, userId: user.id, role, createdAt: Date.now() });
  }
  const orders: string[] = [];
  for (let i = 0; i < 300; i++) {
    orders.push((await insertOrder(db, event, buyer, [1, 2, 3].map((n) => ({ name: `Guest ${i}.${n} Łukasiewicz`, email: `g${i}-${n}@bench.test` })))).id);
  }
  const door: string[] = [];
  for (let i = 0; i < 30; i++) {
    const people = Array.from({ length: 100 }, (_, n) => ({ name: `Walk-in ${i}.${n}`, email: `w${i}-${n}@bench.test` }));
    door.push(...(await insertOrder(db, event, owner, people)).attendees.map((a) => a.checkinSecret));
  }
  const key = accessTokenKey(process.env.AUTH_SECRET!);
  /** A token signer for a fresh API session: access tokens live 10 minutes, so the long soak signs new ones. */
  const bearer = async (userId: string, scopes: ("tickets:read" | "checkin:write")[]) => {
    const { session } = await createApiSession(db, userId, scopes, { device: "soak", ip: "127.0.0.1" });
    return () => signAccessToken(key, { userId, sessionId: session.id, scopes });
  };
  const signDownloadToken = await bearer(buyer.id, ["tickets:read"]);
  const signDoorToken = await bearer(registrar.id, ["checkin:write"]);
  const seeded = {
    eventId: event.id,
    slug: event.slug,
    orders,
    door,
    downloadToken: await signDownloadToken(),
    doorToken: await signDoorToken(),
    async renewTokens() {
      seeded.downloadToken = await signDownloadToken();
      seeded.doorToken = await signDoorToken();
    },
    buyerCookie: `admit.session=${(await createBrowserSession(db, buyer.id, { device: "soak", ip: "127.0.0.1" })).secret}`,
    ownerCookie: `admit.session=${(await createBrowserSession(db, owner.id, { device: "soak", ip: "127.0.0.1" })).secret}`,
  };
  await db.$admit.close();
  return seeded;
}

/** The next target of a stream, round robin. */
function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length];
}

function trpcGet(procedure: string, input: unknown): string {
  return `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
}

type RequestSpec = { method: "GET" | "POST"; path: string; headers: Record<string, string>; body?: string };

function streamsFor(s: Seeded): Record<Stream, () => RequestSpec> {
  const download = cycle(s.orders);
  const page = cycle([
    { path: "/", cookie: s.buyerCookie },
    { path: `/events/${s.slug}`, cookie: s.buyerCookie },
    ...s.orders.slice(0, 50).map((id) => ({ path: `/orders/${id}`, cookie: s.buyerCookie })),
    { path: "/tickets", cookie: s.buyerCookie },
    { path: `/dashboard/events/${s.eventId}`, cookie: s.ownerCookie },
    { path: `/dashboard/events/${s.eventId}/orders`, cookie: s.ownerCookie },
  ]);
  const trpc = cycle([
    ...Array.from({ length: 20 }, (_, p) => ({ path: trpcGet("attendees.list", { eventId: s.eventId, page: p + 1 }), cookie: s.ownerCookie })),
    ...["Guest 1", "Walk-in 2", "Łukasiewicz", "w7-"].map((search) => ({ path: trpcGet("attendees.list", { eventId: s.eventId, search, page: 1 }), cookie: s.ownerCookie })),
    { path: trpcGet("attendees.orders", { eventId: s.eventId, page: 1 }), cookie: s.ownerCookie },
    { path: trpcGet("events.checkInCounts", { eventId: s.eventId }), cookie: s.ownerCookie },
    { path: trpcGet("orders.mine", undefined), cookie: s.buyerCookie },
    { path: trpcGet("events.listPublished", undefined), cookie: s.buyerCookie },
  ]);
  // Every ticket is checked in once; after that the door keeps scanning them (409 "already").
  const secret = cycle(s.door);
  return {
    downloads: () => ({ method: "GET", path: `/tickets/${download()}`, headers: { authorization: `Bearer ${s.downloadToken}` } }),
    pages: () => {
      const next = page();
      return { method: "GET", path: next.path, headers: { cookie: next.cookie, accept: "text/html" } };
    },
    trpc: () => {
      const next = trpc();
      return { method: "GET", path: next.path, headers: { cookie: next.cookie } };
    },
    checkins: () => ({
      method: "POST",
      path: "/api/v1/checkin",
      headers: { authorization: `Bearer ${s.doorToken}`, "content-type": "application/json" },
      body: JSON.stringify({ secret: secret() }),
    }),
  };
}

type StreamResult = { requests: number; non2xx: number; errors: number; rps: number; p50: number; p99: number; statuses: Record<string, number> };

function run(base: string, stream: Stream, next: () => RequestSpec, durationS: number): { done: Promise<StreamResult>; served: () => number } {
  let served = 0;
  const statuses: Record<string, number> = {};
  let finish!: (result: StreamResult) => void;
  const done = new Promise<StreamResult>((resolve) => (finish = resolve));
  const instance = autocannon(
    { url: base, connections: STREAMS[stream].connections, duration: durationS, requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }] },
    (error, result) => {
      if (error) throw error;
      finish({ requests: result.requests.total, non2xx: result.non2xx, errors: result.errors + result.timeouts, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, statuses });
    },
  );
  instance.on("response", (_client, status) => {
    served++;
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  return { done, served: () => served };
}

type Sample = { atS: number; rssMb: number; served: number };

async function main() {
  const startedAt = Date.now();
  ensureBuild();
  const port = await freePort();
  const env = freshServerEnv(DATA_DIR, port);
  log("seeding …");
  const seeded = await seed(env.DATABASE_URL!.slice("file:".length));

  log(`starting the production server on :${port}`);
  // `--snapshots`: `kill -USR2 <pid>` writes a heap snapshot (compare two with bench/heap-diff.ts);
  // SOAK_NODE_ARGS: more node flags for the server (e.g. --trace-gc).
  // Started as npm start starts it (scripts/server-command.ts); `--no-heap-limit` shows the server without.
  const nodeArgs = [
    ...(process.argv.includes("--no-heap-limit") ? [] : SERVER_NODE_ARGS),
    ...(process.argv.includes("--snapshots") ? ["--heapsnapshot-signal=SIGUSR2"] : []),
    ...(process.env.SOAK_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
  ];
  const server = start("scripts/serve.ts", env, "server", nodeArgs);
  process.on("exit", () => server.exitCode === null && server.kill("SIGKILL"));
  const base = `http://localhost:${port}`;
  await waitFor(`${base}/signin`, (status) => status === 200, server);

  const durationS = MINUTES * 60;
  log(`mixed load for ${MINUTES} min: ${Object.entries(STREAMS).map(([name, s]) => `${name} ×${s.connections}`).join(", ")}`);
  const streams = streamsFor(seeded);
  const runs = (Object.keys(STREAMS) as Stream[]).map((name) => [name, run(base, name, streams[name], durationS)] as const);
  const served = () => runs.reduce((sum, [, r]) => sum + r.served(), 0);

  const samples: Sample[] = [];
  const sample = () => {
    const rss = rssOf(server.pid!);
    if (!rss) return;
    const atS = Math.round((Date.now() - startedLoad) / 1000);
    samples.push({ atS, rssMb: rss.rssMb, served: served() });
    log(`t=${atS}s RSS ${rss.rssMb.toFixed(0)} MiB, ${served()} requests served`);
  };
  const startedLoad = Date.now();
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_S * 1000);
  const renewal = setInterval(() => void seeded.renewTokens(), 5 * 60_000);
  const results = Object.fromEntries(await Promise.all(runs.map(async ([name, r]) => [name, await r.done] as const))) as Record<Stream, StreamResult>;
  clearInterval(timer);
  clearInterval(renewal);
  sample();
  await stop(server);
  writeResults(samples, results, startedAt);
}

/** Least-squares slope of RSS over time, in MiB per minute. */
function slopePerMinute(points: Sample[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.atS, 0) / n;
  const my = points.reduce((a, p) => a + p.rssMb, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.atS - mx) * (p.rssMb - my), 0);
  const sxx = points.reduce((a, p) => a + (p.atS - mx) ** 2, 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 60;
}

function writeResults(samples: Sample[], results: Record<Stream, StreamResult>, startedAt: number) {
  const f0 = (n: number) => n.toFixed(0);
  const half = samples.filter((s) => s.atS >= samples.at(-1)!.atS / 2);
  const firstHalf = samples.filter((s) => !half.includes(s));
  const summary = {
    minutes: MINUTES,
    startMb: samples[0].rssMb,
    peakMb: Math.max(...samples.map((s) => s.rssMb)),
    firstHalfPeakMb: Math.max(...firstHalf.map((s) => s.rssMb)),
    secondHalfPeakMb: Math.max(...half.map((s) => s.rssMb)),
    midMb: half[0].rssMb,
    endMb: samples.at(-1)!.rssMb,
    secondHalfSlopeMbPerMin: slopePerMinute(half),
    requests: samples.at(-1)!.served,
  };
  // A plateau: the second half never rises more than 5% above the first half's peak, and its trend is flat.
  const plateau = summary.secondHalfPeakMb <= summary.firstHalfPeakMb * 1.05 && Math.abs(summary.secondHalfSlopeMbPerMin) < 2;
  const underLimit = summary.peakMb < RSS_LIMIT_MB;
  const date = new Date(startedAt).toISOString();
  const json = { date, machine: machine(), streams: STREAMS, summary, plateau, underLimit, limitMb: RSS_LIMIT_MB, results, samples };

  const scale = Math.max(RSS_LIMIT_MB, summary.peakMb);
  const chart = samples
    .map((s) => `${String(Math.floor(s.atS / 60)).padStart(2)}:${String(s.atS % 60).padStart(2, "0")} ${f0(s.rssMb).padStart(4)} MiB ${"█".repeat(Math.round((s.rssMb / scale) * 50)).padEnd(50)}│ ${s.served}`)
    .join("\n");
  const m = json.machine;
  const md = `# Soak: RSS under a sustained mixed load — ${date}

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb.toFixed(1)} GiB, ${m.os}, Node ${m.node}. The load generator runs on the same machine.
Load: ${MINUTES} minutes, four autocannon streams at once, each cycling through many targets:
ticket downloads of 300 orders (Bearer, ${STREAMS.downloads.connections} connections), pages (${STREAMS.pages.connections}), tRPC lists (${STREAMS.trpc.connections}), check-ins of 3,000 tickets (${STREAMS.checkins.connections}; once all are in, "already checked in").

## Result

| | |
|---|---|
| RSS at the start of the load | ${f0(summary.startMb)} MiB |
| RSS at half time | ${f0(summary.midMb)} MiB |
| RSS at the end | ${f0(summary.endMb)} MiB |
| peak, first half / second half | ${f0(summary.firstHalfPeakMb)} / ${f0(summary.secondHalfPeakMb)} MiB |
| trend over the second half | ${summary.secondHalfSlopeMbPerMin.toFixed(1)} MiB/min |
| plateau (second half ≤ 5% above the first half's peak, flat trend) | ${plateau ? "yes" : "**no**"} |
| under ${RSS_LIMIT_MB} MiB throughout | ${underLimit ? "yes" : "**no**"} (peak ${f0(summary.peakMb)} MiB) |
| requests served | ${summary.requests} |

| stream | requests | req/s | p50 ms | p99 ms | statuses | errors |
|---|---:|---:|---:|---:|---|---:|
${(Object.keys(results) as Stream[]).map((name) => `| ${name} | ${results[name].requests} | ${f0(results[name].rps)} | ${results[name].p50} | ${results[name].p99} | ${Object.entries(results[name].statuses).map(([k, v]) => `${k}: ${v}`).join(", ")} | ${results[name].errors} |`).join("\n")}

## RSS over time (bar: 0–${f0(scale)} MiB; right: requests served so far)

\`\`\`
${chart}
\`\`\`
`;
  saveResults("soak", date, json, md);
}

runBench(main);
