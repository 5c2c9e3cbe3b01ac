/**
 * "Add to calendar" (the event's iCalendar file) and a map of the venue, under an event's name on
 * the order page and My tickets.
 */
export function EventLinks({ slug, venue }: { slug: string; venue: string }) {
  return (
    <p className="flex flex-wrap gap-x-4 gap-y-2 text-sm">
      <a className="font-medium text-indigo-700 underline" href={`/events/${encodeURIComponent(slug)}/calendar.ics`} download>
        Add to calendar
      </a>
      <a className="font-medium text-indigo-700 underline" href={mapUrl(venue)} target="_blank" rel="noopener noreferrer">
        Map of the venue<span className="sr-only"> (opens OpenStreetMap)</span>
      </a>
    </p>
  );
}

/** A search for the venue's address on OpenStreetMap: no key, no tracking script on our pages. */
export function mapUrl(venue: string): string {
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(venue)}`;
}
