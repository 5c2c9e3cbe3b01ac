/** The event dashboard's sections and where each lives. */
export type EventSection = "attendees" | "orders" | "team" | "audit" | "checkin" | "settings";

const SUFFIX: Record<EventSection, string> = { attendees: "", orders: "/orders", team: "/team", audit: "/audit", checkin: "/checkin", settings: "/settings" };

export function eventSectionHref(eventId: string, section: EventSection): string {
  return `/dashboard/events/${encodeURIComponent(eventId)}${SUFFIX[section]}`;
}
