import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { db } from "@/db/client";
import { timeZoneNames, utcToZonedLocal } from "@/server/events/time";
import { ticketTypesForSettings } from "@/server/ticket-types/service";
import { EventHeader } from "../event-header";
import { loadEventDashboard } from "../load-event";
import { EventDetailsForm } from "./event-details-form";
import { EventLife } from "./event-life";
import { TicketTypesEditor } from "./ticket-types-editor";

export const metadata: Metadata = { title: "Event settings", robots: { index: false } };

type Props = { params: Promise<{ eventId: string }> };

/** Owner and organizers edit the event's details and ticket types, and end it; staff and registrars have no settings. */
export default async function EventSettingsPage({ params }: Props) {
  const { eventId } = await params;
  const dashboard = await loadEventDashboard(eventId, "settings");
  if (!dashboard.may.manage) forbidden();
  const { event } = dashboard;
  const local = (ms: number | null) => (ms === null ? "" : utcToZonedLocal(ms, event.timeZone));
  const types = ticketTypesForSettings(db(), event.id);
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
      <TicketTypesEditor
        eventId={event.id}
        timeZone={event.timeZone}
        currency={types[0]?.currency ?? "EUR"}
        types={types.map((type) => ({
          id: type.id,
          name: type.name,
          description: type.description,
          priceCents: type.priceCents,
          currency: type.currency,
          quantity: type.quantity,
          sold: type.sold,
          salesStartsAtLocal: local(type.salesStartAt),
          salesEndsAtLocal: local(type.salesEndAt),
          maxPerOrder: type.maxPerOrder,
          hidden: type.hidden,
        }))}
      />
      <EventLife eventId={event.id} eventName={event.name} cancelled={event.cancelledAt !== null} neverPublished={event.firstPublishedAt === null} />
    </div>
  );
}
