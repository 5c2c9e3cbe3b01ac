import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attendees, checkins } from "@/db/schema";
import { cancelAttendee, regenerateAttendeeSecret } from "@/server/attendees/lifecycle";
import { race } from "@/server/testing/race";
import { buildWorld, eventRow } from "@/server/testing/world";
import { POST } from "@/app/api/v1/checkin/route";
import { attemptCheckIn, type CheckInOutcome } from "./checkin";

async function scan(world: Awaited<ReturnType<typeof buildWorld>>, token: string, body: unknown) {
  const response = await POST(
    new Request("http://localhost/api/v1/checkin", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) }),
    {} as never,
  );
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

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
    const file = path.join(mkdtempSync(path.join(tmpdir(), "admit-race-")), "race.db");
    const world = await buildWorld(file);
    const registrar = (await world.cookieFor("registrar")).caller;
    const results = await race<CheckInOutcome>(20, world.db.$admit.location, "server/checkin/checkin.ts", "attemptCheckIn", () => [registrar, { secret: world.order.holderSecret }]);
    const statuses = results.map((r) => (r.ok ? r.value.status : r.code));
    expect(statuses.filter((s) => s === "checked_in")).toHaveLength(1);
    expect(statuses.filter((s) => s === "already_checked_in")).toHaveLength(19);
    expect(await world.db.select().from(checkins).where(eq(checkins.result, "checked_in"))).toHaveLength(1);
  }, 60_000);
});
