import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { newDoorCode } from "@/server/checkin/door-code";
import { renderTicketsPdf, type PrintedTicket } from "./document";

/**
 * Times one `renderTicketsPdf` call over `n` synthetic tickets (every 10th cancelled, mixed
 * unicode names). The first call in a process also pays for loading and parsing the fonts; call
 * it once beforehand to measure the warm path.
 */
export async function measureRender(n: number): Promise<{ ms: number; perPageMs: number; bytes: number }> {
  const tickets = syntheticTickets(n);
  const start = performance.now();
  const pdf = await renderTicketsPdf(tickets);
  const ms = performance.now() - start;
  return { ms, perPageMs: ms / n, bytes: pdf.length };
}

const NAMES = ["Zoë Łukasiewicz", "José Álvarez", "Bob Smith", "Siobhán Ní Bhriain", "Þórunn Ægisdóttir", "Ана Петровић"];

export function syntheticTickets(n: number): PrintedTicket[] {
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

// `npx tsx server/tickets/render-timing.ts [n...]`: cold render first, then each size warm.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const ns = sizes.length ? sizes : [1, 10, 100];
  const fmt = (r: { ms: number; perPageMs: number; bytes: number }) =>
    `${r.ms.toFixed(0)} ms total, ${r.perPageMs.toFixed(1)} ms/page, ${(r.bytes / 1024).toFixed(0)} KiB`;
  console.log(`cold  n=${ns[0]}: ${fmt(await measureRender(ns[0]))}`);
  for (const n of ns) console.log(`warm  n=${n}: ${fmt(await measureRender(n))}`);
}
