import type { Metadata } from "next";
import { EventHeader } from "../event-header";
import { loadEventDashboard } from "../load-event";
import { OrdersTable } from "./orders-table";

export const metadata: Metadata = { title: "Orders", robots: { index: false } };

type Props = { params: Promise<{ eventId: string }> };

export default async function EventOrdersPage({ params }: Props) {
  const { eventId } = await params;
  const dashboard = await loadEventDashboard(eventId, "orders");
  return (
    <div className="space-y-6">
      <EventHeader dashboard={dashboard} section="orders" />
      <OrdersTable eventId={dashboard.event.id} timeZone={dashboard.event.timeZone} canManage={dashboard.may.manage} />
    </div>
  );
}
