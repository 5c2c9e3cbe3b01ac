import { randomBytes } from "node:crypto";
import { newDoorCode } from "@/lib/door-code";
import { renderTicketsPdf, type PrintedTicket } from "@/server/tickets/document";

/**
 * Run by bench/render.ts in a fresh process, so "first render" really is the first (fonts not yet
 * parsed) and the RSS numbers belong to rendering alone. Prints one JSON line.
 */

const NAMES = ["Zoë Łukasiewicz", "José Álvarez", "Bob Smith", "Siobhán Ní Bhriain", "Þórunn Ægisdóttir", "Ана Петровић"];

/** An order of `n` tickets: mixed unicode names, every 10th cancelled (so a 1-ticket order is valid). */
function syntheticTickets(n: number): PrintedTicket[] {
  const id = () => randomBytes(16).toString("base64url");
  const orderIdentifier = id();
  return Array.from({ length: n }, (_, i) => ({
    eventName: "Demo Conf 2026: Building Reliable Systems",
    venue: "Kulturbrauerei, Schönhauser Allee 36, 10435 Berlin",
    startsAt: Date.UTC(2026, 2, 14, 8),
    endsAt: Date.UTC(2026, 2, 14, 16),
    timeZone: "Europe/Berlin",
    attendeeName: `${NAMES[i % NAMES.length]} ${i + 1}`,
    attendeeIdentifier: id(),
    ticketTypeName: i % 3 === 0 ? "Early bird" : "Regular",
    priceLabel: i % 3 === 0 ? "€49.00" : "€79.00",
    orderIdentifier,
    checkinSecret: id(),
    doorCode: newDoorCode(),
    status: i % 10 === 9 ? "cancelled" : "valid",
  }));
}

/** Wall and CPU time (all threads: GC, zlib) of rendering one new order of `n` tickets. */
async function renderOnce(n: number) {
  const tickets = syntheticTickets(n);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const pdf = await renderTicketsPdf(tickets);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes: pdf.length };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The median of several renders: on a shared machine one render can land on a neighbour's burst. */
async function warmRender(n: number, samples: number) {
  const runs = [];
  for (let i = 0; i < samples; i++) runs.push(await renderOnce(n));
  const ms = median(runs.map((r) => r.ms));
  const cpuMs = median(runs.map((r) => r.cpuMs));
  return { n, samples, ms, perPageMs: ms / n, cpuMs, cpuPerPageMs: cpuMs / n, bytes: runs[0].bytes };
}

const WARM_UP_RENDERS = 300;

const mb = (bytes: number) => bytes / 1024 / 1024;
// maxRSS is in KiB.
const peakMb = () => process.resourceUsage().maxRSS / 1024;

const first = await renderOnce(1);
// "Warm" is a process that has rendered for a while, like a server: V8 takes about 150 renders to
// finish optimizing react-pdf, and until then a render costs up to twice as much.
for (let i = 0; i < WARM_UP_RENDERS; i++) await renderOnce(1);
// About two seconds of rendering per size.
const warm = [await warmRender(1, 100), await warmRender(10, 21), await warmRender(100, 3)];

// Growth of one 100-attendee render over a process that has already rendered small orders.
globalThis.gc?.();
const before = mb(process.memoryUsage().rss);
const peakBefore = peakMb();
const hundred = await renderOnce(100);
const peakAfter = peakMb();

console.log(
  JSON.stringify({
    firstRenderInProcess: { n: 1, ms: first.ms },
    warm,
    hundred: { ms: hundred.ms, perPageMs: hundred.ms / 100, rssBeforeMb: before, peakBeforeMb: peakBefore, peakAfterMb: peakAfter, growthMb: Math.max(0, peakAfter - before) },
  }),
);
