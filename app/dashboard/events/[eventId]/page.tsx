import type { Metadata } from "next";
import { db } from "@/db/client";
import { ticketTypesOf } from "@/server/events/service";
import { AttendeesTable } from "./attendees-table";
import { EventHeader } from "./event-header";
import { loadEventDashboard } from "./load-event";

export const metadata: Metadata = { title: "Attendees", robots: { index: false } };

type Props = { params: Promise<{ eventId: string }> };

/** The event dashboard opens on its attendees. */
export default async function EventAttendeesPage({ params }: Props) {
  const { eventId } = await params;
  const dashboard = await loadEventDashboard(eventId, "attendees");
  const types = (await ticketTypesOf(db(), dashboard.event.id)).map(({ id, name }) => ({ id, name }));
  return (
    <div className="space-y-6">
      <EventHeader dashboard={dashboard} section="attendees" />
      <AttendeesTable eventId={dashboard.event.id} timeZone={dashboard.event.timeZone} ticketTypes={types} canManage={dashboard.may.manage} />
    </div>
  );
}
