import { eq } from "drizzle-orm";
import { attendees } from "@/db/schema";
import { everyone, signedIn, type PrivilegeRows } from "@/server/testing/matrix";
import type { World } from "@/server/testing/world";

const door = signedIn(403, { registrar: 200, organizer: 200, owner: 200 });

/** The world's holder, checked in by the registrar: what an undo acts on. */
async function checkedInHolder(w: World): Promise<string> {
  await w.db.update(attendees).set({ checkedInAt: Date.now(), checkedInBy: w.users.registrar.id }).where(eq(attendees.id, w.order.holderAttendeeId));
  return w.order.holderAttendeeId;
}

/** Gives the holder a door code full of the characters people mistype (0 and 1), and returns it typed the wrong way. */
async function codeTypedWithLookAlikes(w: World): Promise<string> {
  await w.db.update(attendees).set({ doorCode: "0123456789" }).where(eq(attendees.id, w.order.holderAttendeeId));
  return "oi234-56789";
}

export const privileges: PrivilegeRows = {
  procedures: {
    "checkin.scan": [
      {
        input: (w) => ({ eventId: w.event.id, secret: w.order.holderSecret }),
        expect: door,
        note: "staff read everything but don't work the door; only the event's team checks in",
      },
      {
        input: (w) => ({ eventId: w.otherEvent.id, secret: w.order.holderSecret }),
        expect: signedIn(403),
        note: "the team of one event can't scan at another's",
      },
      { input: () => ({ eventId: "no-such-event-xxxxxxxxx", secret: "whatever-secret-value" }), expect: signedIn(404) },
      { input: (w) => ({ eventId: w.event.id, code: w.order.holderDoorCode.toLowerCase() }), expect: door, note: "the short code, typed in any case" },
      { input: (w) => ({ eventId: w.event.id, attendeeId: w.order.holderAttendeeId }), expect: door, note: "a search result, on the screen of its own event" },
    ],
    "checkin.undo": [
      { input: async (w) => ({ eventId: w.event.id, attendeeId: (await checkedInHolder(w)), reason: "Wrong guest" }), expect: door, note: "the door takes back its own mistakes" },
      { input: (w) => ({ eventId: w.otherEvent.id, attendeeId: w.otherEvent.attendeeId, reason: "x" }), expect: signedIn(403) },
      { input: () => ({ eventId: "AAAAAAAAAAAAAAAAAAAAAA", attendeeId: "AAAAAAAAAAAAAAAAAAAAAA", reason: "x" }), expect: signedIn(404) },
    ],
    "checkin.recent": [
      { input: (w) => ({ eventId: w.event.id, door: "all" }), expect: door },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403) },
    ],
  },
  badInput: {
    "checkin.scan": [
      { as: "registrar", input: (w) => ({ eventId: w.event.id, secret: "" }), expect: 400, field: "secret" },
      { as: "registrar", input: (w) => ({ eventId: w.event.id, secret: "x".repeat(10_000) }), expect: 400, field: "secret" },
      { as: "registrar", input: (w) => ({ eventId: w.event.id }), expect: 400, field: "secret" },
      { as: "registrar", input: (w) => ({ eventId: w.event.id, secret: w.order.holderSecret, code: w.order.holderDoorCode }), expect: 400, field: "code" },
      { as: "registrar", input: (w) => ({ eventId: w.event.id, code: "UUUUU-UUUUU" }), expect: 400, field: "code" },
      { as: "registrar", input: (w) => ({ eventId: w.event.id, code: "ABC" }), expect: 400, field: "code" },
      { as: "registrar", input: async (w) => ({ eventId: w.event.id, code: (await codeTypedWithLookAlikes(w)) }), expect: 200 },
    ],
    "checkin.undo": [
      { as: "registrar", input: (w) => ({ eventId: w.event.id, attendeeId: w.order.holderAttendeeId, reason: "Mis-tap" }), expect: 409, field: "attendeeId" },
      { as: "registrar", input: async (w) => ({ eventId: w.event.id, attendeeId: (await checkedInHolder(w)), reason: "  " }), expect: 400, field: "reason" },
      { as: "registrar", input: (w) => ({ eventId: w.event.id, attendeeId: w.otherEvent.attendeeId, reason: "x" }), expect: 404, field: "attendeeId" },
    ],
    "checkin.recent": [{ as: "registrar", input: (w) => ({ eventId: w.event.id, door: "side" }), expect: 400, field: "door" }],
  },
  badRequests: [
    { file: "app/api/v1/checkin/route.ts", method: "POST", auth: "bearer", as: "registrar", path: () => "/api/v1/checkin", body: {}, expect: 400, field: "secret" },
    { file: "app/api/v1/checkin/route.ts", method: "POST", auth: "bearer", as: "registrar", path: () => "/api/v1/checkin", body: { secret: "x".repeat(600) }, expect: 400, field: "secret" },
    { file: "app/api/v1/checkin/route.ts", method: "POST", auth: "bearer", as: "registrar", path: () => "/api/v1/checkin", body: "[1,", headers: { "content-type": "application/json" }, expect: 400 },
    { file: "app/api/v1/checkin/route.ts", method: "POST", auth: "bearer", as: "registrar", path: () => "/api/v1/checkin", body: { secret: "AAAAAAAAAAAAAAAAAAAAAA", code: "7KQ2M-X9D4P" }, expect: 400, field: "code" },
    { file: "app/api/v1/checkin/route.ts", method: "POST", auth: "bearer", as: "registrar", path: () => "/api/v1/checkin", body: { code: "not a code" }, expect: 400, field: "code" },
  ],
  routes: [
    {
      file: "app/api/v1/checkin/route.ts",
      method: "POST",
      auth: "bearer",
      path: () => "/api/v1/checkin",
      body: (w) => ({ secret: w.order.holderSecret }),
      expect: signedIn(403, { registrar: 200, organizer: 200, owner: 200 }),
    },
    {
      file: "app/api/v1/checkin/route.ts",
      method: "POST",
      auth: "bearer",
      path: () => "/api/v1/checkin",
      body: (w) => ({ code: w.order.holderDoorCode.toLowerCase() }),
      expect: signedIn(403, { registrar: 200, organizer: 200, owner: 200 }),
      note: "the short door code works like the QR secret",
    },
    {
      file: "app/api/v1/checkin/route.ts",
      method: "POST",
      auth: "bearer",
      scopes: ["tickets:read", "orders:read"],
      path: () => "/api/v1/checkin",
      body: (w) => ({ secret: w.order.holderSecret }),
      expect: signedIn(403),
      note: "a token without checkin:write is refused even for the team",
    },
    {
      file: "app/api/v1/checkin/route.ts",
      method: "POST",
      auth: "bearer",
      path: () => "/api/v1/checkin",
      body: () => ({ secret: "AAAAAAAAAAAAAAAAAAAAAA" }),
      expect: signedIn(404),
    },
    {
      file: "app/api/v1/checkin/route.ts",
      method: "POST",
      auth: "cookie",
      path: () => "/api/v1/checkin",
      body: (w) => ({ secret: w.order.holderSecret }),
      expect: everyone(401),
      note: "scanner devices use Bearer tokens; the browser check-in screen goes through tRPC",
    },
  ],
};
