import type { Metadata } from "next";
import { db } from "@/db/client";
import { eventActivity } from "@/server/events/dashboard";
import { ticketTypesOf } from "@/server/events/service";
import { ActivityChart } from "./activity-chart";
import { AttendeesTable } from "./attendees-table";
import { EventHeader } from "./event-header";
import { loadEventDashboard } from "./load-event";

export const metadata: Metadata = { title: "Attendees", robots: { index: false } };

type Props = { params: Promise<{ eventId: string }> };

/** The event dashboard opens on its sales and check-ins over time, then its attendees. */
export default async function EventAttendeesPage({ params }: Props) {
  const { eventId } = await params;
  const dashboard = await loadEventDashboard(eventId, "attendees");
  const [types, activity] = await Promise.all([ticketTypesOf(db(), dashboard.event.id), eventActivity(db(), dashboard.event.id)]);
  return (
    <div className="space-y-6">
      <EventHeader dashboard={dashboard} section="attendees" />
      <ActivityChart points={activity.points} stepMs={activity.stepMs} timeZone={dashboard.event.timeZone} />
      <AttendeesTable eventId={dashboard.event.id} timeZone={dashboard.event.timeZone} ticketTypes={types.map(({ id, name }) => ({ id, name }))} canManage={dashboard.may.manage} />
    </div>
  );
}
