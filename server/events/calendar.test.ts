import ICAL from "ical.js";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as getCalendar } from "@/app/events/[slug]/calendar.ics/route";
import type { AppDb } from "@/db/client";
import { freshDb, makeUser } from "@/server/testing/support";
import { makeEvent } from "@/server/testing/event-fixtures";

let db: AppDb;
beforeEach(async () => {
  db = await freshDb();
});

const calendarOf = (slug: string) => getCalendar(new Request(`http://localhost/events/${slug}/calendar.ics`), { params: Promise.resolve({ slug }) });

describe("GET /events/{slug}/calendar.ics", () => {
  it("is an iCalendar file a calendar parser reads back: name, the exact start and end, the venue, a link", async () => {
    const event = await makeEvent(db, await makeUser(db), { name: "Parse Conf; with, commas", venue: "Hall 1, Pier 3", startsAtLocal: "2030-03-14T09:00", endsAtLocal: "2030-03-14T17:30", timeZone: "Europe/Berlin" });
    const response = await calendarOf(event.slug);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${event.slug}.ics"`);
    const text = await response.text();
    const vevents = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents("vevent");
    expect(vevents).toHaveLength(1);
    const parsed = new ICAL.Event(vevents[0]);
    expect(parsed.summary).toBe("Parse Conf; with, commas");
    expect(parsed.location).toBe("Hall 1, Pier 3");
    // 09:00 and 17:30 in Berlin in March (CET, UTC+1).
    expect(parsed.startDate.toJSDate().toISOString()).toBe("2030-03-14T08:00:00.000Z");
    expect(parsed.endDate.toJSDate().toISOString()).toBe("2030-03-14T16:30:00.000Z");
    expect(parsed.uid).toContain(event.id);
    expect(parsed.description).toContain(`/events/${event.slug}`);
  });

  it("is not found for a draft or an unknown event", async () => {
    const draft = await makeEvent(db, await makeUser(db), { published: false });
    expect((await calendarOf(draft.slug)).status).toBe(404);
    expect((await calendarOf("no-such-event")).status).toBe(404);
  });
});
