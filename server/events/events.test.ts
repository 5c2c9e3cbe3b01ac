import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { eventMembers, events, ticketTypes } from "@/db/schema";
import { fieldsOf } from "@/server/errors";
import { statusOf } from "@/server/testing/failure";
import { callerAs, freshDb, makeUser } from "@/server/testing/support";
import { addEventMember, slugify } from "./service";
import { eventInput, makeEvent } from "@/server/testing/event-fixtures";

/** The HTTP status and field names a call failed with. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; fields: string[] }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { status: statusOf(error), fields: Object.keys(fieldsOf(error) ?? {}) };
  }
  throw new Error("expected the call to fail");
}

let db: AppDb;
beforeEach(async () => {
  db = await freshDb();
});

describe("events.create", () => {
  it("creates the event and its ticket types and makes the creator its owner", async () => {
    const user = await makeUser(db);
    const created = await (await callerAs(db, user)).events.create(eventInput({ name: "Café Conf 2030!" }));
    expect(created.slug).toMatch(/^cafe-conf-2030-[a-z0-9]{6}$/);
    const event = (await db.select().from(events).where(eq(events.id, created.id)).limit(1))[0]!;
    expect(event.startsAt).toBe(Date.parse("2030-03-14T08:00:00Z"));
    expect(event.endsAt).toBe(Date.parse("2030-03-14T16:00:00Z"));
    expect(event.timeZone).toBe("Europe/Berlin");
    const members = await db.select().from(eventMembers).where(eq(eventMembers.eventId, created.id));
    expect(members).toEqual([expect.objectContaining({ userId: user.id, role: "owner" })]);
    const types = await db.select().from(ticketTypes).where(eq(ticketTypes.eventId, created.id));
    expect(types.map((t) => [t.name, t.priceCents, t.quantity, t.sold, t.currency])).toEqual([
      ["General", 4900, 100, 0, "EUR"],
      ["Workshop", 12900, 10, 0, "EUR"],
    ]);
  });

  it("gives two events of the same name different slugs", async () => {
    const user = await makeUser(db);
    const a = await (await callerAs(db, user)).events.create(eventInput());
    const b = await (await callerAs(db, user)).events.create(eventInput());
    expect(a.slug).not.toBe(b.slug);
  });

  it("needs a signed-in caller", async () => {
    expect((await failure((await callerAs(db, null)).events.create(eventInput()))).status).toBe(401);
  });

  it.each([
    ["no name", { name: "  " }, "name"],
    ["no venue", { venue: "" }, "venue"],
    ["an unknown time zone", { timeZone: "Mars/Base" }, "timeZone"],
    ["a malformed start", { startsAtLocal: "14/03/2030 9am" }, "startsAtLocal"],
    ["an end before the start", { endsAtLocal: "2030-03-14T08:00" }, "endsAtLocal"],
    ["an end equal to the start", { endsAtLocal: "2030-03-14T09:00" }, "endsAtLocal"],
    ["a start the clocks skip", { startsAtLocal: "2030-03-31T02:30" }, "startsAtLocal"],
    ["no ticket types", { ticketTypes: [] }, "ticketTypes"],
    ["a negative price", { ticketTypes: [{ name: "A", priceCents: -1, quantity: 5 }] }, "ticketTypes.0.priceCents"],
    ["a fractional price", { ticketTypes: [{ name: "A", priceCents: 1.5, quantity: 5 }] }, "ticketTypes.0.priceCents"],
    ["zero on sale", { ticketTypes: [{ name: "A", priceCents: 0, quantity: 0 }] }, "ticketTypes.0.quantity"],
    ["too many on sale", { ticketTypes: [{ name: "A", priceCents: 0, quantity: 100_001 }] }, "ticketTypes.0.quantity"],
    ["a nameless ticket type", { ticketTypes: [{ name: "", priceCents: 0, quantity: 5 }] }, "ticketTypes.0.name"],
    ["duplicate ticket type names", { ticketTypes: [{ name: "A", priceCents: 0, quantity: 5 }, { name: "a", priceCents: 0, quantity: 5 }] }, "ticketTypes.1.name"],
    ["an unknown currency", { currency: "XYZ" }, "currency"],
  ])("rejects %s with 400 naming the field, writing nothing", async (_, overrides, field) => {
    const user = await makeUser(db);
    const result = await failure((await callerAs(db, user)).events.create(eventInput(overrides)));
    expect(result.status).toBe(400);
    expect(result.fields).toContain(field);
    expect(await db.select().from(events)).toEqual([]);
  });

  it("accepts free tickets and a large capacity", async () => {
    const user = await makeUser(db);
    await (await callerAs(db, user)).events.create(eventInput({ ticketTypes: [{ name: "Free", priceCents: 0, quantity: 100_000 }] }));
    expect((await db.select().from(ticketTypes).limit(1))[0]).toMatchObject({ priceCents: 0, quantity: 100_000 });
  });
});

describe("events.bySlug", () => {
  it("shows a published event to everyone, with what's left", async () => {
    const owner = await makeUser(db);
    const event = await makeEvent(db, owner);
    const page = await (await callerAs(db, null)).events.bySlug({ slug: event.slug });
    expect(page.event.name).toBe("Test Conf");
    expect(page.ticketTypes.map((t) => [t.name, t.remaining])).toEqual([
      ["General", 100],
      ["Workshop", 10],
    ]);
    expect(page.viewerRole).toBeNull();
  });

  it("hides a draft from everyone but its team and staff", async () => {
    const owner = await makeUser(db);
    const registrar = await makeUser(db);
    const stranger = await makeUser(db);
    const staff = await makeUser(db, { role: "staff" });
    const draft = await makeEvent(db, owner, { published: false });
    await addEventMember(db, draft.id, registrar.id, "registrar");

    expect((await failure((await callerAs(db, null)).events.bySlug({ slug: draft.slug }))).status).toBe(404);
    expect((await failure((await callerAs(db, stranger)).events.bySlug({ slug: draft.slug }))).status).toBe(404);
    expect((await (await callerAs(db, owner)).events.bySlug({ slug: draft.slug })).viewerRole).toBe("owner");
    expect((await (await callerAs(db, registrar)).events.bySlug({ slug: draft.slug })).viewerRole).toBe("registrar");
    expect((await (await callerAs(db, staff)).events.bySlug({ slug: draft.slug })).event.id).toBe(draft.id);
  });

  it("answers unknown and hostile slugs with 404", async () => {
    for (const slug of ["nope", "", "../../etc/passwd", "A".repeat(150), "b".repeat(5000), "'; drop table events; --"]) {
      expect((await failure((await callerAs(db, null)).events.bySlug({ slug }))).status, slug).toBe(404);
    }
  });
});

describe("events.mine and events.listPublished", () => {
  it("lists the events I'm on the team of, with seats sold and capacity", async () => {
    const owner = await makeUser(db);
    const other = await makeUser(db);
    const mine = await makeEvent(db, owner, { name: "Mine" });
    const theirs = await makeEvent(db, other, { name: "Theirs", startsAtLocal: "2030-03-15T09:00", endsAtLocal: "2030-03-15T17:00" });
    await addEventMember(db, theirs.id, owner.id, "organizer");
    await makeEvent(db, other, { name: "Not mine" });
    await db.update(ticketTypes).set({ sold: 7 }).where(eq(ticketTypes.id, mine.ticketTypes[0].id));

    const list = await (await callerAs(db, owner)).events.mine();
    expect(list.map((e) => [e.name, e.role, e.sold, e.capacity])).toEqual([
      ["Mine", "owner", 7, 110],
      ["Theirs", "organizer", 0, 110],
    ]);
    expect((await failure((await callerAs(db, null)).events.mine())).status).toBe(401);
  });

  it("lists only published events publicly", async () => {
    const owner = await makeUser(db);
    await makeEvent(db, owner, { name: "Out" });
    await makeEvent(db, owner, { name: "Draft", published: false });
    expect((await (await callerAs(db, null)).events.listPublished()).map((e) => e.name)).toEqual(["Out"]);
  });
});

describe("events.setPublished", () => {
  it("lets the owner and organizers publish, nobody else", async () => {
    const owner = await makeUser(db);
    const organizer = await makeUser(db);
    const registrar = await makeUser(db);
    const stranger = await makeUser(db);
    const event = await makeEvent(db, owner, { published: false });
    await addEventMember(db, event.id, organizer.id, "organizer");
    await addEventMember(db, event.id, registrar.id, "registrar");

    expect((await failure((await callerAs(db, stranger)).events.setPublished({ eventId: event.id, published: true }))).status).toBe(403);
    expect((await failure((await callerAs(db, registrar)).events.setPublished({ eventId: event.id, published: true }))).status).toBe(403);
    expect((await failure((await callerAs(db, null)).events.setPublished({ eventId: event.id, published: true }))).status).toBe(401);
    expect((await failure((await callerAs(db, owner)).events.setPublished({ eventId: "not-an-id", published: true }))).status).toBe(404);
    expect((await db.select().from(events).limit(1))[0]!.published).toBe(false);

    await (await callerAs(db, organizer)).events.setPublished({ eventId: event.id, published: true });
    expect((await db.select().from(events).limit(1))[0]!.published).toBe(true);
    await (await callerAs(db, owner)).events.setPublished({ eventId: event.id, published: false });
    expect((await db.select().from(events).limit(1))[0]!.published).toBe(false);
  });
});

describe("slugify", () => {
  it("keeps slugs readable and URL-safe", () => {
    expect(slugify("Ünïcode Fest — 2030")).toBe("unicode-fest-2030");
    expect(slugify("!!!")).toBe("event");
    expect(slugify("a".repeat(100))).toHaveLength(60);
  });
});
