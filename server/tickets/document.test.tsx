import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDoorCode, newDoorCode } from "@/lib/door-code";
import { printedFingerprint, renderTicketsPdf, type PrintedTicket } from "./document";

const secret = () => randomBytes(16).toString("base64url");

const event = {
  eventName: "Demo Conf 2026",
  venue: "Kulturbrauerei, Schönhauser Allee 36, Berlin",
  // 09:00–17:00 in Berlin (CET, UTC+1)
  startsAt: Date.UTC(2026, 2, 14, 8, 0),
  endsAt: Date.UTC(2026, 2, 14, 16, 0),
  timeZone: "Europe/Berlin",
};
const orderIdentifier = secret();

const tickets: PrintedTicket[] = [
  {
    ...event,
    attendeeName: "Zoë Łukasiewicz",
    attendeeIdentifier: secret(),
    ticketTypeName: "Early bird",
    priceLabel: "€49.00",
    orderIdentifier,
    checkinSecret: secret(),
    doorCode: newDoorCode(),
    status: "valid",
  },
  {
    ...event,
    attendeeName: "Bob Smith",
    attendeeIdentifier: secret(),
    ticketTypeName: "Regular",
    priceLabel: "Free",
    orderIdentifier,
    checkinSecret: secret(),
    doorCode: newDoorCode(),
    status: "valid",
  },
  {
    ...event,
    attendeeName: "José Álvarez",
    attendeeIdentifier: secret(),
    ticketTypeName: "Regular",
    priceLabel: "Free",
    orderIdentifier,
    checkinSecret: secret(),
    doorCode: newDoorCode(),
    status: "cancelled",
  },
];

/** zbarimg prints one "data" line per symbol with --raw; no symbol → empty output and exit 4. */
function decodeQr(png: string): { status: number | null; codes: string[] } {
  const r = spawnSync("zbarimg", ["--raw", "-q", png], { encoding: "utf8" });
  return { status: r.status, codes: r.stdout.split("\n").filter(Boolean) };
}

