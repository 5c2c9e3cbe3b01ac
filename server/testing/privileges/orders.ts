import { eq } from "drizzle-orm";
import { events, ticketTypes } from "@/db/schema";
import { everyone, signedIn, type PrivilegeRows, type RouteRow } from "@/server/testing/matrix";
import type { World } from "@/server/testing/world";

/** One ticket of `ticketTypeId` for a made-up attendee. */
function oneTicket(eventId: string, ticketTypeId: string, attendee: Record<string, unknown> = {}) {
  return {
    eventId,
    items: [{ ticketTypeId, quantity: 1 }],
    attendees: [{ ticketTypeId, name: "Matrix Attendee", email: "matrix-attendee@world.test", ...attendee }],
    // A guest's own details; a signed-in buyer buys as their account and this is ignored.
    buyer: { name: "Matrix Guest", email: "matrix-guest@world.test" },
  };
}

async function unpublish(w: World): Promise<World> {
  await w.db.update(events).set({ published: false }).where(eq(events.id, w.event.id));
  return w;
}

async function sellOut(w: World): Promise<World> {
  await w.db.update(ticketTypes).set({ sold: 100 }).where(eq(ticketTypes.id, w.event.ticketTypeId));
  return w;
}

/** Who sees the world's order: its buyer, the holder (own row), the event's owner/organizer, staff. */
const orderReaders = signedIn(403, { buyer: 200, holder: 200, organizer: 200, owner: 200, staff: 200, admin: 200 });

const orderRoute = (overrides: Partial<RouteRow> & Pick<RouteRow, "expect">): RouteRow => ({
  file: "app/api/v1/orders/[orderIdentifier]/route.ts",
  method: "GET",
  auth: "bearer",
  path: (w) => `/api/v1/orders/${w.order.id}`,
  params: (w) => ({ orderIdentifier: w.order.id }),
  ...overrides,
});

