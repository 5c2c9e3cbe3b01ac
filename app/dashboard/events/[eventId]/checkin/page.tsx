import type { Metadata } from "next";
import { EventHeader } from "../event-header";
import { loadEventDashboard } from "../load-event";
import { CheckInScreen } from "./checkin-screen";

export const metadata: Metadata = { title: "Check-in", robots: { index: false } };

type Props = { params: Promise<{ eventId: string }> };

/** The door: owners, organizers and registrars. Registrars see this screen and nothing else. */
export default async function EventCheckInPage({ params }: Props) {
  const { eventId } = await params;
  const dashboard = await loadEventDashboard(eventId, "checkin");
  return (
    <div className="space-y-6">
      <EventHeader dashboard={dashboard} section="checkin" />
      <CheckInScreen
        eventId={dashboard.event.id}
        timeZone={dashboard.event.timeZone}
        initialCounts={dashboard.counts}
      />
    </div>
  );
}
