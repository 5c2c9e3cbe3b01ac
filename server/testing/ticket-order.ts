import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AppDb } from "@/db/client";
import { eventMembers, type User } from "@/db/schema";
import { accessTokenKey, signAccessToken } from "@/server/auth/access-token";
import { sessionCookieName } from "@/server/auth/caller";
import type { Scope } from "@/server/auth/scopes";
import { createApiSession, createBrowserSession } from "@/server/auth/sessions";
import { config } from "@/server/config";
import { freshDb, makeUser } from "@/server/testing/support";
import { insertEvent, insertOrder } from "@/server/testing/inserts";

/**
 * Test fixture for the ticket routes, built with direct inserts (no dependency on the events and
 * orders modules): one event with its team, an order by the buyer for three attendees, and an
 * order of another event.
 */
export async function ticketWorld() {
  const db = await freshDb();
  const now = Date.now();
  const [buyer, holder, unverifiedHolder, owner, organizer, registrar, staff, admin, unrelated, otherOwner] = await Promise.all([
    makeUser(db, { name: "Bea Buyer" }),
    makeUser(db, { name: "Hal Holder" }),
    makeUser(db, { name: "Una Unverified", verified: false }),
    makeUser(db, { name: "Olga Owner" }),
    makeUser(db, { name: "Otto Organizer" }),
    makeUser(db, { name: "Rita Registrar" }),
    makeUser(db, { name: "Stan Staff", role: "staff" }),
    makeUser(db, { name: "Ada Admin", role: "admin" }),
    makeUser(db, { name: "Uwe Unrelated" }),
    makeUser(db, { name: "Other Owner" }),
  ]);

  const event = await insertEvent(db, "Ticket Conf 2026", {}, now);
  for (const [role, user] of [["owner", owner], ["organizer", organizer], ["registrar", registrar]] as const) {
    await db.insert(eventMembers).values({ eventId: event.id, userId: user.id, role, createdAt: now });
  }
  const order = await insertOrder(db, event, buyer, [
    { name: "Bea Buyer", email: buyer.email },
    // Upper-case on purpose: holders are matched case-insensitively.
    { name: "Hal Holder", email: holder.email.toUpperCase() },
    { name: "Una Unverified", email: unverifiedHolder.email },
  ], now);

  const otherEvent = await insertEvent(db, "Other Fest", {}, now);
  await db.insert(eventMembers).values({ eventId: otherEvent.id, userId: otherOwner.id, role: "owner", createdAt: now });
  const otherOrder = await insertOrder(db, otherEvent, otherOwner, [{ name: "Other Owner", email: otherOwner.email }], now);

  return {
    db,
    users: { buyer, holder, unverifiedHolder, owner, organizer, registrar, staff, admin, unrelated, otherOwner },
    event,
    order,
    otherOrder,
  };
}
export type TicketWorld = Awaited<ReturnType<typeof ticketWorld>>;

export async function cookieHeader(db: AppDb, user: Pick<User, "id">): Promise<{ headers: Record<string, string>; sessionId: string }> {
  const { session, secret } = await createBrowserSession(db, user.id, { device: "vitest", ip: "127.0.0.1" });
  return { headers: { cookie: `${sessionCookieName()}=${secret}` }, sessionId: session.id };
}

export async function bearerHeader(
  db: AppDb,
  user: Pick<User, "id">,
  scopes: Scope[] = ["tickets:read", "orders:read"],
  options: { nowSeconds?: number; key?: Uint8Array } = {},
): Promise<{ headers: Record<string, string>; sessionId: string }> {
  const { session } = await createApiSession(db, user.id, scopes, { device: "vitest", ip: "127.0.0.1" });
  const key = options.key ?? (await accessTokenKey(config().authSecret));
  const token = await signAccessToken(key, { userId: user.id, sessionId: session.id, scopes }, options.nowSeconds);
  return { headers: { authorization: `Bearer ${token}` }, sessionId: session.id };
}

export type PdfReading = { pages: number; qrCodes: string[][]; text: string[] };

/** Reads a PDF with real tools: page count (pdfinfo), text per page (pdftotext), QR codes per page (zbarimg). */
export function readPdf(bytes: Uint8Array): PdfReading {
  const dir = mkdtempSync(path.join(tmpdir(), "admit-pdf-"));
  const file = path.join(dir, "t.pdf");
  writeFileSync(file, bytes);
  const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
  const pages = Number(/^Pages:\s+(\d+)$/m.exec(info)?.[1] ?? NaN);
  const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" })
    .split("\f")
    .slice(0, pages)
    .map((p) => p.replace(/\s+/g, " ").trim());
  execFileSync("pdftoppm", ["-r", "110", "-png", file, path.join(dir, "page")]);
  const pngs = readdirSync(dir).filter((f) => f.startsWith("page") && f.endsWith(".png")).sort();
  const qrCodes = pngs.map((png) => {
    // zbarimg exits 4 when a page has no symbol (a cancelled ticket); that's an answer, not an error.
    const r = spawnSync("zbarimg", ["--raw", "-q", path.join(dir, png)], { encoding: "utf8" });
    return r.stdout.split("\n").filter(Boolean);
  });
  return { pages, qrCodes, text };
}
