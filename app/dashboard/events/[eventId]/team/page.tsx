import type { Metadata } from "next";
import { EventHeader } from "../event-header";
import { loadEventDashboard } from "../load-event";
import { TeamPanel } from "./team-panel";

export const metadata: Metadata = { title: "Team", robots: { index: false } };

type Props = { params: Promise<{ eventId: string }> };

export default async function EventTeamPage({ params }: Props) {
  const { eventId } = await params;
  const dashboard = await loadEventDashboard(eventId, "team");
  return (
    <div className="space-y-6">
      <EventHeader dashboard={dashboard} section="team" />
      <TeamPanel eventId={dashboard.event.id} canManageTeam={dashboard.may.manageTeam} currentUserId={dashboard.caller.user.id} />
    </div>
  );
}
