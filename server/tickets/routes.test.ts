import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getOrderTickets, HEAD as headOrderTickets } from "@/app/tickets/[orderIdentifier]/route";
import { GET as getAttendeeTicket, HEAD as headAttendeeTicket } from "@/app/tickets/[orderIdentifier]/[attendeeIdentifier]/route";
import { auditLog } from "@/db/schema";
import { createBrowserSession, revokeSession } from "@/server/auth/sessions";
import { requireOrderAccess } from "@/server/access";
import { authenticateCookie } from "@/server/auth/caller";
import { downloadsOfOrder, listDownloadHistory } from "./downloads";
import { bearerHeader, cookieHeader, readPdf, ticketWorld, type TicketWorld } from "@/server/testing/ticket-order";

let w: TicketWorld;
beforeAll(async () => {
  w = await ticketWorld();
});

type Headers = Record<string, string>;

async function orderRequest(orderIdentifier: string, headers: Headers = {}, method: "GET" | "HEAD" = "GET") {
  const request = new Request(`http://localhost/tickets/${encodeURIComponent(orderIdentifier)}`, { method, headers });
  const ctx = { params: Promise.resolve({ orderIdentifier }) };
  return method === "GET" ? await getOrderTickets(request, ctx) : await headOrderTickets(request, ctx);
}

async function attendeeRequest(orderIdentifier: string, attendeeIdentifier: string, headers: Headers = {}, method: "GET" | "HEAD" = "GET") {
  const url = `http://localhost/tickets/${encodeURIComponent(orderIdentifier)}/${encodeURIComponent(attendeeIdentifier)}`;
  const request = new Request(url, { method, headers });
  const ctx = { params: Promise.resolve({ orderIdentifier, attendeeIdentifier }) };
  return method === "GET" ? await getAttendeeTicket(request, ctx) : await headAttendeeTicket(request, ctx);
}

const cookie = async (user: { id: string }) => (await cookieHeader(w.db, user)).headers;

