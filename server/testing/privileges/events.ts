import { eq } from "drizzle-orm";
import { eventMembers, events } from "@/db/schema";
import { insertEvent } from "@/server/testing/inserts";
import { everyone, signedIn, type PrivilegeRows } from "@/server/testing/matrix";
import type { World } from "@/server/testing/world";
import { eventInput } from "@/server/testing/event-fixtures";

const CALENDAR_ROUTE = "app/events/[slug]/calendar.ics/route.ts";

/** Turns the world's event into a draft (each matrix cell gets a fresh world). */
async function unpublish(w: World): Promise<World> {
  await w.db.update(events).set({ published: false }).where(eq(events.id, w.event.id));
  return w;
}

/** The world's event, cancelled. */
async function cancelled(w: World): Promise<string> {
  await w.db.update(events).set({ cancelledAt: Date.now() }).where(eq(events.id, w.event.id));
  return w.event.id;
}

/** A draft of the world's team, never published and without orders: the one kind that may be deleted. */
async function draftOfTheTeam(w: World): Promise<string> {
  const draft = (await insertEvent(w.db, "Draft Conf", { event: { published: false } }));
  for (const role of ["owner", "organizer", "registrar"] as const) {
    await w.db.insert(eventMembers).values({ eventId: draft.id, userId: w.users[role].id, role, createdAt: Date.now() });
  }
  return draft.id;
}

const writers = signedIn(403, { organizer: 200, owner: 200 });
const ghost = "AAAAAAAAAAAAAAAAAAAAAA";

/** New printed details for an event. */
const details = (eventId: string) => ({
  eventId,
  name: "Renamed Conf",
  description: "Now with more talks",
  venue: "Hall 2",
  startsAtLocal: "2027-05-01T09:00",
  endsAtLocal: "2027-05-01T17:00",
  timeZone: "Europe/Berlin",
});

