import Link from "next/link";
import { db } from "@/db/client";
import { listPublishedEvents } from "@/server/events/queries";
import { formatEventRange } from "@/lib/format";

export default async function HomePage() {
  const events = await listPublishedEvents(db());
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">Upcoming events</h1>
        <p className="text-slate-600">Get your tickets. They arrive as a PDF with a QR code for the door.</p>
      </div>
      {events.length === 0 ? (
        <div className="card text-center text-slate-600">
          <p>No events are on sale right now.</p>
          <p className="mt-2 text-sm">
            Running one? <Link className="underline" href="/dashboard">Create an event</Link>.
          </p>
        </div>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2">
          {events.map((event) => (
            <li key={event.id} className="card">
              <Link href={`/events/${event.slug}`} className="text-lg font-semibold text-indigo-700 hover:underline">
                {event.name}
              </Link>
              <p className="text-sm text-slate-600">{formatEventRange(event)}</p>
              <p className="text-sm text-slate-600">{event.venue}</p>
              {event.cancelledAt !== null && <p className="mt-1 text-sm font-medium text-red-700">Cancelled</p>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
