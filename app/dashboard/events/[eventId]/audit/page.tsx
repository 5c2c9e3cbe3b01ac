import type { Metadata } from "next";
import { EventHeader } from "../event-header";
import { loadEventDashboard } from "../load-event";
import { AuditLog } from "./audit-log";

export const metadata: Metadata = { title: "Audit log", robots: { index: false } };

type Props = { params: Promise<{ eventId: string }> };

export default async function EventAuditPage({ params }: Props) {
  const { eventId } = await params;
  const dashboard = await loadEventDashboard(eventId, "audit");
  return (
    <div className="space-y-6">
      <EventHeader dashboard={dashboard} section="audit" />
      <AuditLog eventId={dashboard.event.id} timeZone={dashboard.event.timeZone} />
    </div>
  );
}
