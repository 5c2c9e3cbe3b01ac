import { eq } from "drizzle-orm";
import { orders } from "@/db/schema";
import { signedIn, type PrivilegeRows } from "@/server/testing/matrix";
import type { World } from "@/server/testing/world";

async function cancelledOrder(w: World): Promise<string> {
  await w.db.update(orders).set({ status: "cancelled" }).where(eq(orders.id, w.order.id));
  return w.order.id;
}

/** Read: the event's owner and organizers, and staff. Write: owner and organizers only. */
const readers = signedIn(403, { organizer: 200, owner: 200, staff: 200, admin: 200 });
const writers = signedIn(403, { organizer: 200, owner: 200 });
const door = signedIn(403, { registrar: 200, organizer: 200, owner: 200 });
const ghost = "AAAAAAAAAAAAAAAAAAAAAA";

export const privileges: PrivilegeRows = {
  procedures: {
    "attendees.list": [
      { input: (w) => ({ eventId: w.event.id }), expect: readers },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403, { staff: 200, admin: 200 }), note: "our team can't list another event" },
      { input: () => ({ eventId: ghost }), expect: signedIn(404) },
    ],
    "attendees.forCheckIn": [
      { input: (w) => ({ eventId: w.event.id, search: "Holder" }), expect: door },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403) },
    ],
    "attendees.orders": [
      { input: (w) => ({ eventId: w.event.id }), expect: readers },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403, { staff: 200, admin: 200 }) },
    ],
    "attendees.cancel": [
      { input: (w) => ({ eventId: w.event.id, attendeeId: w.order.holderAttendeeId }), expect: writers },
      { input: (w) => ({ eventId: w.event.id, attendeeId: w.otherEvent.attendeeId }), expect: signedIn(403, { organizer: 404, owner: 404 }), note: "an attendee of another event is not found through ours" },
    ],
    "attendees.cancelOrder": [
      { input: (w) => ({ eventId: w.event.id, orderId: w.order.id }), expect: writers },
      { input: (w) => ({ eventId: w.event.id, orderId: w.otherEvent.orderId }), expect: signedIn(403, { organizer: 404, owner: 404 }) },
    ],
    "attendees.regenerateSecret": [
      { input: (w) => ({ eventId: w.event.id, attendeeId: w.order.holderAttendeeId }), expect: writers },
      { input: (w) => ({ eventId: w.otherEvent.id, attendeeId: w.otherEvent.attendeeId }), expect: signedIn(403) },
    ],
    "attendees.regenerateOrderSecrets": [
      { input: (w) => ({ eventId: w.event.id, orderId: w.order.id }), expect: writers },
      { input: (w) => ({ eventId: w.event.id, orderId: ghost }), expect: signedIn(403, { organizer: 404, owner: 404 }) },
    ],
    "attendees.markPaid": { input: (w) => ({ eventId: w.event.id, orderId: w.order.id, paid: true }), expect: writers },
    "attendees.resendOrderEmails": [
      { input: (w) => ({ eventId: w.event.id, orderId: w.order.id }), expect: writers, note: "staff read, they don't write to buyers" },
      { input: (w) => ({ eventId: w.event.id, orderId: w.otherEvent.orderId }), expect: signedIn(403, { organizer: 404, owner: 404 }), note: "another event's order is not found through ours" },
    ],
    "attendees.auditLog": [
      { input: (w) => ({ eventId: w.event.id }), expect: readers },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403, { staff: 200, admin: 200 }) },
    ],
  },
  badInput: {
    "attendees.forCheckIn": [{ as: "registrar", input: (w) => ({ eventId: w.event.id, search: "x".repeat(10_000) }), expect: 400, field: "search" }],
    "attendees.orders": [{ as: "organizer", input: (w) => ({ eventId: w.event.id, page: 0 }), expect: 400, field: "page" }],
    "attendees.cancelOrder": [{ as: "organizer", input: (w) => ({ eventId: w.event.id, orderId: "" }), expect: 400, field: "orderId" }],
    "attendees.regenerateSecret": [{ as: "organizer", input: (w) => ({ eventId: w.event.id, attendeeId: "" }), expect: 400, field: "attendeeId" }],
    "attendees.regenerateOrderSecrets": [{ as: "organizer", input: (w) => ({ eventId: w.event.id, orderId: "%00" }), expect: 404 }],
    "attendees.markPaid": [{ as: "organizer", input: (w) => ({ eventId: w.event.id, orderId: w.order.id, paid: "yes" }), expect: 400, field: "paid" }],
    "attendees.auditLog": [{ as: "organizer", input: (w) => ({ eventId: w.event.id, page: -1 }), expect: 400, field: "page" }],
    "attendees.list": [
      { as: "organizer", input: (w) => ({ eventId: w.event.id, search: "x".repeat(10 * 1024 * 1024) }), expect: 400, field: "search" },
      { as: "organizer", input: (w) => ({ eventId: w.event.id, page: 0 }), expect: 400, field: "page" },
      { as: "organizer", input: (w) => ({ eventId: w.event.id, search: "%_\\'; DROP TABLE attendees; --" }), expect: 200 },
    ],
    "attendees.cancel": [{ as: "organizer", input: (w) => ({ eventId: w.event.id, attendeeId: "../../etc/passwd" }), expect: 404 }],
    "attendees.resendOrderEmails": [
      { as: "organizer", input: (w) => ({ eventId: w.event.id, orderId: "" }), expect: 400, field: "orderId" },
      { as: "organizer", input: async (w) => ({ eventId: w.event.id, orderId: (await cancelledOrder(w)) }), expect: 409, field: "orderId" },
    ],
  },
  badRequests: [
    { file: "app/api/events/[eventId]/attendees.csv/route.ts", method: "GET", auth: "cookie", as: "organizer", path: (w) => `/api/events/${w.event.id}/attendees.csv?checkedIn=maybe`, params: (w) => ({ eventId: w.event.id }), expect: 400, field: "checkedIn" },
    { file: "app/api/events/[eventId]/attendees.csv/route.ts", method: "GET", auth: "cookie", as: "organizer", path: (w) => `/api/events/${w.event.id}/attendees.csv?search=${"x".repeat(300)}`, params: (w) => ({ eventId: w.event.id }), expect: 400, field: "search" },
  ],
  routes: [
    { file: "app/api/events/[eventId]/attendees.csv/route.ts", method: "GET", auth: "cookie", path: (w) => `/api/events/${w.event.id}/attendees.csv`, params: (w) => ({ eventId: w.event.id }), expect: readers },
    { file: "app/api/events/[eventId]/attendees.csv/route.ts", method: "GET", auth: "cookie", path: (w) => `/api/events/${w.otherEvent.id}/attendees.csv`, params: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403, { staff: 200, admin: 200 }) },
    { file: "app/api/events/[eventId]/attendees.csv/route.ts", method: "GET", auth: "bearer", scopes: ["tickets:read", "orders:read"], path: (w) => `/api/events/${w.event.id}/attendees.csv`, params: (w) => ({ eventId: w.event.id }), expect: signedIn(403), note: "a token without events:manage can't export" },
    { file: "app/api/events/[eventId]/attendees.csv/route.ts", method: "GET", auth: "cookie", path: () => `/api/events/%2e%2e%2fx/attendees.csv`, params: () => ({ eventId: "../x" }), expect: signedIn(404) },
  ],
};
