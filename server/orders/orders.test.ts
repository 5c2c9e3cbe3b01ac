import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { attendees, orders, ticketTypes, users, type User } from "@/db/schema";
import { addEventMember } from "@/server/events/service";
import { makeEvent } from "@/server/testing/event-fixtures";
import { failure } from "@/server/testing/failure";
import { mailsTo } from "@/server/testing/outbox";
import { callerAs, freshDb, makeUser, TEST_PASSWORD } from "@/server/testing/support";

const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;

let db: AppDb;
let owner: User;
let buyer: User;
let event: Awaited<ReturnType<typeof makeEvent>>;
let general: string;
let workshop: string;

beforeEach(async () => {
  db = await freshDb();
  owner = await makeUser(db, { email: unique("owner") });
  buyer = await makeUser(db, { email: unique("buyer"), name: "Bea Buyer" });
  event = await makeEvent(db, owner);
  general = event.ticketTypes[0].id;
  workshop = event.ticketTypes[1].id;
});

/** One General ticket per attendee address given. */
function order(eventId: string, ticketTypeId: string, emails: string[], names = emails.map((_, i) => `Attendee ${i + 1}`)) {
  return {
    eventId,
    items: [{ ticketTypeId, quantity: emails.length }],
    attendees: emails.map((email, i) => ({ ticketTypeId, name: names[i], email })),
  };
}

async function counts() {
  return {
    orders: (await db.select({ n: sql<number>`count(*)` }).from(orders).limit(1))[0]!.n,
    attendees: (await db.select({ n: sql<number>`count(*)` }).from(attendees).limit(1))[0]!.n,
    sold: await db.select({ id: ticketTypes.id, sold: ticketTypes.sold }).from(ticketTypes),
  };
}

