import "server-only";
import ical from "ical-generator";
import type { Event } from "@/db/schema";
import { appUrl } from "@/server/mail";

/**
 * An event as an iCalendar file ("Add to calendar"), built by ical-generator. Times are written in
 * UTC, which every calendar converts to its own zone; the UID is the event's, so adding it twice
 * updates one entry instead of making two.
 */
export function eventCalendar(event: Pick<Event, "id" | "slug" | "name" | "description" | "venue" | "startsAt" | "endsAt">): string {
  const url = appUrl(`/events/${event.slug}`);
  const calendar = ical({ name: event.name, prodId: { company: "Admit", product: "Admit", language: "EN" } });
  calendar.createEvent({
    id: `${event.id}@${new URL(url).hostname}`,
    start: new Date(event.startsAt),
    end: new Date(event.endsAt),
    summary: event.name,
    description: [event.description, url].filter(Boolean).join("\n\n"),
    location: event.venue,
    url,
  });
  return calendar.toString();
}
