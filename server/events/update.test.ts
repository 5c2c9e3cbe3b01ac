import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, events } from "@/db/schema";
import { cachedPdfPath, ticketPdf } from "@/server/tickets/cache";
import { printedTicketsFor } from "@/server/tickets/printed";
import { buildWorld, eventRow } from "@/server/testing/world";
import { eventDetailsInputSchema } from "./schemas";
import { updateEventDetails } from "./service";

describe("editing an event's details", () => {
  it("changes what the tickets print, records who did it, and the next download is a new file", async () => {
    const world = await buildWorld();
    const organizer = (await world.cookieFor("organizer")).caller;
    const holderTicket = () => printedTicketsFor(world.db, world.order.id, [world.order.holderAttendeeId]);
    const before = await holderTicket();
    await ticketPdf(before);

    const input = eventDetailsInputSchema.parse({
      eventId: world.event.id,
      name: "Renamed Conf",
      venue: "Hall 2",
      startsAtLocal: "2027-05-01T09:00",
      endsAtLocal: "2027-05-01T17:00",
      timeZone: "America/New_York",
    });
    await updateEventDetails(world.db, await eventRow(world), organizer, input);

    const row = (await world.db.select().from(events).where(eq(events.id, world.event.id)).limit(1))[0]!;
    expect(row).toMatchObject({ name: "Renamed Conf", venue: "Hall 2", timeZone: "America/New_York" });
    // 09:00 in New York in May is 13:00 UTC.
    expect(new Date(row.startsAt).toISOString()).toBe("2027-05-01T13:00:00.000Z");
    const audit = await world.db.select().from(auditLog).where(eq(auditLog.eventId, world.event.id));
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([["event_updated", world.users.organizer.id]]);
    expect(audit[0].detail.changed).toEqual(expect.arrayContaining(["name", "venue", "timeZone", "startsAt", "endsAt"]));

    const after = await holderTicket();
    expect(after[0]).toMatchObject({ eventName: "Renamed Conf", venue: "Hall 2", timeZone: "America/New_York" });
    expect(cachedPdfPath(after)).not.toBe(cachedPdfPath(before));
  });

  it("refuses the end before the start, naming the field, and changes nothing", async () => {
    const world = await buildWorld();
    const result = eventDetailsInputSchema.safeParse({
      eventId: world.event.id,
      name: "X",
      venue: "Y",
      startsAtLocal: "2027-05-01T09:00",
      endsAtLocal: "2027-05-01T08:00",
      timeZone: "Europe/Berlin",
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join("."))).toContain("endsAtLocal");
    expect((await world.db.select().from(events).where(eq(events.id, world.event.id)).limit(1))[0]!.name).toBe("World Conf");
  });
});