describe("orders.place", () => {
  it("places an order: separate random ids and secrets, seats counted, total in cents", async () => {
    const friend = unique("friend");
    const placed = await (await callerAs(db, buyer)).orders.place({
      eventId: event.id,
      items: [
        { ticketTypeId: general, quantity: 1 },
        { ticketTypeId: workshop, quantity: 1 },
      ],
      attendees: [
        { ticketTypeId: general, name: "Bea Buyer", email: buyer.email },
        { ticketTypeId: workshop, name: "Fred Friend", email: friend.toUpperCase() },
      ],
    });
    const row = (await db.select().from(orders).where(eq(orders.id, placed.id)).limit(1))[0]!;
    expect(row).toMatchObject({ buyerId: buyer.id, eventId: event.id, totalCents: 4900 + 12900, currency: "EUR", status: "completed", paid: false });
    const people = await db.select().from(attendees).where(eq(attendees.orderId, placed.id));
    expect(people).toHaveLength(2);
    expect(people[1]).toMatchObject({ name: "Fred Friend", email: friend.toUpperCase(), emailNormalized: friend.toLowerCase() });
    const values = [placed.id, ...people.flatMap((p) => [p.id, p.checkinSecret])];
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(values).size).toBe(values.length);
    expect((await counts()).sold).toEqual(expect.arrayContaining([{ id: general, sold: 1 }, { id: workshop, sold: 1 }]));
  });

  it("emails the buyer the order link and every other attendee address one link", async () => {
    const friend = unique("friend");
    const { id } = await (await callerAs(db, buyer)).orders.place(order(event.id, general, [buyer.email, friend, friend.toUpperCase()]));
    const toBuyer = (await mailsTo(buyer.email));
    expect(toBuyer).toHaveLength(1);
    const toFriend = (await mailsTo(friend));
    expect(toFriend).toHaveLength(1);
    expect(toFriend[0].subject).toContain("Test Conf");
    // Each mail holds one personal link (in its text and its HTML part): the buyer's lands on the
    // order, the friend's on their own ticket, both downloading.
    const friendRows = (await db.select().from(attendees).where(eq(attendees.emailNormalized, friend.toLowerCase())));
    const landings: string[] = [];
    for (const mail of [...toBuyer, ...toFriend]) {
      const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
      expect(links, mail.text).toHaveLength(1);
      expect(mail.html ?? "").toContain(links[0]);
      const token = /\/link\?token=([\w-]+)$/.exec(links[0] ?? "")?.[1] ?? "";
      landings.push((await (await callerAs(db, null)).auth.followLink({ token })).to);
    }
    expect(landings).toEqual([`/orders/${id}?download=1`, `/orders/${id}?download=1`]);
    expect(friendRows).toHaveLength(2);
    // The check-in secret is the ticket: it never travels by email.
    const secrets = (await db.select({ s: attendees.checkinSecret }).from(attendees)).map((a) => a.s);
    for (const mail of [...toBuyer, ...toFriend]) for (const secret of secrets) expect(mail.text).not.toContain(secret);
  });

  it("marks free orders paid", async () => {
    const free = await makeEvent(db, owner, { ticketTypes: [{ name: "Free", priceCents: 0, quantity: 5 }] });
    const { id } = await (await callerAs(db, buyer)).orders.place(order(free.id, free.ticketTypes[0].id, [buyer.email]));
    expect((await db.select().from(orders).where(eq(orders.id, id)).limit(1))[0]).toMatchObject({ totalCents: 0, paid: true });
  });

  it("without a signed-in buyer, needs the guest's name and email (400 naming them) and places nothing", async () => {
    const refused = await failure((await callerAs(db, null)).orders.place(order(event.id, general, [buyer.email])));
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.fields ?? {})).toEqual(["buyer.name", "buyer.email"]);
    expect((await counts()).orders).toBe(0);
  });

  const attendee = (ticketTypeId: string, overrides: Record<string, unknown> = {}) => ({ ticketTypeId, name: "A", email: "a@example.test", ...overrides });

  it.each<[string, number, string, (ids: { event: string; general: string; workshop: string; foreign: string }) => unknown]>([
    ["zero quantity", 400, "items.0.quantity", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: 0 }], attendees: [] })],
    ["negative quantity", 400, "items.0.quantity", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: -2 }], attendees: [] })],
    ["fractional quantity", 400, "items.0.quantity", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: 1.5 }], attendees: [attendee(i.general)] })],
    ["no tickets at all", 400, "items", (i) => ({ eventId: i.event, items: [], attendees: [] })],
    ["more than one order may hold", 400, "items.0.quantity", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: 21 }], attendees: Array(21).fill(attendee(i.general)) })],
    ["more than are on sale in total", 400, "items.0.quantity", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.workshop, quantity: 11 }], attendees: Array(11).fill(attendee(i.workshop)) })],
    ["the same ticket type twice", 400, "items.1.ticketTypeId", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: 1 }, { ticketTypeId: i.general, quantity: 1 }], attendees: [attendee(i.general), attendee(i.general)] })],
    ["a missing attendee name", 400, "attendees.0.name", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: 1 }], attendees: [attendee(i.general, { name: "  " })] })],
    ["an invalid attendee email", 400, "attendees.1.email", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: 2 }], attendees: [attendee(i.general), attendee(i.general, { email: "not-an-email" })] })],
    ["fewer attendees than tickets", 400, "items.0.quantity", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: 2 }], attendees: [attendee(i.general)] })],
    ["an attendee for a ticket type not ordered", 400, "attendees.0.ticketTypeId", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: 1 }], attendees: [attendee(i.workshop)] })],
    ["a ticket type from another event", 404, "items.0.ticketTypeId", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.foreign, quantity: 1 }], attendees: [attendee(i.foreign)] })],
    ["an unknown ticket type", 404, "items.0.ticketTypeId", (i) => ({ eventId: i.event, items: [{ ticketTypeId: "AAAAAAAAAAAAAAAAAAAAAA", quantity: 1 }], attendees: [attendee("AAAAAAAAAAAAAAAAAAAAAA")] })],
    ["a malformed ticket type id", 404, "items.0.ticketTypeId", (i) => ({ eventId: i.event, items: [{ ticketTypeId: "../x", quantity: 1 }], attendees: [attendee("../x")] })],
    ["an unknown event", 404, "eventId", (i) => ({ eventId: "AAAAAAAAAAAAAAAAAAAAAA", items: [{ ticketTypeId: i.general, quantity: 1 }], attendees: [attendee(i.general)] })],
    ["a non-string quantity", 400, "items.0.quantity", (i) => ({ eventId: i.event, items: [{ ticketTypeId: i.general, quantity: "1" }], attendees: [attendee(i.general)] })],
  ])("rejects %s with %i naming %s, writing nothing", async (_, status, field, build) => {
    const foreign = await makeEvent(db, owner, { name: "Elsewhere" });
    const before = await counts();
    const input = build({ event: event.id, general, workshop, foreign: foreign.ticketTypes[0].id });
    const result = await failure((await callerAs(db, buyer)).orders.place(input as never));
    expect(result.status).toBe(status);
    expect(Object.keys(result.fields)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it("treats an unpublished event as not found, except for its team", async () => {
    const draft = await makeEvent(db, owner, { published: false });
    const stranger = await makeUser(db);
    const staff = await makeUser(db, { role: "staff" });
    const input = order(draft.id, draft.ticketTypes[0].id, [stranger.email]);
    for (const user of [stranger, staff]) {
      const result = await failure((await callerAs(db, user)).orders.place(input));
      expect(result.status).toBe(404);
      expect(Object.keys(result.fields)).toEqual(["eventId"]);
    }
    expect((await counts()).orders).toBe(0);
    // The team may place test orders before launch.
    const organizer = await makeUser(db);
    await addEventMember(db, draft.id, organizer.id, "organizer");
    await (await callerAs(db, organizer)).orders.place(input);
    expect((await counts()).orders).toBe(1);
  });

  it("answers 409 'sold out' for a stale page, naming the ticket type's field", async () => {
    await db.update(ticketTypes).set({ sold: 10 }).where(eq(ticketTypes.id, workshop));
    const result = await failure((await callerAs(db, buyer)).orders.place(order(event.id, workshop, [buyer.email])));
    expect(result).toMatchObject({ status: 409, code: "CONFLICT", message: "Sold out" });
    expect(result.fields).toEqual({ "items.0.quantity": "“Workshop” is sold out" });
  });

  it("answers 409 with how many are left when fewer remain than asked for", async () => {
    await db.update(ticketTypes).set({ sold: 9 }).where(eq(ticketTypes.id, workshop));
    const result = await failure((await callerAs(db, buyer)).orders.place(order(event.id, workshop, [buyer.email, buyer.email])));
    expect(result.status).toBe(409);
    expect(result.fields["items.0.quantity"]).toBe("Only 1 “Workshop” ticket is left");
  });

  it("is all or nothing: one sold-out line undoes the seats claimed by the others", async () => {
    await db.update(ticketTypes).set({ sold: 10 }).where(eq(ticketTypes.id, workshop));
    const before = await counts();
    const result = await failure(
      (await callerAs(db, buyer)).orders.place({
        eventId: event.id,
        items: [
          { ticketTypeId: general, quantity: 2 },
          { ticketTypeId: workshop, quantity: 1 },
        ],
        attendees: [attendee(general), attendee(general), attendee(workshop)],
      }),
    );
    expect(result.status).toBe(409);
    expect(Object.keys(result.fields)).toEqual(["items.1.quantity"]);
    expect(await counts()).toEqual(before);
  });

  it("sells the very last seat, then refuses the next", async () => {
    await db.update(ticketTypes).set({ sold: 9 }).where(eq(ticketTypes.id, workshop));
    await (await callerAs(db, buyer)).orders.place(order(event.id, workshop, [buyer.email]));
    expect((await failure((await callerAs(db, buyer)).orders.place(order(event.id, workshop, [buyer.email])))).status).toBe(409);
    expect((await db.select().from(ticketTypes).where(eq(ticketTypes.id, workshop)).limit(1))[0]!.sold).toBe(10);
  });
});

describe("orders.get", () => {
  it("shows the buyer, the event's owner and staff every attendee; never a check-in secret", async () => {
    const holder = await makeUser(db, { email: unique("holder") });
    const staff = await makeUser(db, { role: "staff" });
    const { id } = await (await callerAs(db, buyer)).orders.place(order(event.id, general, [buyer.email, holder.email], ["Bea Buyer", "Hal Holder"]));
    for (const [user, access] of [[buyer, "buyer"], [owner, "owner"], [staff, "staff"]] as const) {
      const view = await (await callerAs(db, user)).orders.get({ orderIdentifier: id });
      expect(view.access).toBe(access);
      expect(view.attendees.map((a) => [a.name, a.ticketTypeName])).toEqual([
        ["Bea Buyer", "General"],
        ["Hal Holder", "General"],
      ]);
      expect(view.order).toMatchObject({ id, totalCents: 9800, buyerEmail: buyer.email, buyerName: "Bea Buyer" });
      expect(view.event).toMatchObject({ name: "Test Conf", slug: event.slug, timeZone: "Europe/Berlin" });
      const json = JSON.stringify(view);
      for (const { s } of (await db.select({ s: attendees.checkinSecret }).from(attendees))) expect(json).not.toContain(s);
    }
  });

  it("shows a holder only their own row, and not the buyer's details", async () => {
    const holder = await makeUser(db, { email: unique("holder") });
    const { id } = await (await callerAs(db, buyer)).orders.place(
      order(event.id, general, [buyer.email, holder.email.toUpperCase(), unique("third")], ["Bea Buyer", "Hal Holder", "Third Person"]),
    );
    const view = await (await callerAs(db, holder)).orders.get({ orderIdentifier: id });
    expect(view.access).toBe("holder");
    expect(view.attendees.map((a) => a.name)).toEqual(["Hal Holder"]);
    expect(view.order.buyerEmail).toBeNull();
    expect(view.order.totalCents).toBeNull();
    expect(JSON.stringify(view)).not.toContain("Third Person");
  });

  it("refuses unverified holders, strangers and the event's registrar (403), anonymous (401)", async () => {
    const unverified = await makeUser(db, { email: unique("unverified"), verified: false });
    const stranger = await makeUser(db);
    const registrar = await makeUser(db);
    await addEventMember(db, event.id, registrar.id, "registrar");
    const { id } = await (await callerAs(db, buyer)).orders.place(order(event.id, general, [buyer.email, unverified.email]));
    for (const user of [unverified, stranger, registrar]) {
      const result = await failure((await callerAs(db, user)).orders.get({ orderIdentifier: id }));
      expect(result.status).toBe(403);
      expect(result.message).toBe("This order belongs to another account");
    }
    expect((await failure((await callerAs(db, null)).orders.get({ orderIdentifier: id }))).status).toBe(401);
  });

  it("answers unknown and hostile identifiers with 404, never 500", async () => {
    for (const orderIdentifier of ["AAAAAAAAAAAAAAAAAAAAAA", "", "../../etc/passwd", "' OR 1=1 --", "%00", "x".repeat(199), "y".repeat(5000), "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"]) {
      expect((await failure((await callerAs(db, buyer)).orders.get({ orderIdentifier }))).status, orderIdentifier).toBe(404);
    }
  });
});

describe("orders.mine and ticket holders", () => {
  it("lists orders I bought and tickets I hold, newest first", async () => {
    const holder = await makeUser(db, { email: unique("holder"), name: "Hal" });
    const first = await (await callerAs(db, buyer)).orders.place(order(event.id, general, [buyer.email, holder.email], ["Bea", "Hal"]));
    await new Promise((r) => setTimeout(r, 5));
    const second = await (await callerAs(db, holder)).orders.place(order(event.id, workshop, [holder.email]));

    const mine = await (await callerAs(db, holder)).orders.mine();
    expect(mine.map((o) => [o.order.id, o.access, o.attendees.map((a) => a.name)])).toEqual([
      [second.id, "buyer", ["Attendee 1"]],
      [first.id, "holder", ["Hal"]],
    ]);
    const buyers = await (await callerAs(db, buyer)).orders.mine();
    expect(buyers.map((o) => [o.order.id, o.attendees.length])).toEqual([[first.id, 2]]);
    expect((await failure((await callerAs(db, null)).orders.mine())).status).toBe(401);
  });

  it("links tickets to an account once its email is verified (registering later)", async () => {
    const friendEmail = unique("Friend");
    const { id } = await (await callerAs(db, buyer)).orders.place(order(event.id, general, [buyer.email, friendEmail], ["Bea", "Fred"]));

    // The friend registers afterwards, with different capitalisation, and hasn't verified yet.
    await (await callerAs(db, null)).auth.register({ name: "Fred", email: friendEmail.toUpperCase(), password: TEST_PASSWORD });
    const friend = (await db.select().from(users).where(eq(users.email, friendEmail.toLowerCase())).limit(1))[0]!;
    expect(await (await callerAs(db, friend)).orders.mine()).toEqual([]);
    expect((await failure((await callerAs(db, friend)).orders.get({ orderIdentifier: id }))).status).toBe(403);

    const link = (await mailsTo(friendEmail)).map((m) => /confirm/i.test(m.subject) && /\/link\?token=([\w-]+)/.exec(m.text)?.[1]).find(Boolean);
    expect(link).toBeTruthy();
    await (await callerAs(db, null)).auth.followLink({ token: link as string });

    const mine = await (await callerAs(db, friend)).orders.mine();
    expect(mine.map((o) => [o.order.id, o.access, o.attendees.map((a) => a.name)])).toEqual([[id, "holder", ["Fred"]]]);
    const view = await (await callerAs(db, friend)).orders.get({ orderIdentifier: id });
    expect(view.attendees.map((a) => a.name)).toEqual(["Fred"]);
  });
});
