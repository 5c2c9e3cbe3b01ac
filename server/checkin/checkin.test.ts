import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attendees, auditLog, checkins, events } from "@/db/schema";
import { cancelAttendee, regenerateAttendeeSecret } from "@/server/attendees/lifecycle";
import { limitOn, reserve } from "@/server/rate-limit";
import { failure } from "@/server/testing/failure";
import { race } from "@/server/testing/race";
import { buildWorld, eventRow, type World } from "@/server/testing/world";
import { createCaller } from "@/server/router";
import { createInnerContext } from "@/server/trpc";
import { POST } from "@/app/api/v1/checkin/route";
import { attemptCheckIn, DOOR_CODE_LOOKUPS, recentScans, undoCheckIn, type CheckInOutcome } from "./checkin";
import { formatDoorCode } from "@/lib/door-code";

/** The endpoint's JSON, read by each test as the case it expects: a check-in or an error (README "HTTP API"). */
type ScanAnswer = {
  status?: string;
  checkedInAt?: number;
  error: { code: string; message: string; checkedInAt?: number; checkedInBy?: string; fields: Record<string, string> };
};

async function scan(world: World, token: string, body: unknown) {
  const response = await POST(
    new Request("http://localhost/api/v1/checkin", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) }),
    {} as never,
  );
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as ScanAnswer };
}

function raceDb(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "admit-race-")), "race.db");
}

const holderRow = async (world: World) => (await world.db.select().from(attendees).where(eq(attendees.id, world.order.holderAttendeeId)).limit(1))[0]!;

/** The check-in screen's procedures as one role's browser calls them. */
const screenOf = async (world: World, role: "registrar" | "organizer" | "owner") =>
  createCaller(createInnerContext({ db: world.db, auth: { kind: "caller", caller: (await world.cookieFor(role)).caller } })).checkin;