export const privileges: PrivilegeRows = {
  procedures: {
    "orders.place": [
      { input: (w) => oneTicket(w.event.id, w.event.ticketTypeId), expect: everyone(200), note: "anyone may buy from a published event, signed in or as a guest" },
      {
        input: (w) => ({ ...oneTicket(w.event.id, w.event.ticketTypeId), buyer: undefined }),
        expect: everyone(200, { anonymous: 400 }),
        note: "a guest must say who they are (name and email); a signed-in buyer is their account",
      },
      {
        input: async (w) => oneTicket((await unpublish(w)).event.id, w.event.ticketTypeId),
        expect: everyone(404, { registrar: 200, organizer: 200, owner: 200 }),
        note: "a draft sells only to its team (test orders); to everyone else, guests included, it doesn't exist",
      },
      { input: (w) => oneTicket(w.event.id, w.otherEvent.ticketTypeId), expect: everyone(404), note: "a ticket type from another event is not found" },
    ],
    "orders.get": [
      { input: (w) => ({ orderIdentifier: w.order.id }), expect: orderReaders, note: "the holder sees only their own row (tested in server/orders)" },
      { input: (w) => ({ orderIdentifier: w.otherEvent.orderId }), expect: signedIn(403, { staff: 200, admin: 200 }), note: "our event's team sees nothing of another event's orders" },
      { input: () => ({ orderIdentifier: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: signedIn(404) },
      { input: () => ({ orderIdentifier: "../../etc/passwd" }), expect: signedIn(404) },
    ],
    "orders.mine": { expect: signedIn(200) },
    "orders.resendTicketEmail": [
      {
        input: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: w.order.holderAttendeeId }),
        expect: signedIn(403, { buyer: 200, holder: 200 }),
        note: "the buyer resends any ticket's email, the holder their own; the event's team and staff see the order but don't mail its people",
      },
      {
        input: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: w.order.buyerAttendeeId }),
        expect: signedIn(403, { buyer: 200 }),
        note: "a holder can't send someone else's ticket",
      },
      { input: (w) => ({ orderIdentifier: w.otherEvent.orderId, attendeeIdentifier: w.otherEvent.attendeeId }), expect: signedIn(403) },
    ],
  },
  badInput: {
    "orders.get": [
      { as: "buyer", input: () => ({ orderIdentifier: 42 }), expect: 400, field: "orderIdentifier" },
      { as: "buyer", input: () => ({ orderIdentifier: "..%2F..%2Fetc%2Fpasswd" }), expect: 404 },
    ],
    "orders.resendTicketEmail": [
      { as: "buyer", input: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: "" }), expect: 400, field: "attendeeIdentifier" },
      { as: "buyer", input: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: 404 },
      { as: "buyer", input: (w) => ({ orderIdentifier: w.order.id, attendeeIdentifier: w.otherEvent.attendeeId }), expect: 404 },
      { as: "buyer", input: () => ({ orderIdentifier: "AAAAAAAAAAAAAAAAAAAAAA", attendeeIdentifier: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: 404 },
    ],
    "orders.place": [
      { as: "user", input: (w) => ({ ...oneTicket(w.event.id, w.event.ticketTypeId), buyer: { name: "Guest", email: "nope" } }), expect: 400, field: "buyer.email" },
      { as: "user", input: (w) => ({ ...oneTicket(w.event.id, w.event.ticketTypeId), items: [{ ticketTypeId: w.event.ticketTypeId, quantity: 0 }] }), expect: 400, field: "items.0.quantity" },
      { as: "user", input: (w) => ({ ...oneTicket(w.event.id, w.event.ticketTypeId), items: [{ ticketTypeId: w.event.ticketTypeId, quantity: -1 }] }), expect: 400, field: "items.0.quantity" },
      { as: "user", input: (w) => ({ ...oneTicket(w.event.id, w.event.ticketTypeId), items: [{ ticketTypeId: w.event.ticketTypeId, quantity: 2 }] }), expect: 400, field: "items.0.quantity" },
      { as: "user", input: (w) => oneTicket(w.event.id, w.event.ticketTypeId, { name: "" }), expect: 400, field: "attendees.0.name" },
      { as: "user", input: (w) => oneTicket(w.event.id, w.event.ticketTypeId, { email: "nope" }), expect: 400, field: "attendees.0.email" },
      { as: "user", input: (w) => oneTicket(w.event.id, w.otherEvent.ticketTypeId), expect: 404, field: "items.0.ticketTypeId" },
      { as: "user", input: async (w) => oneTicket((await unpublish(w)).event.id, w.event.ticketTypeId), expect: 404, field: "eventId" },
      { as: "user", input: async (w) => oneTicket((await sellOut(w)).event.id, w.event.ticketTypeId), expect: 409, field: "items.0.quantity" },
    ],
  },
  badRequests: [
    { file: "app/api/v1/orders/[orderIdentifier]/route.ts", method: "GET", auth: "bearer", as: "buyer", path: () => "/api/v1/orders/..%2Fx", params: () => ({ orderIdentifier: "../x" }), expect: 404 },
    { file: "app/api/v1/orders/[orderIdentifier]/route.ts", method: "GET", auth: "bearer", as: "buyer", path: () => "/api/v1/orders/é", params: () => ({ orderIdentifier: "é".repeat(3000) }), expect: 404 },
  ],
  routes: [
    { file: "app/api/v1/orders/route.ts", method: "GET", auth: "bearer", path: () => "/api/v1/orders", expect: signedIn(200) },
    {
      file: "app/api/v1/orders/route.ts",
      method: "GET",
      auth: "bearer",
      scopes: ["tickets:read"],
      path: () => "/api/v1/orders",
      expect: signedIn(403),
      note: "a token without orders:read",
    },
    { file: "app/api/v1/orders/route.ts", method: "GET", auth: "cookie", path: () => "/api/v1/orders", expect: signedIn(401), note: "the REST API takes Bearer tokens only" },
    orderRoute({ expect: orderReaders }),
    orderRoute({ scopes: ["tickets:read"], expect: signedIn(403), note: "a token without orders:read" }),
    orderRoute({ auth: "cookie", expect: signedIn(401), note: "the REST API takes Bearer tokens only" }),
    orderRoute({
      path: (w) => `/api/v1/orders/${w.otherEvent.orderId}`,
      params: (w) => ({ orderIdentifier: w.otherEvent.orderId }),
      expect: signedIn(403, { staff: 200, admin: 200 }),
    }),
    orderRoute({ path: () => "/api/v1/orders/AAAAAAAAAAAAAAAAAAAAAA", params: () => ({ orderIdentifier: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: signedIn(404) }),
    orderRoute({ path: () => "/api/v1/orders/%2E%2E", params: () => ({ orderIdentifier: ".." }), expect: signedIn(404), note: "hostile identifiers are 404, never 500" }),
  ],
};
