import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getQr } from "@/app/tickets/[orderIdentifier]/[attendeeIdentifier]/qr.svg/route";
import { attendees } from "@/db/schema";
import { downloadsOfOrder, listDownloadHistory } from "./downloads";
import { cookieHeader, ticketWorld, type TicketWorld } from "@/server/testing/ticket-order";
import { requireOrderAccess } from "@/server/access";
import { authenticateCookie } from "@/server/auth/caller";
import { createBrowserSession } from "@/server/auth/sessions";

let w: TicketWorld;
beforeAll(async () => {
  w = await ticketWorld();
});

function qr(attendeeIdentifier: string, headers: Record<string, string> = {}) {
  const request = new Request(`http://localhost/tickets/${w.order.id}/${attendeeIdentifier}/qr.svg`, { headers });
  return getQr(request, { params: Promise.resolve({ orderIdentifier: w.order.id, attendeeIdentifier }) });
}

describe("GET /tickets/{order}/{attendee}/qr.svg", () => {
  it("shows the holder their own ticket's QR: an SVG nothing may cache, under a policy that runs nothing", async () => {
    const holderTicket = w.order.attendees[1];
    const response = await qr(holderTicket.id, (await cookieHeader(w.db, w.users.holder)).headers);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    const svg = await response.text();
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    // Drawn by qrcode from the secret alone: shapes, no script, no links, no text.
    expect(svg).not.toMatch(/<script|href|on\w+=|<text|<foreignObject/i);
  });

  it("gives a holder nobody else's QR, and an anonymous caller nothing", async () => {
    expect((await qr(w.order.attendees[0].id, (await cookieHeader(w.db, w.users.holder)).headers)).status).toBe(403);
    expect((await qr(w.order.attendees[1].id)).status).toBe(401);
    expect((await qr(w.order.attendees[1].id, (await cookieHeader(w.db, w.users.unrelated)).headers)).status).toBe(403);
  });

  it("is audited like a download, and the history says it was shown on screen", async () => {
    const before = (await downloadsOfOrder(w.db, w.order.id)).length;
    expect((await qr(w.order.attendees[0].id, (await cookieHeader(w.db, w.users.buyer)).headers)).status).toBe(200);
    const rows = await downloadsOfOrder(w.db, w.order.id);
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ userId: w.users.buyer.id, format: "qr", accessAs: "buyer", attendeeIds: [w.order.attendees[0].id] });
    const auth = await authenticateCookie(w.db, (await createBrowserSession(w.db, w.users.buyer.id, { device: "d", ip: "i" })).secret);
    if (auth.kind !== "caller") throw new Error("no caller");
    const { order, visibility } = await requireOrderAccess(w.db, auth.caller, w.order.id);
    expect((await listDownloadHistory(w.db, order, { userId: w.users.buyer.id, visibility }))[0]).toMatchObject({ format: "qr", byLabel: "you" });
  });

  it("is 410 for a cancelled ticket", async () => {
    const ticket = w.order.attendees[2];
    await w.db.update(attendees).set({ status: "cancelled", cancelledAt: Date.now() }).where(eq(attendees.id, ticket.id));
    expect((await qr(ticket.id, (await cookieHeader(w.db, w.users.buyer)).headers)).status).toBe(410);
  });
});