describe("renderTicketsPdf", () => {
  let dir: string;
  let pdfPath: string;
  let pages: string[];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "admit-tickets-"));
    pdfPath = path.join(dir, "tickets.pdf");
    const pdf = await renderTicketsPdf(tickets);
    expect(Buffer.isBuffer(pdf)).toBe(true);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    writeFileSync(pdfPath, pdf);
    execFileSync("pdftoppm", ["-r", "150", "-png", pdfPath, path.join(dir, "page")]);
    pages = readdirSync(dir)
      .filter((f) => f.startsWith("page") && f.endsWith(".png"))
      .sort()
      .map((f) => path.join(dir, f));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints one page per ticket", () => {
    const info = execFileSync("pdfinfo", [pdfPath], { encoding: "utf8" });
    expect(info).toMatch(/^Pages:\s+3$/m);
    expect(pages).toHaveLength(3);
  });

  it("prints the event, names, time zone and order as text (fonts cover Latin Extended)", () => {
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", pdfPath, "-"], { encoding: "utf8" });
    // Line wrapping is the layout's business; compare with whitespace collapsed.
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("Demo Conf 2026");
    expect(flat).toContain("Zoë Łukasiewicz");
    expect(flat).toContain("Bob Smith");
    expect(flat).toContain("José Álvarez");
    expect(flat).toContain("Sat, 14 Mar 2026, 09:00 – 17:00 CET (Europe/Berlin)");
    expect(flat).toContain(orderIdentifier);
    expect(flat).toContain("CANCELLED — NOT VALID FOR ENTRY");

    // Page by page: the banner is on the cancelled ticket only.
    const perPage = text.split("\f").map((p) => p.replace(/\s+/g, " "));
    expect(perPage[0]).toContain("Zoë Łukasiewicz");
    expect(perPage[0]).not.toContain("CANCELLED");
    expect(perPage[1]).not.toContain("CANCELLED");
    expect(perPage[2]).toContain("José Álvarez");
    expect(perPage[2]).toContain("CANCELLED — NOT VALID FOR ENTRY");
    // The door code is printed under the QR, grouped for reading out; a cancelled ticket carries
    // no code to type in, and the secret itself is only ever in the QR code.
    expect(perPage[0]).toContain(formatDoorCode(tickets[0].doorCode));
    expect(perPage[1]).toContain(formatDoorCode(tickets[1].doorCode));
    expect(perPage[2]).not.toContain(formatDoorCode(tickets[2].doorCode));
    for (const ticket of tickets) expect(flat).not.toContain(ticket.checkinSecret);
  });

  it("puts a QR code of exactly the check-in secret on each valid page", () => {
    for (const i of [0, 1]) {
      const { status, codes } = decodeQr(pages[i]);
      expect(status).toBe(0);
      expect(codes).toEqual([tickets[i].checkinSecret]);
    }
  });

  it("puts no QR code on a cancelled ticket", () => {
    const { status, codes } = decodeQr(pages[2]);
    expect(status).not.toBe(0);
    expect(codes).toEqual([]);
  });

  it("keeps overlong text on one page per ticket", async () => {
    const long: PrintedTicket = {
      ...tickets[0],
      eventName: "Internationale Softwarearchitekturkonferenzveranstaltungsreihe ".repeat(4),
      attendeeName: "Maximilian-Alexander Schwarzenegger-Łukasiewicz von und zu Liechtensteinhausen",
      venue: "Somewhere ".repeat(30),
    };
    const file = path.join(dir, "long.pdf");
    writeFileSync(file, await renderTicketsPdf([long, tickets[1]]));
    expect(execFileSync("pdfinfo", [file], { encoding: "utf8" })).toMatch(/^Pages:\s+2$/m);
    execFileSync("pdftoppm", ["-r", "150", "-png", "-f", "1", "-l", "1", file, path.join(dir, "long")]);
    const png = readdirSync(dir).find((f) => f.startsWith("long") && f.endsWith(".png"))!;
    expect(decodeQr(path.join(dir, png)).codes).toEqual([long.checkinSecret]);
  });
});

describe("printedFingerprint", () => {
  const base = tickets[0];

  it("is equal for equal input, whatever the key order or extra properties", () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as PrintedTicket;
    const withExtra = { ...base, internalNote: "not printed" } as PrintedTicket;
    expect(printedFingerprint({ ...base })).toBe(printedFingerprint(base));
    expect(printedFingerprint(reordered)).toBe(printedFingerprint(base));
    expect(printedFingerprint(withExtra)).toBe(printedFingerprint(base));
  });

  it("changes when anything printed changes", () => {
    const fp = printedFingerprint(base);
    expect(printedFingerprint({ ...base, attendeeName: "Zoe Lukasiewicz" })).not.toBe(fp);
    expect(printedFingerprint({ ...base, checkinSecret: secret() })).not.toBe(fp);
    expect(printedFingerprint({ ...base, doorCode: newDoorCode() })).not.toBe(fp);
    expect(printedFingerprint({ ...base, status: "cancelled" })).not.toBe(fp);
    expect(printedFingerprint({ ...base, status: "event_cancelled" })).not.toBe(fp);
    expect(printedFingerprint({ ...base, ticketTypeName: "Late bird" })).not.toBe(fp);
    expect(printedFingerprint({ ...base, timeZone: "Europe/London" })).not.toBe(fp);
    expect(printedFingerprint({ ...base, venue: base.venue + "!" })).not.toBe(fp);
  });

  it("does not let one field's text bleed into the next", () => {
    // A naive "a|b" join would make these two collide.
    const a = { ...base, attendeeName: "Ann|x", ticketTypeName: "y" };
    const b = { ...base, attendeeName: "Ann", ticketTypeName: "x|y" };
    expect(printedFingerprint(a)).not.toBe(printedFingerprint(b));
  });
});