describe("check-in at the door", () => {
  it("checks a ticket in once; the second scan is 409 with the first check-in's time and who did it", async () => {
    const world = await buildWorld();
    const token = await world.bearerFor("registrar", ["checkin:write"]);
    const first = await scan(world, token, { secret: world.order.holderSecret });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "checked_in", attendee: { id: world.order.holderAttendeeId }, ticketType: { name: "General" }, event: { id: world.event.id } });
    const second = await scan(world, token, { secret: world.order.holderSecret });
    expect(second.status).toBe(409);
    expect(second.body.error.checkedInAt).toBe(first.body.checkedInAt);
    expect(second.body.error.checkedInBy).toBe(world.users.registrar.name);
    const attempts = await world.db.select().from(checkins).where(eq(checkins.attendeeId, world.order.holderAttendeeId));
    expect(attempts.map((a) => a.result)).toEqual(["checked_in", "already_checked_in"]);
  });

  it("refuses a cancelled ticket with 410 and a regenerated secret's old QR with 404", async () => {
    const world = await buildWorld();
    const token = await world.bearerFor("organizer", ["checkin:write"]);
    const organizer = (await world.cookieFor("organizer")).caller;
    const oldSecret = world.order.holderSecret;
    await regenerateAttendeeSecret(world.db, await eventRow(world), organizer, world.order.holderAttendeeId);
    expect((await scan(world, token, { secret: oldSecret })).status).toBe(404);
    const fresh = (await world.db.select().from(attendees).where(eq(attendees.id, world.order.holderAttendeeId)).limit(1))[0]!;
    expect(fresh.checkinSecret).not.toBe(oldSecret);
    await cancelAttendee(world.db, await eventRow(world), organizer, fresh.id);
    const refused = await scan(world, token, { secret: fresh.checkinSecret });
    expect(refused.status).toBe(410);
    expect(refused.body.error.code).toBe("TICKET_CANCELLED");
  });

  it("says 'not for this event' on another event's screen, and records the attempt there", async () => {
    const world = await buildWorld();
    const owner = (await world.cookieFor("owner")).caller;
    const foreignSecret = (await world.db.select().from(attendees).where(eq(attendees.id, world.otherEvent.attendeeId)).limit(1))[0]!.checkinSecret;
    const outcome = await attemptCheckIn(world.db, owner, { event: world.event, secret: foreignSecret });
    expect(outcome.status).toBe("wrong_event");
    const recorded = await world.db.select().from(checkins).where(eq(checkins.eventId, world.event.id));
    expect(recorded.map((r) => r.result)).toEqual(["wrong_event"]);
    // The foreign ticket itself is untouched.
    expect((await world.db.select().from(attendees).where(eq(attendees.id, world.otherEvent.attendeeId)).limit(1))[0]!.checkedInAt).toBeNull();
  });

  it("lets exactly one of 20 concurrent scans of one ticket check it in", async () => {
    const file = raceDb();
    const world = await buildWorld(file);
    const registrar = (await world.cookieFor("registrar")).caller;
    const results = await race<CheckInOutcome>(20, world.db.$admit.location, "server/checkin/checkin.ts", "attemptCheckIn", () => [registrar, { secret: world.order.holderSecret }]);
    const statuses = results.map((r) => (r.ok ? r.value.status : r.code));
    expect(statuses.filter((s) => s === "checked_in")).toHaveLength(1);
    expect(statuses.filter((s) => s === "already_checked_in")).toHaveLength(19);
    expect(await world.db.select().from(checkins).where(eq(checkins.result, "checked_in"))).toHaveLength(1);
  }, 60_000);

  it("admits by the short door code however it is typed, over REST and on the screen", async () => {
    const world = await buildWorld();
    const token = await world.bearerFor("registrar", ["checkin:write"]);
    const typed = formatDoorCode(world.order.holderDoorCode).toLowerCase().replace("-", " ");
    const answer = await scan(world, token, { code: typed });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "checked_in", attendee: { id: world.order.holderAttendeeId } });
    const again = await (await screenOf(world, "owner")).scan({ eventId: world.event.id, code: world.order.holderDoorCode });
    expect(again).toMatchObject({ status: "already_checked_in", checkedInBy: world.users.registrar.name });
  });

  it("reads O as 0 and I or L as 1 in a typed code", async () => {
    const world = await buildWorld();
    await world.db.update(attendees).set({ doorCode: "10ABCDEFGH" }).where(eq(attendees.id, world.order.holderAttendeeId));
    const outcome = await (await screenOf(world, "registrar")).scan({ eventId: world.event.id, code: "lo-abcde-fgh" });
    expect(outcome).toMatchObject({ status: "checked_in", attendee: { id: world.order.holderAttendeeId } });
  });

  it("asks for exactly one of secret and code, naming the field", async () => {
    const world = await buildWorld();
    const token = await world.bearerFor("registrar", ["checkin:write"]);
    const both = await scan(world, token, { secret: world.order.holderSecret, code: world.order.holderDoorCode });
    expect(both.status).toBe(400);
    expect(Object.keys(both.body.error.fields)).toEqual(["code"]);
    const neither = await scan(world, token, { eventId: world.event.id });
    expect(neither.status).toBe(400);
    expect(Object.keys(neither.body.error.fields)).toEqual(["secret"]);
    const junk = await scan(world, token, { code: "UUUUU-UUUUU" });
    expect(junk.status).toBe(400);
    expect(junk.body.error.fields.code).toMatch(/10 letters and digits/);
    expect((await holderRow(world)).checkedInAt).toBeNull();
  });

  it("checks in a search result on its own event's screen only", async () => {
    const world = await buildWorld();
    const screen = await screenOf(world, "registrar");
    // An attendee id from another event names nothing here, and its ticket stays as it was.
    expect(await screen.scan({ eventId: world.event.id, attendeeId: world.otherEvent.attendeeId })).toEqual({ status: "not_found" });
    expect((await world.db.select().from(attendees).where(eq(attendees.id, world.otherEvent.attendeeId)).limit(1))[0]!.checkedInAt).toBeNull();
    const found = await createCaller(createInnerContext({ db: world.db, auth: { kind: "caller", caller: (await world.cookieFor("registrar")).caller } })).attendees.forCheckIn({
      eventId: world.event.id,
      search: world.users.holder.email.slice(0, 8),
    });
    expect(found).toEqual([{ id: world.order.holderAttendeeId, name: "Holder", ticketType: "General", status: "valid", checkedInAt: null }]);
    expect(await screen.scan({ eventId: world.event.id, attendeeId: found[0].id })).toMatchObject({ status: "checked_in", attendee: { name: "Holder" } });
  });

  it("undoes a check-in with a reason, in the audit log, and the ticket can check in again", async () => {
    const world = await buildWorld();
    const registrar = (await world.cookieFor("registrar")).caller;
    const event = (await eventRow(world));
    await attemptCheckIn(world.db, registrar, { secret: world.order.holderSecret, event });
    await undoCheckIn(world.db, event, registrar, { attendeeId: world.order.holderAttendeeId, reason: "Let in the wrong Holder" });
    expect((await holderRow(world))).toMatchObject({ checkedInAt: null, checkedInBy: null });
    const audit = (await world.db.select().from(auditLog).where(and(eq(auditLog.eventId, event.id), eq(auditLog.action, "checkin_undone"))));
    expect(audit.map((a) => [a.actorId, a.detail.reason])).toEqual([[world.users.registrar.id, "Let in the wrong Holder"]]);
    expect((await attemptCheckIn(world.db, registrar, { code: world.order.holderDoorCode, event })).status).toBe("checked_in");
  });

  it("refuses to undo a ticket that isn't checked in, naming it, and changes nothing", async () => {
    const world = await buildWorld();
    const registrar = (await world.cookieFor("registrar")).caller;
    const row = await eventRow(world);
    const refused = await failure(() => undoCheckIn(world.db, row, registrar, { attendeeId: world.order.holderAttendeeId, reason: "oops" }));
    expect(refused).toMatchObject({ status: 409, fields: { attendeeId: expect.stringContaining("isn't checked in") } });
    expect((await world.db.select().from(checkins))).toEqual([]);
    expect((await world.db.select().from(auditLog).where(eq(auditLog.action, "checkin_undone")))).toEqual([]);
  });

  it("lists the latest scans at this device, or at every door, newest first", async () => {
    const world = await buildWorld();
    const event = (await eventRow(world));
    const frontDoor = (await world.cookieFor("registrar")).caller;
    const sideDoor = (await world.cookieFor("organizer")).caller;
    await attemptCheckIn(world.db, frontDoor, { secret: world.order.holderSecret, event }, 1000);
    await attemptCheckIn(world.db, sideDoor, { code: "7KQ2MX9D4P", event }, 2000);
    await attemptCheckIn(world.db, frontDoor, { attendeeId: world.order.holderAttendeeId, event }, 3000);
    const mine = (await recentScans(world.db, event, frontDoor, "this"));
    expect(mine.map((s) => [s.result, s.name, s.checkedInNow])).toEqual([
      ["already_checked_in", "Holder", true],
      ["checked_in", "Holder", true],
    ]);
    const all = (await recentScans(world.db, event, frontDoor, "all"));
    expect(all.map((s) => [s.result, s.by])).toEqual([
      ["already_checked_in", "Registrar"],
      ["not_found", "Organizer"],
      ["checked_in", "Registrar"],
    ]);
  });

  it("replaces both the secret and the door code when a ticket is regenerated", async () => {
    const world = await buildWorld();
    const registrar = (await world.cookieFor("registrar")).caller;
    await regenerateAttendeeSecret(world.db, (await eventRow(world)), (await world.cookieFor("organizer")).caller, world.order.holderAttendeeId);
    const fresh = (await holderRow(world));
    expect(fresh.doorCode).not.toBe(world.order.holderDoorCode);
    expect((await attemptCheckIn(world.db, registrar, { code: world.order.holderDoorCode, event: await eventRow(world) })).status).toBe("not_found");
    expect((await attemptCheckIn(world.db, registrar, { code: fresh.doorCode, event: await eventRow(world) })).status).toBe("checked_in");
  });

  it("admits nobody to a cancelled event (410 over REST)", async () => {
    const world = await buildWorld();
    await world.db.update(events).set({ cancelledAt: Date.now() }).where(eq(events.id, world.event.id));
    const token = await world.bearerFor("registrar", ["checkin:write"]);
    const refused = await scan(world, token, { secret: world.order.holderSecret });
    expect(refused.status).toBe(410);
    expect(refused.body.error.code).toBe("EVENT_CANCELLED");
    expect((await holderRow(world)).checkedInAt).toBeNull();
  });

  it("limits typed codes per session and answers 429 with Retry-After; QR scans are not limited", async () => {
    const world = await buildWorld();
    const token = await world.bearerFor("registrar", ["checkin:write"]);
    for (let i = 0; i < DOOR_CODE_LOOKUPS.max; i++) expect((await scan(world, token, { code: "7KQ2M-X9D4P" })).status).toBe(404);
    const limited = await scan(world, token, { code: world.order.holderDoorCode });
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    expect((await holderRow(world)).checkedInAt).toBeNull();
    // Another session (another door) has its own allowance, and the QR code still works here.
    expect((await scan(world, await world.bearerFor("registrar", ["checkin:write"]), { code: world.order.holderDoorCode })).status).toBe(200);
    expect((await scan(world, token, { secret: world.order.holderSecret })).status).toBe(409);
  });

  it("never grants more typed-code lookups than the limit to a parallel burst from one session", async () => {
    const file = raceDb();
    const world = await buildWorld(file);
    const registrar = (await world.cookieFor("registrar")).caller;
    const now = Date.now();
    const results = await race<CheckInOutcome>(8, world.db.$admit.location, "server/checkin/checkin.ts", "attemptCheckIn", () => [registrar, { code: "7KQ2M-X9D4P", event: { id: world.event.id } }, now], 6);
    const answered = results.filter((r) => r.ok).length;
    const limited = results.filter((r) => !r.ok && r.code === "TOO_MANY_REQUESTS").length;
    expect([answered, limited]).toEqual([DOOR_CODE_LOOKUPS.max, 48 - DOOR_CODE_LOOKUPS.max]);
    expect((await reserve(world.db, [limitOn(DOOR_CODE_LOOKUPS, registrar.sessionId)], { now }))).toMatchObject({ ok: false });
  }, 60_000);

  it("lets exactly one of two doors check a ticket in, one typing its code and one tapping it in the search", async () => {
    const file = raceDb();
    const world = await buildWorld(file);
    const doors = [(await world.cookieFor("registrar")).caller, (await world.cookieFor("organizer")).caller];
    const references = [{ code: world.order.holderDoorCode }, { attendeeId: world.order.holderAttendeeId }];
    const results = await race<CheckInOutcome>(2, world.db.$admit.location, "server/checkin/checkin.ts", "attemptCheckIn", (door) => [doors[door], { ...references[door], event: { id: world.event.id } }], 5);
    const statuses = results.map((r) => (r.ok ? r.value.status : r.code));
    expect(statuses.filter((s) => s === "checked_in")).toHaveLength(1);
    expect(statuses.filter((s) => s === "already_checked_in")).toHaveLength(9);
    expect((await world.db.select().from(checkins).where(eq(checkins.result, "checked_in")))).toHaveLength(1);
  }, 60_000);
});