async function pdfOf(response: Response) {
  expect(response.status).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect(Buffer.from(bytes.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
  expect(Number(response.headers.get("content-length"))).toBe(bytes.byteLength);
  return readPdf(bytes);
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(response.headers.get("content-disposition")).toBeNull();
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
}

describe("GET /tickets/{orderIdentifier}: who gets what", () => {
  it("answers 401 to an anonymous caller", async () => {
    await expectError(await orderRequest(w.order.id), 401, "UNAUTHORIZED");
  });

  it("answers 403 to a signed-in user with no link to the order, and to the event's registrar", async () => {
    await expectError(await orderRequest(w.order.id, await cookie(w.users.unrelated)), 403, "FORBIDDEN");
    await expectError(await orderRequest(w.order.id, await cookie(w.users.registrar)), 403, "FORBIDDEN");
    await expectError(await orderRequest(w.order.id, await cookie(w.users.otherOwner)), 403, "FORBIDDEN");
  });

  it("answers 403 to someone whose email is on a ticket but not verified", async () => {
    await expectError(await orderRequest(w.order.id, await cookie(w.users.unverifiedHolder)), 403, "FORBIDDEN");
  });

  it("answers 404 to an unknown order", async () => {
    await expectError(await orderRequest("AAAAAAAAAAAAAAAAAAAAAA", await cookie(w.users.buyer)), 404, "NOT_FOUND");
  });

  it.each(["buyer", "owner", "organizer", "staff", "admin"] as const)("gives the %s every ticket, each page with its attendee's QR code", async (role) => {
    const pdf = await pdfOf(await orderRequest(w.order.id, await cookie(w.users[role])));
    expect(pdf.pages).toBe(3);
    expect(pdf.qrCodes).toEqual(w.order.attendees.map((a) => [a.checkinSecret]));
    w.order.attendees.forEach((a, i) => expect(pdf.text[i]).toContain(a.name));
  });

  it("gives a holder (verified email, any case) a PDF of their own ticket only", async () => {
    const pdf = await pdfOf(await orderRequest(w.order.id, await cookie(w.users.holder)));
    const own = w.order.attendees[1];
    expect(pdf.pages).toBe(1);
    expect(pdf.qrCodes).toEqual([[own.checkinSecret]]);
    expect(pdf.text[0]).toContain("Hal Holder");
    const everything = pdf.text.join(" ");
    for (const other of [w.order.attendees[0], w.order.attendees[2]]) {
      expect(everything).not.toContain(other.name);
      expect(everything).not.toContain(other.checkinSecret);
    }
  });

  it("sends exactly the contract's headers", async () => {
    const response = await orderRequest(w.order.id, await cookie(w.users.buyer));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="ticket-${w.order.id}.pdf"`);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(Number(response.headers.get("content-length"))).toBeGreaterThan(1000);
    await response.body?.cancel();
  });
});

describe("Bearer tokens", () => {
  it("accepts a token with tickets:read", async () => {
    const { headers } = await bearerHeader(w.db, w.users.buyer, ["tickets:read"]);
    expect((await pdfOf(await orderRequest(w.order.id, headers))).pages).toBe(3);
  });

  it("refuses a token without tickets:read with 403, even the buyer's", async () => {
    const { headers } = await bearerHeader(w.db, w.users.buyer, ["orders:read", "checkin:write", "events:manage"]);
    await expectError(await orderRequest(w.order.id, headers), 403, "FORBIDDEN");
  });

  it("answers 401 to a forged, expired, malformed or revoked token", async () => {
    const forged = await bearerHeader(w.db, w.users.buyer, ["tickets:read"], { key: new Uint8Array(32).fill(7) });
    await expectError(await orderRequest(w.order.id, forged.headers), 401, "UNAUTHORIZED");

    const expired = await bearerHeader(w.db, w.users.buyer, ["tickets:read"], { nowSeconds: Math.floor(Date.now() / 1000) - 3600 });
    await expectError(await orderRequest(w.order.id, expired.headers), 401, "UNAUTHORIZED");

    const valid = await bearerHeader(w.db, w.users.buyer, ["tickets:read"]);
    const [head, body] = valid.headers.authorization.slice("Bearer ".length).split(".");
    const unsigned = `Bearer ${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${body}.`;
    await expectError(await orderRequest(w.order.id, { authorization: unsigned }), 401, "UNAUTHORIZED");
    await expectError(await orderRequest(w.order.id, { authorization: `Bearer ${head}` }), 401, "UNAUTHORIZED");
    await expectError(await orderRequest(w.order.id, { authorization: "Basic Zm9vOmJhcg==" }), 401, "UNAUTHORIZED");

    expect(await revokeSession(w.db, valid.sessionId, "test")).toBe(true);
    await expectError(await orderRequest(w.order.id, valid.headers), 401, "UNAUTHORIZED");
  });

  it("answers 401 once the browser session is revoked", async () => {
    const { headers, sessionId } = await cookieHeader(w.db, w.users.buyer);
    expect((await orderRequest(w.order.id, headers, "HEAD")).status).toBe(200);
    await revokeSession(w.db, sessionId, "test");
    await expectError(await orderRequest(w.order.id, headers), 401, "UNAUTHORIZED");
  });
});

describe("GET /tickets/{orderIdentifier}/{attendeeIdentifier}", () => {
  it("gives the buyer and the organizer any one ticket of the order", async () => {
    for (const user of [w.users.buyer, w.users.organizer, w.users.staff]) {
      const target = w.order.attendees[2];
      const response = await attendeeRequest(w.order.id, target.id, await cookie(user));
      expect(response.headers.get("content-disposition")).toBe(`attachment; filename="ticket-${target.id}.pdf"`);
      const pdf = await pdfOf(response);
      expect(pdf.pages).toBe(1);
      expect(pdf.qrCodes).toEqual([[target.checkinSecret]]);
    }
  });

  it("gives a holder their own ticket, 403 for another attendee of the order, 404 for one of another order", async () => {
    const [other, own] = w.order.attendees;
    const pdf = await pdfOf(await attendeeRequest(w.order.id, own.id, await cookie(w.users.holder)));
    expect(pdf.qrCodes).toEqual([[own.checkinSecret]]);
    await expectError(await attendeeRequest(w.order.id, other.id, await cookie(w.users.holder)), 403, "FORBIDDEN");
    await expectError(await attendeeRequest(w.order.id, w.otherOrder.attendees[0].id, await cookie(w.users.holder)), 404, "NOT_FOUND");
  });

  it("answers 404 to the buyer for an attendee of another order, even of an order they can see", async () => {
    await expectError(await attendeeRequest(w.order.id, w.otherOrder.attendees[0].id, await cookie(w.users.buyer)), 404, "NOT_FOUND");
    // Staff can see both orders, but an attendee still belongs to exactly one.
    await expectError(await attendeeRequest(w.order.id, w.otherOrder.attendees[0].id, await cookie(w.users.staff)), 404, "NOT_FOUND");
    await expectError(await attendeeRequest(w.otherOrder.id, w.order.attendees[0].id, await cookie(w.users.staff)), 404, "NOT_FOUND");
  });

  it("refuses the registrar, the unrelated user and anonymous callers like the order route", async () => {
    const target = w.order.attendees[0].id;
    await expectError(await attendeeRequest(w.order.id, target), 401, "UNAUTHORIZED");
    await expectError(await attendeeRequest(w.order.id, target, await cookie(w.users.registrar)), 403, "FORBIDDEN");
    await expectError(await attendeeRequest(w.order.id, target, await cookie(w.users.unrelated)), 403, "FORBIDDEN");
  });
});

describe("hostile identifiers", () => {
  const hostile = [
    "..%2F..%2Fetc%2Fpasswd",
    "../../etc/passwd",
    "..",
    "%00",
    "\u0000",
    "AAAAAAAAAAAAAAAAAAAAAA\u0000.pdf",
    "A".repeat(5000),
    "üüüüüüüüüüüüüüüüüüüüüü",
    "🎫🎫🎫🎫🎫🎫🎫🎫🎫🎫🎫",
    "ＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡＡ",
    "%2e%2e%2f%2e%2e%2fdata%2fauth-secret",
    " ",
    "",
  ];

  it.each(hostile.map((id) => [JSON.stringify(id.length > 40 ? `${id.slice(0, 20)}…(${id.length})` : id), id]))(
    "order id %s → 404 JSON, never a file",
    async (_label, id) => {
      await expectError(await orderRequest(id, await cookie(w.users.staff)), 404, "NOT_FOUND");
    },
  );

  it.each(hostile.map((id) => [JSON.stringify(id.length > 40 ? `${id.slice(0, 20)}…(${id.length})` : id), id]))(
    "attendee id %s → 404 JSON, never a file",
    async (_label, id) => {
      await expectError(await attendeeRequest(w.order.id, id, await cookie(w.users.buyer)), 404, "NOT_FOUND");
    },
  );

  it("treats params of the wrong shape as not found", async () => {
    const request = new Request("http://localhost/tickets/x", { headers: await cookie(w.users.buyer) });
    const response = await getOrderTickets(request, { params: Promise.resolve({ orderIdentifier: ["a", "b"] as unknown as string }) });
    await expectError(response, 404, "NOT_FOUND");
  });
});

describe("HEAD", () => {
  it("authorizes like GET, sends the same headers and no body, and writes no audit row", async () => {
    const before = (await downloadsOfOrder(w.db, w.order.id)).length;
    const head = await orderRequest(w.order.id, await cookie(w.users.buyer), "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    const get = await orderRequest(w.order.id, await cookie(w.users.buyer));
    for (const name of ["content-type", "content-disposition", "cache-control", "content-length"]) {
      expect(head.headers.get(name), name).toBe(get.headers.get(name));
    }
    await get.arrayBuffer();
    expect((await downloadsOfOrder(w.db, w.order.id)).length).toBe(before + 1);

    expect((await orderRequest(w.order.id, {}, "HEAD")).status).toBe(401);
    expect((await orderRequest(w.order.id, await cookie(w.users.registrar), "HEAD")).status).toBe(403);
    expect((await orderRequest("..%2F..%2Fetc%2Fpasswd", await cookie(w.users.buyer), "HEAD")).status).toBe(404);
    const forbidden = await attendeeRequest(w.order.id, w.order.attendees[0].id, await cookie(w.users.holder), "HEAD");
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toBeNull();
  });
});

describe("a browser following a link", () => {
  const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

  it.each([
    ["anonymous", 401, "Sign in"],
    ["unrelated", 403, "belongs to another account"],
    ["unknown", 404, "Not found"],
  ] as const)("gets a readable page for %s with the same status", async (who, status, text) => {
    const headers = who === "anonymous" ? html : { ...html, ...(await cookie(w.users.unrelated)) };
    const id = who === "unknown" ? "AAAAAAAAAAAAAAAAAAAAAA" : w.order.id;
    const response = await orderRequest(id, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-disposition")).toBeNull();
    const page = await response.text();
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain(text);
  });
});

describe("a ticket link opened while signed out", () => {
  const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

  it("asks the person to sign in for that event's ticket, in plain words, and comes back to the link", async () => {
    for (const [response, back] of [
      [await orderRequest(w.order.id, html), `/tickets/${w.order.id}`],
      [await attendeeRequest(w.order.id, w.order.attendees[1].id, html), `/tickets/${w.order.id}/${w.order.attendees[1].id}`],
    ] as const) {
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const page = await response.text();
      expect(page).toContain(`<h1>Sign in to download your ticket for Ticket Conf 2026</h1>`);
      expect(page).toContain(`href="/signin?callbackUrl=${encodeURIComponent(back)}"`);
      expect(page).not.toMatch(/Bearer|token/i);
    }
  });

  it("names no event for an order that doesn't exist", async () => {
    const page = await (await orderRequest("AAAAAAAAAAAAAAAAAAAAAA", html)).text();
    expect(page).toContain("<h1>Sign in to download your ticket</h1>");
  });

  it("still answers API clients with the JSON 401, word for word", async () => {
    const apiClients: Headers[] = [{}, { accept: "application/json" }, { accept: "text/html, application/json" }];
    for (const headers of apiClients) {
      const response = await orderRequest(w.order.id, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.json()).toEqual({ error: { code: "UNAUTHORIZED", message: "Sign in or send a Bearer token" } });
    }
  });
});

describe("audit", () => {
  it("records every download: who, session, which tickets, as what, from where", async () => {
    const world = await ticketWorld();
    w = world;
    const buyer = await cookieHeader(world.db, world.users.buyer);
    const response = await orderRequest(world.order.id, { ...buyer.headers, "x-forwarded-for": "203.0.113.7" });
    await response.arrayBuffer();
    const holder = await cookieHeader(world.db, world.users.holder);
    await (await attendeeRequest(world.order.id, world.order.attendees[1].id, holder.headers)).arrayBuffer();
    const organizer = await bearerHeader(world.db, world.users.organizer, ["tickets:read"]);
    await (await orderRequest(world.order.id, organizer.headers)).arrayBuffer();

    const rows = await downloadsOfOrder(world.db, world.order.id);
    expect(rows.map((r) => [r.userId, r.sessionId, r.accessAs, r.attendeeIds])).toEqual([
      [world.users.buyer.id, buyer.sessionId, "buyer", world.order.attendees.map((a) => a.id)],
      [world.users.holder.id, holder.sessionId, "holder", [world.order.attendees[1].id]],
      [world.users.organizer.id, organizer.sessionId, "organizer", world.order.attendees.map((a) => a.id)],
    ]);
    expect(rows[0].ip).toBe("203.0.113.7");
    expect(rows.every((r) => r.eventId === world.event.id && r.orderId === world.order.id)).toBe(true);
    // Only staff reads are also in the event's audit log.
    expect(await world.db.select().from(auditLog)).toEqual([]);
  });

  it("also writes a staff download to the event's audit log", async () => {
    const staff = await cookieHeader(w.db, w.users.staff);
    await (await orderRequest(w.order.id, staff.headers)).arrayBuffer();
    const entries = await w.db.select().from(auditLog).where(eq(auditLog.action, "staff_ticket_download"));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ eventId: w.event.id, actorId: w.users.staff.id, sessionId: staff.sessionId });
    expect(entries[0].detail).toMatchObject({ orderId: w.order.id, attendeeIds: w.order.attendees.map((a) => a.id) });
  });

  it("writes nothing for a refused request", async () => {
    const before = (await downloadsOfOrder(w.db, w.order.id)).length;
    await orderRequest(w.order.id, await cookie(w.users.registrar));
    await attendeeRequest(w.order.id, w.order.attendees[0].id, await cookie(w.users.holder));
    expect((await downloadsOfOrder(w.db, w.order.id)).length).toBe(before);
  });

  it("gives the buyer the whole history and a holder only their own downloads", async () => {
    const accessFor = async (user: { id: string }) => {
      const { secret } = await createBrowserSession(w.db, user.id, { device: "vitest", ip: "127.0.0.1" });
      const auth = await authenticateCookie(w.db, secret);
      if (auth.kind !== "caller") throw new Error("no caller");
      return (await requireOrderAccess(w.db, auth.caller, w.order.id)).visibility;
    };
    const buyerView = await listDownloadHistory(w.db, { id: w.order.id, buyerId: w.users.buyer.id }, { userId: w.users.buyer.id, visibility: await accessFor(w.users.buyer) });
    // Newest first: staff, organizer, holder, buyer.
    expect(buyerView.map((e) => [e.byLabel, e.accessAs, e.attendeeCount, e.isBuyer])).toEqual([
      ["Admit staff", "staff", 3, false],
      ["the organizer", "organizer", 3, false],
      ["the ticket holder", "holder", 1, false],
      ["you", "buyer", 3, true],
    ]);
    expect(buyerView[2].byName).toBe("Hal Holder");

    const holderView = await listDownloadHistory(w.db, { id: w.order.id, buyerId: w.users.buyer.id }, { userId: w.users.holder.id, visibility: await accessFor(w.users.holder) });
    expect(holderView.map((e) => [e.byLabel, e.attendeeIds])).toEqual([["you", [w.order.attendees[1].id]]]);
  });
});
