import type { Metadata } from "next";
import { roleMay } from "@/server/access";
import Link from "next/link";
import { db } from "@/db/client";
import { requirePageCaller } from "@/server/auth/page-session";
import { formatEventRange } from "@/server/events/format";
import { listMyEvents } from "@/server/events/service";
import { eventSectionHref } from "./events/[eventId]/sections";
import { PublishToggle } from "./publish-toggle";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const caller = await requirePageCaller("/dashboard");
  const events = listMyEvents(db(), caller.user.id);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold">Dashboard</h1>
          <p className="text-sm text-slate-600">Events you run or help run.</p>
        </div>
        <Link className="btn" href="/dashboard/events/new">
          Create event
        </Link>
      </div>
      {events.length === 0 ? (
        <div className="card text-center text-slate-600">
          <p>You aren&apos;t running any events yet.</p>
          <p className="mt-2 text-sm">Create one: it stays a draft until you publish it.</p>
        </div>
      ) : (
        <div className="card overflow-x-auto p-0">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">My events</caption>
            <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-3 font-medium">Event</th>
                <th scope="col" className="px-4 py-3 font-medium">Your role</th>
                <th scope="col" className="px-4 py-3 font-medium">Sold</th>
                <th scope="col" className="px-4 py-3 font-medium">Checked in</th>
                <th scope="col" className="px-4 py-3 font-medium">Status</th>
                <th scope="col" className="px-4 py-3 font-medium">
                  <span className="sr-only">Open</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {events.map((event) => (
                <tr key={event.id} data-testid="my-event">
                  <td className="px-4 py-3">
                    <Link href={`/events/${event.slug}`} className="font-medium text-indigo-700 hover:underline">
                      {event.name}
                    </Link>
                    <p className="text-xs text-slate-500">{formatEventRange(event)}</p>
                  </td>
                  <td className="px-4 py-3 capitalize">{event.role}</td>
                  <td className="px-4 py-3 tabular-nums">
                    {event.sold.toLocaleString("en")} / {event.capacity.toLocaleString("en")}
                  </td>
                  <td className="px-4 py-3 tabular-nums">{event.checkedIn.toLocaleString("en")}</td>
                  <td className="px-4 py-3">
                    {event.cancelledAt !== null ? (
                      <span className="font-medium text-red-700">Cancelled</span>
                    ) : !roleMay(event.role, "manage_event") ? (
                      <span>{event.published ? "Published" : "Draft"}</span>
                    ) : (
                      <PublishToggle eventId={event.id} eventName={event.name} published={event.published} />
                    )}
                  </td>
                  <td className="px-4 py-3">
                    {/* Offer only what the role may do: registrars work the door and nothing else. */}
                    <div className="flex justify-end gap-2">
                      {roleMay(event.role, "view_event") && (
                        <Link className="btn-secondary whitespace-nowrap px-3 py-1" href={eventSectionHref(event.id, "attendees")} aria-label={`Manage ${event.name}`}>
                          Manage
                        </Link>
                      )}
                      <Link className="btn-secondary whitespace-nowrap px-3 py-1" href={eventSectionHref(event.id, "checkin")} aria-label={`Check-in for ${event.name}`}>
                        Check-in
                      </Link>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
