import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { attendees, auditLog, events, type User } from "@/db/schema";
import { POST as trpcPOST } from "@/app/api/trpc/[trpc]/route";
import { CODE_REPLACEMENTS, ORDER_EMAIL_RESENDS } from "@/server/attendees/lifecycle";
import { createBrowserSession } from "@/server/auth/sessions";
import { formatDoorCode } from "@/lib/door-code";
import { callerAs, freshDb, makeUser } from "@/server/testing/support";
import { failure } from "@/server/testing/failure";
import { mailsTo } from "@/server/testing/outbox";
import { addEventMember, EVENT_CHANGE_NOTICES } from "./service";
import { makeEvent } from "@/server/testing/event-fixtures";

let db: AppDb;
let owner: User;
let buyer: User;
let event: Awaited<ReturnType<typeof makeEvent>>;
let general: string;
const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}@example.test`;

beforeEach(async () => {
  db = (await freshDb());
  owner = await makeUser(db);
  buyer = await makeUser(db, { email: unique("buyer"), name: "Bea Buyer" });
  event = (await makeEvent(db, owner, { name: "Life Conf" }));
  general = event.ticketTypes[0].id;
});

/** The buyer's order of two: one for themself, one for a friend. */
async function order() {
  const friend = unique("friend");
  const { id } = await (await callerAs(db, buyer)).orders.place({
    eventId: event.id,
    items: [{ ticketTypeId: general, quantity: 2 }],
    attendees: [
      { ticketTypeId: general, name: "Bea Buyer", email: buyer.email },
      { ticketTypeId: general, name: "Fred Friend", email: friend },
    ],
  });
  const [mine, theirs] = (await db.select().from(attendees).where(eq(attendees.orderId, id)).orderBy(attendees.createdAt));
  return { id, friend, mine, theirs };
}

const eventRow = async () => (await db.select().from(events).where(eq(events.id, event.id)).limit(1))[0]!;
const detailsOf = (overrides: Record<string, unknown> = {}) => ({
  eventId: event.id,
  name: "Life Conf",
  description: "A day of talks",
  venue: "Hall 1",
  startsAtLocal: "2030-03-14T09:00",
  endsAtLocal: "2030-03-14T17:00",
  timeZone: "Europe/Berlin",
  ...overrides,
});

describe("cancelling an event", () => {
  it("stops orders and check-ins, and emails every holder and buyer once", async () => {
    const { friend, mine } = await order();
    await (await callerAs(db, owner)).events.cancel({ eventId: event.id, reason: "The venue flooded" });
    expect((await eventRow()).cancelledAt).not.toBeNull();

    const refused = await failure((await callerAs(db, buyer)).orders.place({ eventId: event.id, items: [{ ticketTypeId: general, quantity: 1 }], attendees: [{ ticketTypeId: general, name: "X", email: unique("x") }] }));
    expect(refused).toMatchObject({ status: 409, fields: { eventId: "This event has been cancelled" } });
    const registrar = await makeUser(db);
    await addEventMember(db, event.id, registrar.id, "registrar");
    expect(await (await callerAs(db, registrar)).checkin.scan({ eventId: event.id, code: mine.doorCode })).toMatchObject({ status: "event_cancelled" });
    expect((await db.select().from(attendees).where(eq(attendees.id, mine.id)).limit(1))[0]!.checkedInAt).toBeNull();

    for (const address of [buyer.email, friend]) {
      const mails = (await mailsTo(address)).filter((m) => m.subject === "Cancelled: Life Conf");
      expect(mails).toHaveLength(1);
      expect(mails[0].text).toContain("The venue flooded");
    }
    // The buyer's message lists both tickets; the friend's only their own.
    expect((await mailsTo(buyer.email)).find((m) => m.subject === "Cancelled: Life Conf")!.text).toContain("Fred Friend");
    expect((await mailsTo(friend)).find((m) => m.subject === "Cancelled: Life Conf")!.text).not.toContain("Bea Buyer (");
  });

  it("can't be cancelled twice or published again", async () => {
    const desk = (await callerAs(db, owner)).events;
    await desk.cancel({ eventId: event.id });
    expect(await failure(desk.cancel({ eventId: event.id }))).toMatchObject({ status: 409, fields: { eventId: "This event is already cancelled" } });
    expect(await failure(desk.setPublished({ eventId: event.id, published: true }))).toMatchObject({ status: 409, fields: { published: "This event has been cancelled" } });
  });
});

describe("deleting a draft", () => {
  it("deletes a draft that was never published and has no orders", async () => {
    const draft = (await makeEvent(db, owner, { published: false }));
    await (await callerAs(db, owner)).events.deleteDraft({ eventId: draft.id });
    expect((await db.select().from(events).where(eq(events.id, draft.id)).limit(1))[0]).toBeUndefined();
    const audit = (await db.select().from(auditLog).where(eq(auditLog.action, "event_deleted")));
    expect(audit.map((a) => a.detail.eventId)).toEqual([draft.id]);
  });

  it("refuses an event that was ever published, or has orders, naming why", async () => {
    const desk = (await callerAs(db, owner)).events;
    const draft = (await makeEvent(db, owner, { published: false }));
    await desk.setPublished({ eventId: draft.id, published: true });
    await desk.setPublished({ eventId: draft.id, published: false });
    expect(await failure(desk.deleteDraft({ eventId: draft.id }))).toMatchObject({ status: 409, fields: { eventId: "This event has been published; cancel it instead" } });

    const tested = (await makeEvent(db, owner, { published: false }));
    await (await callerAs(db, owner)).orders.place({ eventId: tested.id, items: [{ ticketTypeId: tested.ticketTypes[0].id, quantity: 1 }], attendees: [{ ticketTypeId: tested.ticketTypes[0].id, name: "Test", email: unique("t") }] });
    expect(await failure(desk.deleteDraft({ eventId: tested.id }))).toMatchObject({ status: 409, fields: { eventId: "This event has orders; cancel it instead" } });
    expect((await db.select().from(events).where(eq(events.id, tested.id)).limit(1))[0]).toBeDefined();
  });
});

describe("telling attendees about changes", () => {
  it("emails every holder and buyer when the time or place changes and the organizer asks to", async () => {
    const { friend } = await order();
    const result = await (await callerAs(db, owner)).events.update(detailsOf({ venue: "Hall 2", notifyAttendees: true }));
    expect(result).toMatchObject({ moved: ["venue"], notified: true });
    for (const address of [buyer.email, friend]) {
      const [mail] = (await mailsTo(address)).filter((m) => m.subject === "Changed: Life Conf");
      expect(mail.text).toContain("Hall 2");
    }
  });

  it("tells attendees a few times an hour at most; past that, the edit is refused whole (429)", async () => {
    const { friend } = await order();
    const desk = (await callerAs(db, owner)).events;
    for (let i = 0; i < EVENT_CHANGE_NOTICES.max; i++) await desk.update(detailsOf({ venue: `Hall ${10 + i}`, notifyAttendees: true }));
    expect(await failure(desk.update(detailsOf({ venue: "Hall 99", notifyAttendees: true })))).toMatchObject({ status: 429 });
    expect((await eventRow()).venue).toBe(`Hall ${10 + EVENT_CHANGE_NOTICES.max - 1}`);
    expect((await mailsTo(friend)).filter((m) => m.subject === "Changed: Life Conf")).toHaveLength(EVENT_CHANGE_NOTICES.max);
    // Without the tick the edit goes through.
    await desk.update(detailsOf({ venue: "Hall 99" }));
    expect((await eventRow()).venue).toBe("Hall 99");
  });

  it("stays quiet without the tick, and when nothing of time or place changed", async () => {
    const { friend } = await order();
    await (await callerAs(db, owner)).events.update(detailsOf({ venue: "Hall 3" }));
    expect(await (await callerAs(db, owner)).events.update(detailsOf({ venue: "Hall 3", name: "Life Conf", description: "New", notifyAttendees: true }))).toMatchObject({ notified: false });
    expect((await mailsTo(friend)).filter((m) => m.subject.startsWith("Changed:"))).toEqual([]);
  });

  it("emails the holder and the buyer when a ticket is cancelled or given a new code, never the code itself", async () => {
    const { friend, theirs } = await order();
    const desk = (await callerAs(db, owner)).attendees;
    await desk.regenerateSecret({ eventId: event.id, attendeeId: theirs.id });
    const fresh = (await db.select().from(attendees).where(eq(attendees.id, theirs.id)).limit(1))[0]!;
    for (const address of [buyer.email, friend]) {
      const [mail] = (await mailsTo(address)).filter((m) => m.subject === "New ticket code: Life Conf");
      expect(mail.text).toContain("Fred Friend");
      expect(mail.text).toContain(`/orders/`);
      for (const secret of [fresh.checkinSecret, fresh.doorCode, formatDoorCode(fresh.doorCode)]) expect(mail.text).not.toContain(secret);
    }
    await desk.cancel({ eventId: event.id, attendeeId: theirs.id });
    expect((await mailsTo(friend)).map((m) => m.subject)).toContain("Ticket cancelled: Life Conf");
    expect((await mailsTo(buyer.email)).map((m) => m.subject)).toContain("Ticket cancelled: Life Conf");
  });

  it("replaces a ticket's code a few times an hour, then answers 429: new-code mails can't flood a holder", async () => {
    const { friend, theirs } = await order();
    const desk = (await callerAs(db, owner)).attendees;
    const newCodeMails = async () => (await mailsTo(friend)).filter((m) => m.subject === "New ticket code: Life Conf").length;
    for (let i = 0; i < CODE_REPLACEMENTS.max; i++) await desk.regenerateSecret({ eventId: event.id, attendeeId: theirs.id });
    expect(await newCodeMails()).toBe(CODE_REPLACEMENTS.max);
    const before = (await db.select().from(attendees).where(eq(attendees.id, theirs.id)).limit(1))[0]!;
    expect(await failure(desk.regenerateSecret({ eventId: event.id, attendeeId: theirs.id }))).toMatchObject({ status: 429 });
    expect(await failure(desk.regenerateOrderSecrets({ eventId: event.id, orderId: theirs.orderId }))).toMatchObject({ status: 429 });
    expect(await newCodeMails()).toBe(CODE_REPLACEMENTS.max);
    expect((await db.select().from(attendees).where(eq(attendees.id, theirs.id)).limit(1))[0]!.checkinSecret).toBe(before.checkinSecret);
    // Cancelling, which ends the ticket for good, is never held back.
    await desk.cancel({ eventId: event.id, attendeeId: theirs.id });
  });

  it("resends an order's emails a few times an hour, then answers 429", async () => {
    const { id, friend } = await order();
    const before = (await mailsTo(friend)).length;
    const desk = (await callerAs(db, owner)).attendees;
    for (let i = 0; i < ORDER_EMAIL_RESENDS.max; i++) await desk.resendOrderEmails({ eventId: event.id, orderId: id });
    expect(await mailsTo(friend)).toHaveLength(before + ORDER_EMAIL_RESENDS.max);
    expect(await failure(desk.resendOrderEmails({ eventId: event.id, orderId: id }))).toMatchObject({ status: 429 });
    expect(await mailsTo(friend)).toHaveLength(before + ORDER_EMAIL_RESENDS.max);

    // Through the app's tRPC endpoint, the refusal says when to come back.
    const { secret } = (await createBrowserSession(db, owner.id, { device: "vitest", ip: "127.0.0.1" }));
    const response = await trpcPOST(
      new Request("http://localhost/api/trpc/attendees.resendOrderEmails", {
        method: "POST",
        headers: { host: "localhost", cookie: `admit.session=${secret}`, "content-type": "application/json", origin: "http://localhost", "sec-fetch-site": "same-origin" },
        body: JSON.stringify({ eventId: event.id, orderId: id }),
      }),
    );
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