export const privileges: PrivilegeRows = {
  procedures: {
    "events.listPublished": { expect: everyone(200) },
    "events.bySlug": [
      { input: (w) => ({ slug: w.event.slug }), expect: everyone(200) },
      {
        input: async (w) => ({ slug: (await unpublish(w)).event.slug }),
        expect: everyone(404, { registrar: 200, organizer: 200, owner: 200, staff: 200, admin: 200 }),
        note: "a draft is 'not found' except to its team and staff, so it can't be discovered",
      },
      { input: () => ({ slug: "no-such-event-abc123" }), expect: everyone(404) },
    ],
    "events.mine": { expect: signedIn(200) },
    "events.checkInCounts": [
      {
        input: (w) => ({ eventId: w.event.id }),
        expect: signedIn(403, { registrar: 200, organizer: 200, owner: 200, staff: 200, admin: 200 }),
        note: "the door's counter and the dashboard header's figures: the team, and staff who read every dashboard",
      },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403, { staff: 200, admin: 200 }), note: "our team sees nothing of another event" },
      { input: () => ({ eventId: "AAAAAAAAAAAAAAAAAAAAAA" }), expect: signedIn(404) },
    ],
    "events.create": { input: () => eventInput(), expect: signedIn(200), note: "anyone signed in may create an event" },
    "events.update": [
      { input: (w) => details(w.event.id), expect: writers, note: "staff read, they don't edit" },
      { input: (w) => ({ ...details(w.event.id), notifyAttendees: true }), expect: writers, note: "and tell every attendee" },
      { input: (w) => details(w.otherEvent.id), expect: signedIn(403), note: "our team can't edit another event" },
      { input: () => details("AAAAAAAAAAAAAAAAAAAAAA"), expect: signedIn(404) },
    ],
    "events.setPublished": [
      { input: (w) => ({ eventId: w.event.id, published: false }), expect: signedIn(403, { organizer: 200, owner: 200 }), note: "staff read, they don't edit" },
      { input: (w) => ({ eventId: w.otherEvent.id, published: false }), expect: signedIn(403) },
      { input: () => ({ eventId: "AAAAAAAAAAAAAAAAAAAAAA", published: true }), expect: signedIn(404) },
    ],
    "events.cancel": [
      { input: (w) => ({ eventId: w.event.id, reason: "The venue flooded" }), expect: writers, note: "staff read, they don't cancel" },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403), note: "our team can't cancel another event" },
      { input: () => ({ eventId: ghost }), expect: signedIn(404) },
    ],
    "events.deleteDraft": [
      { input: async (w) => ({ eventId: (await draftOfTheTeam(w)) }), expect: writers },
      { input: (w) => ({ eventId: w.otherEvent.id }), expect: signedIn(403) },
      { input: () => ({ eventId: ghost }), expect: signedIn(404) },
    ],
  },
  badInput: {
    "events.bySlug": [
      { as: "user", input: () => ({ slug: 42 }), expect: 400, field: "slug" },
      { as: "user", input: () => ({ slug: "../../etc/passwd" }), expect: 404 },
    ],
    "events.create": [
      { as: "user", input: () => eventInput({ timeZone: "Mars/Base" }), expect: 400, field: "timeZone" },
      { as: "user", input: () => eventInput({ endsAtLocal: "2030-03-14T08:00" }), expect: 400, field: "endsAtLocal" },
      { as: "user", input: () => eventInput({ ticketTypes: [] }), expect: 400, field: "ticketTypes" },
      { as: "user", input: () => eventInput({ ticketTypes: [{ name: "A", priceCents: -100, quantity: 1 }] }), expect: 400, field: "ticketTypes.0.priceCents" },
      { as: "user", input: () => eventInput({ ticketTypes: [{ name: "A", priceCents: 0, quantity: 0 }] }), expect: 400, field: "ticketTypes.0.quantity" },
    ],
    "events.checkInCounts": [{ as: "registrar", input: () => ({ eventId: "x".repeat(10_000) }), expect: 400, field: "eventId" }],
    "events.update": [
      { as: "owner", input: (w) => ({ ...details(w.event.id), name: "" }), expect: 400, field: "name" },
      { as: "owner", input: (w) => ({ ...details(w.event.id), endsAtLocal: "2027-05-01T08:00" }), expect: 400, field: "endsAtLocal" },
      { as: "owner", input: (w) => ({ ...details(w.event.id), timeZone: "Mars/Base" }), expect: 400, field: "timeZone" },
      { as: "owner", input: (w) => ({ ...details(w.event.id), notifyAttendees: "yes" }), expect: 400, field: "notifyAttendees" },
    ],
    "events.setPublished": [
      { as: "owner", input: (w) => ({ eventId: w.event.id, published: "yes" }), expect: 400, field: "published" },
      { as: "owner", input: async (w) => ({ eventId: (await cancelled(w)), published: true }), expect: 409, field: "published" },
    ],
    "events.cancel": [
      { as: "owner", input: (w) => ({ eventId: w.event.id, reason: "x".repeat(501) }), expect: 400, field: "reason" },
      { as: "owner", input: async (w) => ({ eventId: (await cancelled(w)) }), expect: 409, field: "eventId" },
    ],
    "events.deleteDraft": [
      { as: "owner", input: () => ({ eventId: "x".repeat(10_000) }), expect: 400, field: "eventId" },
      { as: "owner", input: (w) => ({ eventId: w.event.id }), expect: 409, field: "eventId" },
    ],
  },
  routes: [
    { file: CALENDAR_ROUTE, method: "GET", auth: "cookie", path: (w) => `/events/${w.event.slug}/calendar.ics`, params: (w) => ({ slug: w.event.slug }), expect: everyone(200), note: "a published event's calendar file is public" },
    {
      file: CALENDAR_ROUTE,
      method: "GET",
      auth: "cookie",
      path: (w) => `/events/${w.event.slug}/calendar.ics`,
      params: async (w) => ({ slug: (await unpublish(w)).event.slug }),
      expect: everyone(404),
      note: "the route reads no credentials, so a draft is not found even to its team",
    },
    { file: CALENDAR_ROUTE, method: "GET", auth: "cookie", path: () => "/events/no-such-event/calendar.ics", params: () => ({ slug: "no-such-event" }), expect: everyone(404) },
  ],
  badRequests: [
    { file: CALENDAR_ROUTE, method: "GET", auth: "cookie", as: "user", path: () => "/events/..%2F..%2Fetc/calendar.ics", params: () => ({ slug: "../../etc" }), expect: 404 },
    { file: CALENDAR_ROUTE, method: "GET", auth: "cookie", as: "user", path: () => "/events/x/calendar.ics", params: () => ({ slug: "x".repeat(5000) }), expect: 404 },
    { file: CALENDAR_ROUTE, method: "GET", auth: "cookie", as: "user", path: () => "/events/%00/calendar.ics", params: () => ({ slug: "\u0000" }), expect: 404 },
  ],
};
