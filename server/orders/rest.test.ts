import { beforeEach, describe, expect, it } from "vitest";
import { GET as getOrder } from "@/app/api/v1/orders/[orderIdentifier]/route";
import { GET as listOrders } from "@/app/api/v1/orders/route";
import type { AppDb } from "@/db/client";
import { attendees, type User } from "@/db/schema";
import { accessTokenKey, signAccessToken } from "@/server/auth/access-token";
import type { Scope } from "@/server/auth/scopes";
import { createApiSession, revokeOwnSession } from "@/server/auth/sessions";
import { config } from "@/server/config";
import { makeEvent } from "@/server/testing/event-fixtures";
import { callerAs, freshDb, makeUser } from "@/server/testing/support";

let db: AppDb;
let buyer: User;
let holder: User;
let stranger: User;
let orderId: string;

beforeEach(async () => {
  db = await freshDb();
  const owner = await makeUser(db);
  buyer = await makeUser(db, { name: "Bea" });
  holder = await makeUser(db, { name: "Hal" });
  stranger = await makeUser(db);
  const event = await makeEvent(db, owner);
  const general = event.ticketTypes[0].id;
  ({ id: orderId } = await (await callerAs(db, buyer)).orders.place({
    eventId: event.id,
    items: [{ ticketTypeId: general, quantity: 2 }],
    attendees: [
      { ticketTypeId: general, name: "Bea", email: buyer.email },
      { ticketTypeId: general, name: "Hal", email: holder.email },
    ],
  }));
});

async function bearer(user: User, scopes: Scope[] = ["tickets:read", "orders:read"]) {
  const { session } = await createApiSession(db, user.id, scopes, { device: "vitest", ip: "127.0.0.1" });
  const token = await signAccessToken(await accessTokenKey(config().authSecret), { userId: user.id, sessionId: session.id, scopes });
  return { token, sessionId: session.id };
}

function get(path: string, token?: string, accept = "application/json") {
  const headers = new Headers({ accept });
  if (token) headers.set("authorization", `Bearer ${token}`);
  return new Request(`http://localhost${path}`, { headers });
}

const one = (id: string, token?: string, accept?: string) =>
  getOrder(get(`/api/v1/orders/${encodeURIComponent(id)}`, token, accept), { params: Promise.resolve({ orderIdentifier: id }) });

describe("GET /api/v1/orders/{orderIdentifier}", () => {
  it("gives the buyer the order with every attendee and no check-in secret", async () => {
    const { token } = await bearer(buyer);
    const response = await one(orderId, token);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const body = await response.json();
    expect(body.order.id).toBe(orderId);
    expect(body.attendees.map((a: { name: string }) => a.name)).toEqual(["Bea", "Hal"]);
    const text = JSON.stringify(body);
    for (const { s } of (await db.select({ s: attendees.checkinSecret }).from(attendees))) expect(text).not.toContain(s);
  });

  it("gives a holder only their own attendee row", async () => {
    const { token } = await bearer(holder);
    const body = await (await one(orderId, token)).json();
    expect(body.access).toBe("holder");
    expect(body.attendees.map((a: { name: string }) => a.name)).toEqual(["Hal"]);
  });

  it("answers 401 without a token, with a dead one, or with a cookie only", async () => {
    expect((await one(orderId)).status).toBe(401);
    expect((await one(orderId, "not-a-jwt")).status).toBe(401);
    const { token, sessionId } = await bearer(buyer);
    await revokeOwnSession(db, buyer.id, sessionId);
    const revoked = await one(orderId, token);
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error.code).toBe("UNAUTHORIZED");
  });

  it("answers 403 for a token without orders:read and for someone else's order", async () => {
    const { token: narrow } = await bearer(buyer, ["tickets:read"]);
    expect((await one(orderId, narrow)).status).toBe(403);
    const { token } = await bearer(stranger);
    const response = await one(orderId, token);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "FORBIDDEN", message: "This order belongs to another account" } });
  });

  it("answers unknown and hostile identifiers with 404, never 500", async () => {
    const { token } = await bearer(buyer);
    for (const id of ["AAAAAAAAAAAAAAAAAAAAAA", "..", "../../etc/passwd", "%00", "a b", "x".repeat(5000), "<script>", "😀"]) {
      const response = await one(id, token);
      expect(response.status, id).toBe(404);
      expect((await response.json()).error.code).toBe("NOT_FOUND");
    }
  });

  it("gives a browser following a link a readable 403 page", async () => {
    const { token } = await bearer(stranger);
    const response = await one(orderId, token, "text/html");
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("text/html");
  });
});

describe("GET /api/v1/orders", () => {
  it("lists the caller's orders: bought, and held (own rows only)", async () => {
    const { token: buyerToken } = await bearer(buyer);
    const bought = await (await listOrders(get("/api/v1/orders", buyerToken), { params: Promise.resolve({}) })).json();
    expect(bought.orders.map((o: { order: { id: string }; access: string }) => [o.order.id, o.access])).toEqual([[orderId, "buyer"]]);
    expect(bought.orders[0].attendees).toHaveLength(2);

    const { token: holderToken } = await bearer(holder);
    const held = await (await listOrders(get("/api/v1/orders", holderToken), { params: Promise.resolve({}) })).json();
    expect(held.orders[0].attendees.map((a: { name: string }) => a.name)).toEqual(["Hal"]);

    const { token: strangerToken } = await bearer(stranger);
    expect(await (await listOrders(get("/api/v1/orders", strangerToken), { params: Promise.resolve({}) })).json()).toEqual({ orders: [] });
  });

  it("answers 401 without a token and 403 without orders:read", async () => {
    expect((await listOrders(get("/api/v1/orders"), { params: Promise.resolve({}) })).status).toBe(401);
    const { token } = await bearer(buyer, ["tickets:read"]);
    expect((await listOrders(get("/api/v1/orders", token), { params: Promise.resolve({}) })).status).toBe(403);
  });
});
