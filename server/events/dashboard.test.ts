import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppDb } from "@/db/client";
import { attendees, type User } from "@/db/schema";
import { authenticateCookie } from "@/server/auth/caller";
import { createBrowserSession } from "@/server/auth/sessions";
import { callerAs, freshDb, makeUser } from "@/server/testing/support";
import { eventActivity, eventDashboardAccess } from "./dashboard";
import { addEventMember } from "./service";
import { isExpectedFailure, statusOf } from "@/server/testing/failure";
import { insertEvent, insertOrder } from "@/server/testing/inserts";
import { makeEvent } from "@/server/testing/event-fixtures";

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (!isExpectedFailure(error)) throw error;
    return statusOf(error);
  }
}

async function callerOf(db: AppDb, user: User) {
  const { secret } = await createBrowserSession(db, user.id, { device: "vitest", ip: "127.0.0.1" });
  const auth = await authenticateCookie(db, secret);
  if (auth.kind !== "caller") throw new Error("no caller");
  return auth.caller;
}

let db: AppDb;
let owner: User;
let buyer: User;
let event: Awaited<ReturnType<typeof makeEvent>>;

beforeEach(async () => {
  db = await freshDb();
  owner = await makeUser(db, { name: "Olivia Owner" });
  buyer = await makeUser(db, { name: "Bea Buyer" });
  event = await makeEvent(db, owner, { name: "Counted Conf" });
});

/** Buys `names.length` General tickets and returns the attendees' ids and secrets. */
async function buy(names: string[]) {
  const general = event.ticketTypes[0].id;
  const { id } = await (await callerAs(db, buyer)).orders.place({
    eventId: event.id,
    items: [{ ticketTypeId: general, quantity: names.length }],
    attendees: names.map((name, i) => ({ ticketTypeId: general, name, email: `guest-${i}@example.test` })),
  });
  return await db.select({ id: attendees.id, secret: attendees.checkinSecret }).from(attendees).where(eq(attendees.orderId, id));
}

describe("checked-in figures", () => {
  it("events.mine and events.checkInCounts count sold seats and people through the door", async () => {
    const [ann, bob] = await buy(["Ann", "Bob", "Cy"]);
    const registrar = await makeUser(db);
    await addEventMember(db, event.id, registrar.id, "registrar");
    const door = await callerAs(db, registrar);
    await door.checkin.scan({ eventId: event.id, secret: ann.secret });
    await door.checkin.scan({ eventId: event.id, secret: ann.secret }); // a second scan is not a second person
    await door.checkin.scan({ eventId: event.id, secret: bob.secret });

    const [mine] = await (await callerAs(db, owner)).events.mine();
    expect(mine).toMatchObject({ name: "Counted Conf", sold: 3, capacity: 110, checkedIn: 2 });
    expect(await door.events.checkInCounts({ eventId: event.id })).toMatchObject({ sold: 3, capacity: 110, checkedIn: 2 });

    // Someone cancelled after coming in still came in; the seat goes back on sale.
    await (await callerAs(db, owner)).attendees.cancel({ eventId: event.id, attendeeId: bob.id });
    expect(await door.events.checkInCounts({ eventId: event.id })).toMatchObject({ sold: 2, capacity: 110, checkedIn: 2 });
  });

  it("keeps the counter to the event's team and staff", async () => {
    const stranger = await makeUser(db);
    const staff = await makeUser(db, { role: "staff" });
    expect(await status((await callerAs(db, null)).events.checkInCounts({ eventId: event.id }))).toBe(401);
    expect(await status((await callerAs(db, stranger)).events.checkInCounts({ eventId: event.id }))).toBe(403);
    // Staff read the dashboard, header figures included (the same live query as the door's).
    expect(await status((await callerAs(db, staff)).events.checkInCounts({ eventId: event.id }))).toBe(200);
    expect(await status((await callerAs(db, owner)).events.checkInCounts({ eventId: "AAAAAAAAAAAAAAAAAAAAAA" }))).toBe(404);
  });
});

