import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { timeZoneNames, utcToZonedLocal } from "@/server/events/time";
import { EventHeader } from "../event-header";
import { loadEventDashboard } from "../load-event";
import { EventDetailsForm } from "./event-details-form";

export const metadata: Metadata = { title: "Event settings", robots: { index: false } };

type Props = { params: Promise<{ eventId: string }> };

/** Owner and organizers edit the event's details; staff and registrars have no settings. */
export default async function EventSettingsPage({ params }: Props) {
  const { eventId } = await params;
  const dashboard = await loadEventDashboard(eventId, "settings");
  if (!dashboard.may.manage) forbidden();
  const { event } = dashboard;
  return (
    <div className="space-y-6">
      <EventHeader dashboard={dashboard} section="settings" />
      <EventDetailsForm
        timeZones={timeZoneNames()}
        initial={{
          eventId: event.id,
          name: event.name,
          description: event.description,
          venue: event.venue,
          startsAtLocal: utcToZonedLocal(event.startsAt, event.timeZone),
          endsAtLocal: utcToZonedLocal(event.endsAt, event.timeZone),
          timeZone: event.timeZone,
        }}
      />
    </div>
  );
}
