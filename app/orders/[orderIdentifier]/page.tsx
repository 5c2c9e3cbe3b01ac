import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { db } from "@/db/client";
import { pageCaller } from "@/server/auth/page-session";
import { formatEventRange, formatMoney } from "@/lib/format";
import { getOrderPage } from "@/server/orders/queries";
import { loadForPage } from "@/app/_lib/load-for-page";
import { EventLinks } from "@/app/_components/event-links";
import { ShowTicket, StartDownload } from "@/app/_components/show-ticket";
import { ResendTicketEmail } from "./resend-ticket-email";

export const metadata: Metadata = { title: "Your order", robots: { index: false } };

type Props = { params: Promise<{ orderIdentifier: string }>; searchParams: Promise<{ placed?: string; ticket?: string | string[]; download?: string }> };

/**
 * The order-completion page. Who sees what is decided by requireOrderAccess (via getOrderView):
 * anonymous → sign in and come back; unknown → 404; someone else's → 403; a ticket holder sees
 * only their own attendee rows. Check-in secrets never appear here; they live in the PDFs.
 */
export default async function OrderPage({ params, searchParams }: Props) {
  const { orderIdentifier } = await params;
  const { placed, ticket, download } = await searchParams;
  const here = `/orders/${encodeURIComponent(orderIdentifier)}`;
  const caller = await pageCaller();
  if (!caller) redirect(`/signin?callbackUrl=${encodeURIComponent(here)}`);
  const { access, order, event, attendees, downloads } = await loadForPage(() => getOrderPage(db(), caller, orderIdentifier), here);
  const at = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: event.timeZone, timeZoneName: "short" });
  const whole = access !== "holder";
  const orderPdf = `/tickets/${encodeURIComponent(order.id)}`;
  // An emailed link lands here with the ticket to show and a download to start (app/link).
  const shown = attendees.find((a) => a.id === ticket && a.status === "valid");
  const mayResend = access === "buyer" || access === "holder";

  return (
    <div className="space-y-8">
      {download === "1" && order.status === "completed" && <StartDownload href={shown ? `${orderPdf}/${encodeURIComponent(shown.id)}` : orderPdf} />}
      {placed === "1" && access === "buyer" && (
        <div className="rounded-lg border border-green-200 bg-green-50 px-4 py-3 text-green-900" role="status">
          <p className="font-semibold">Your order is complete.</p>
          <p className="text-sm">We&apos;ve emailed you a link to this page, and each attendee a link to their ticket.</p>
        </div>
      )}

      {event.cancelledAt !== null && (
        <p className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 font-medium text-red-800" role="status">
          This event has been cancelled by its organizer. The tickets below no longer get anyone in.
        </p>
      )}

      <header className="space-y-1">
        <p className="text-sm font-medium uppercase tracking-wide text-slate-600">{whole ? "Order" : "Your ticket"}</p>
        <h1 className="text-3xl font-bold tracking-tight">
          <Link href={`/events/${event.slug}`} className="hover:underline">
            {event.name}
          </Link>
        </h1>
        <p className="text-slate-700">{formatEventRange(event)}</p>
        <p className="text-slate-600">{event.venue}</p>
        <EventLinks slug={event.slug} venue={event.venue} />
      </header>

      <section className="card space-y-4" aria-labelledby="order-heading">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="space-y-1">
            <h2 id="order-heading" className="text-lg font-semibold">
              Order details
            </h2>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-slate-600">Order</dt>
              <dd className="break-all font-mono text-xs leading-5" data-testid="order-identifier">
                {order.id}
              </dd>
              <dt className="text-slate-600">Placed</dt>
              <dd>
                {new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: event.timeZone, timeZoneName: "short" }).format(order.createdAt)}
              </dd>
              <dt className="text-slate-600">{whole ? "Buyer" : "Ordered by"}</dt>
              <dd>
                {order.buyerName}
                {order.buyerEmail && <span className="text-slate-600"> ({order.buyerEmail})</span>}
              </dd>
              {order.totalCents !== null && (
                <>
                  <dt className="text-slate-600">Total</dt>
                  <dd>
                    {formatMoney(order.totalCents, order.currency)}
                    {order.totalCents > 0 && !order.paid && <span className="text-slate-600"> · payment with the organizer</span>}
                  </dd>
                </>
              )}
              <dt className="text-slate-600">Status</dt>
              <dd>{order.status === "completed" ? "Complete" : "Cancelled"}</dd>
            </dl>
          </div>
          {order.status === "completed" && (
            <a className="btn" href={orderPdf}>
              {whole ? "Download tickets" : attendees.length === 1 ? "Download my ticket" : "Download my tickets"}
            </a>
          )}
        </div>
      </section>

      <section className="card space-y-4" aria-labelledby="attendees-heading">
        <h2 id="attendees-heading" className="text-lg font-semibold">
          {whole ? "Attendees" : attendees.length === 1 ? "Your ticket" : "Your tickets"}
        </h2>
        <ul className="divide-y divide-slate-100">
          {attendees.map((attendee) => (
            <li key={attendee.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="attendee">
              <div>
                <p className="font-medium">{attendee.name}</p>
                <p className="text-sm text-slate-600">
                  {attendee.ticketTypeName} · {attendee.email}
                </p>
                {attendee.status === "cancelled" && <p className="text-sm font-medium text-red-700">Cancelled</p>}
                {attendee.checkedInAt !== null && <p className="text-sm text-green-700">Checked in</p>}
              </div>
              {attendee.status === "valid" && (
                <div className="flex w-full flex-col gap-3">
                  <div className="flex flex-wrap items-center gap-3">
                    <a className="btn-secondary" href={`${orderPdf}/${encodeURIComponent(attendee.id)}`}>
                      Download ticket<span className="sr-only"> for {attendee.name}</span>
                    </a>
                    {mayResend && <ResendTicketEmail orderIdentifier={order.id} attendeeIdentifier={attendee.id} name={attendee.name} />}
                  </div>
                  <ShowTicket orderIdentifier={order.id} attendeeIdentifier={attendee.id} name={attendee.name} initiallyOpen={shown?.id === attendee.id} />
                </div>
              )}
            </li>
          ))}
        </ul>
        {!whole && <p className="text-sm text-slate-600">Other tickets in this order belong to other people and aren&apos;t shown.</p>}
      </section>

      <section className="card space-y-3" aria-labelledby="downloads-heading">
        <h2 id="downloads-heading" className="text-lg font-semibold">
          Download history
        </h2>
        {downloads.length === 0 ? (
          <p className="text-sm text-slate-600">{whole ? "Nobody has downloaded these tickets yet." : "You haven't downloaded your ticket yet."}</p>
        ) : (
          <ul className="space-y-1 text-sm text-slate-700" data-testid="download-history">
            {downloads.map((d, i) => (
              <li key={i}>
                {d.attendeeCount === 1 ? "1 ticket" : `${d.attendeeCount} tickets`} {d.format === "qr" ? "shown on screen" : "downloaded"} by {d.byLabel} on {at.format(d.at)}
              </li>
            ))}
          </ul>
        )}
        <p className="text-xs text-slate-600">Every download and every showing is recorded, so you can see if anyone else fetched these tickets.</p>
      </section>

      <p className="text-sm text-slate-600">
        Each ticket is a PDF with a QR code. Keep it to yourself: whoever shows it at the door gets in.{" "}
        <Link className="underline" href="/tickets">
          All my tickets
        </Link>
      </p>
    </div>
  );
}