describe("eventDashboardAccess", () => {
  it("tells each role what the dashboard may show", async () => {
    const organizer = await makeUser(db);
    const registrar = await makeUser(db);
    const staff = await makeUser(db, { role: "staff" });
    await addEventMember(db, event.id, organizer.id, "organizer");
    await addEventMember(db, event.id, registrar.id, "registrar");

    const access = async (user: User) => {
      const { role, staff: isStaff, may } = await eventDashboardAccess(db, await callerOf(db, user), event.id);
      return { role, staff: isStaff, may };
    };
    expect(await access(owner)).toEqual({ role: "owner", staff: false, may: { view: true, manage: true, manageTeam: true, checkIn: true } });
    expect(await access(organizer)).toEqual({ role: "organizer", staff: false, may: { view: true, manage: true, manageTeam: false, checkIn: true } });
    expect(await access(registrar)).toEqual({ role: "registrar", staff: false, may: { view: false, manage: false, manageTeam: false, checkIn: true } });
    expect(await access(staff)).toEqual({ role: null, staff: true, may: { view: true, manage: false, manageTeam: false, checkIn: false } });
  });

  it("answers strangers 403, anonymous 401 and unknown or malformed ids 404", async () => {
    const stranger = await makeUser(db);
    expect(await status(eventDashboardAccess(db, await callerOf(db, stranger), event.id))).toBe(403);
    expect(await status(eventDashboardAccess(db, null, event.id))).toBe(401);
    expect(await status(eventDashboardAccess(db, await callerOf(db, owner), "AAAAAAAAAAAAAAAAAAAAAA"))).toBe(404);
    expect(await status(eventDashboardAccess(db, await callerOf(db, owner), "../../etc/passwd"))).toBe(404);
  });
});

describe("eventActivity: the chart's sales and check-ins over time", () => {
  const HOUR = 60 * 60 * 1000;
  const DAY = 24 * HOUR;
  const t0 = Date.UTC(2030, 4, 1, 9);

  it("has no points before the first sale", async () => {
    expect((await eventActivity(db, event.id)).points).toEqual([]);
  });

  it("runs totals per step from the first sale to the last check-in; cancelled tickets aren't sold, people who came in still came", async () => {
    const quiet = (await insertEvent(db, "Quiet Fest"));
    await insertOrder(db, quiet, buyer, [{ name: "Elsewhere", email: "elsewhere@example.test" }], t0);
    const fest = (await insertEvent(db, "Busy Fest"));
    const first = (await insertOrder(db, fest, buyer, [{ name: "Ann", email: "ann@example.test" }, { name: "Bob", email: "bob@example.test" }], t0));
    await insertOrder(db, fest, buyer, [{ name: "Cy", email: "cy@example.test" }], t0 + 2 * DAY + HOUR);
    const late = (await insertOrder(db, fest, buyer, [{ name: "Dee", email: "dee@example.test" }], t0 + 3 * DAY));
    await db.update(attendees).set({ status: "cancelled" }).where(eq(attendees.id, late.attendees[0].id));
    // Ann comes in on day 4; Bob comes in and is cancelled afterwards.
    await db.update(attendees).set({ checkedInAt: t0 + 4 * DAY + 2 * HOUR }).where(eq(attendees.id, first.attendees[0].id));
    await db.update(attendees).set({ checkedInAt: t0 + 4 * DAY + 3 * HOUR, status: "cancelled" }).where(eq(attendees.id, first.attendees[1].id));

    const { stepMs, points } = (await eventActivity(db, fest.id));
    // Four days and three hours are 99 one-hour steps, too many; 6-hour steps make 17.
    expect(stepMs).toBe(6 * HOUR);
    expect(points[0]).toEqual({ at: t0, sold: 0, checkedIn: 0 });
    // The last point is the last thing that happened: Bob's check-in.
    expect(points).toHaveLength(18);
    expect(points.at(-1)).toEqual({ at: t0 + 4 * DAY + 3 * HOUR, sold: 2, checkedIn: 2 });
    // Ann and Bob's order counts in the first step; Bob's cancellation takes him out of "sold".
    expect(points[1]).toMatchObject({ sold: 1, checkedIn: 0 });
    const afterCy = points.find((p) => p.at > t0 + 2 * DAY + HOUR)!;
    expect(afterCy).toMatchObject({ sold: 2, checkedIn: 0 });
    // Running totals never go down, and step evenly up to the last point.
    for (let i = 1; i < points.length; i++) {
      if (i < points.length - 1) expect(points[i].at - points[i - 1].at).toBe(6 * HOUR);
      expect(points[i].sold).toBeGreaterThanOrEqual(points[i - 1].sold);
    }
    expect(points.every((p) => p.checkedIn <= 2)).toBe(true);
  });
});
