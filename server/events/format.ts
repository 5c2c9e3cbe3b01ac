import type { Event } from "@/db/schema";

/** "Sat, 14 Mar 2026, 09:00 – 17:00 (Europe/Berlin)", always in the event's own time zone. */
export function formatEventRange(event: Pick<Event, "startsAt" | "endsAt" | "timeZone">): string {
  const day = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: event.timeZone });
  const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: event.timeZone, timeZoneName: "short" });
  const sameDay = day.format(event.startsAt) === day.format(event.endsAt);
  const end = sameDay ? time.format(event.endsAt) : `${day.format(event.endsAt)}, ${time.format(event.endsAt)}`;
  return `${day.format(event.startsAt)}, ${time.format(event.startsAt).replace(/ \S+$/, "")} – ${end} (${event.timeZone})`;
}
