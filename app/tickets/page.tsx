import type { Metadata } from "next";
import Link from "next/link";
import { db } from "@/db/client";
import { requirePageCaller } from "@/server/auth/page-session";
import { formatEventRange, formatMoney } from "@/lib/format";
import { listMyOrders } from "@/server/orders/queries";
import { EventLinks } from "@/app/_components/event-links";
import { ShowTicket } from "@/app/_components/show-ticket";

export const metadata: Metadata = { title: "My tickets" };

/** Orders I bought and tickets I hold (matched by my verified email), newest first. */
export default async function MyTicketsPage() {
  const caller = await requirePageCaller("/tickets");
  const entries = await listMyOrders(db(), caller);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">My tickets</h1>
        <p className="text-sm text-slate-600">Orders you placed and tickets other people got for you.</p>
      </div>
      {!caller.user.emailVerified && (
        <p className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-800" role="status">
          Tickets sent to {caller.user.email} show up here once you{" "}
          <Link className="underline" href="/account">
            confirm that address
          </Link>
          .
        </p>
      )}
      {entries.length === 0 ? (
        <div className="card text-center text-slate-600">
          <p>No tickets yet.</p>
          <p className="mt-2 text-sm">
            <Link className="underline" href="/">
              Find an event
            </Link>
          </p>
        </div>
      ) : (
        <ul className="space-y-4">
          {entries.map(({ access, order, event, attendees }) => (
            <li key={order.id} className="card space-y-3" data-testid="my-order">
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div>
                  <h2 className="text-lg font-semibold">
                    <Link href={`/orders/${order.id}`} className="text-indigo-700 hover:underline">
                      {event.name}
                    </Link>
                  </h2>
                  <p className="text-sm text-slate-600">{formatEventRange(event)}</p>
                  <p className="text-sm text-slate-600">{event.venue}</p>
                  <EventLinks slug={event.slug} venue={event.venue} />
                </div>
                <span className="rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700">
                  {access === "buyer" ? "You ordered" : `From ${order.buyerName}`}
                  {order.status === "cancelled" && " · cancelled"}
                  {event.cancelledAt !== null && " · event cancelled"}
                </span>
              </div>
              <ul className="space-y-3 text-sm text-slate-700">
                {attendees.map((attendee) => (
                  <li key={attendee.id} className="space-y-2">
                    <p>
                      {attendee.name} · {attendee.ticketTypeName}
                      {attendee.status === "cancelled" && <span className="text-red-700"> (cancelled)</span>}
                    </p>
                    {attendee.status === "valid" && order.status === "completed" && (
                      <ShowTicket orderIdentifier={order.id} attendeeIdentifier={attendee.id} name={attendee.name} />
                    )}
                  </li>
                ))}
              </ul>
              <div className="flex flex-wrap items-center gap-3">
                <Link className="btn-secondary" href={`/orders/${order.id}`}>
                  View order
                </Link>
                {order.status === "completed" && (
                  <a className="btn-secondary" href={`/tickets/${order.id}`}>
                    {access === "buyer" ? "Download tickets" : attendees.length === 1 ? "Download my ticket" : "Download my tickets"}
                  </a>
                )}
                {order.totalCents !== null && <span className="text-sm text-slate-600">{formatMoney(order.totalCents, order.currency)}</span>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
