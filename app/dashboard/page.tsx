import type { Metadata } from "next";
import { roleMay } from "@/server/access";
import Link from "next/link";
import { ActionsCell, Cell, DataTable } from "@/app/_components/data-table";
import { db } from "@/db/client";
import { requirePageCaller } from "@/server/auth/page-session";
import { formatEventRange } from "@/lib/format";
import { listMyEvents } from "@/server/events/service";
import { eventSectionHref } from "./events/[eventId]/sections";
import { PublishToggle } from "./publish-toggle";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const caller = await requirePageCaller("/dashboard");
  const events = await listMyEvents(db(), caller.user.id);

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
        <DataTable caption="My events" columns={["Event", "Your role", "Sold", "Checked in", "Status", { hidden: "Open" }]}>
          {events.map((event) => (
            <tr key={event.id} data-testid="my-event">
              <Cell>
                <Link href={`/events/${event.slug}`} className="font-medium text-indigo-700 hover:underline">
                  {event.name}
                </Link>
                <p className="text-xs text-slate-600">{formatEventRange(event)}</p>
              </Cell>
              <Cell label="Your role" className="capitalize">
                {event.role}
              </Cell>
              <Cell label="Sold" className="tabular-nums">
                {event.sold.toLocaleString("en")} / {event.capacity.toLocaleString("en")}
              </Cell>
              <Cell label="Checked in" className="tabular-nums">
                {event.checkedIn.toLocaleString("en")}
              </Cell>
              <Cell label="Status">
                {event.cancelledAt !== null ? (
                  <span className="font-medium text-red-700">Cancelled</span>
                ) : !roleMay(event.role, "manage_event") ? (
                  <span>{event.published ? "Published" : "Draft"}</span>
                ) : (
                  <PublishToggle eventId={event.id} eventName={event.name} published={event.published} />
                )}
              </Cell>
              {/* Offer only what the role may do: registrars work the door and nothing else. */}
              <ActionsCell>
                {roleMay(event.role, "view_event") && (
                  <Link className="btn-secondary whitespace-nowrap px-3 py-1" href={eventSectionHref(event.id, "attendees")} aria-label={`Manage ${event.name}`}>
                    Manage
                  </Link>
                )}
                <Link className="btn-secondary whitespace-nowrap px-3 py-1" href={eventSectionHref(event.id, "checkin")} aria-label={`Check-in for ${event.name}`}>
                  Check-in
                </Link>
              </ActionsCell>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
