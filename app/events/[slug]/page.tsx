import type { Metadata } from "next";
import Link from "next/link";
import { db } from "@/db/client";
import { pageCaller } from "@/server/auth/page-session";
import { formatEventRange } from "@/lib/format";
import { getVisibleEventBySlug } from "@/server/events/service";
import { loadForPage } from "@/app/_lib/load-for-page";
import { linkWithReturnPath } from "@/lib/return-path";
import { CheckoutForm } from "./checkout-form";

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug } = await params;
  try {
    return { title: (await getVisibleEventBySlug(db(), await pageCaller(), slug)).event.name };
  } catch {
    return { title: "Event" };
  }
}

export default async function EventPage({ params }: Props) {
  const { slug } = await params;
  const caller = await pageCaller();
  const here = `/events/${slug}`;
  const { event, ticketTypes, viewerRole } = (await loadForPage(() => getVisibleEventBySlug(db(), caller, slug), here));
  const soldOut = ticketTypes.length > 0 && ticketTypes.every((type) => type.remaining === 0);

  return (
    <div className="space-y-8">
      {!event.published && event.cancelledAt === null && (
        <p className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-800" role="status">
          This event is a draft: only its team can see this page or buy tickets.{" "}
          {viewerRole && (
            <Link className="underline" href="/dashboard">
              Publish it from the dashboard
            </Link>
          )}
        </p>
      )}
      <header className="space-y-2">
        <h1 className="text-3xl font-bold tracking-tight">{event.name}</h1>
        <p className="text-slate-700">{formatEventRange(event)}</p>
        <p className="text-slate-600">{event.venue}</p>
        {event.description && <p className="whitespace-pre-line pt-2 text-slate-700">{event.description}</p>}
      </header>

      {event.cancelledAt !== null ? (
        <p className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 font-medium text-red-800" role="status">
          This event has been cancelled. Tickets are no longer sold, and existing tickets don&apos;t get anyone in.
        </p>
      ) : (
        <section aria-labelledby="tickets-heading" className="card space-y-6">
          <h2 id="tickets-heading" className="text-xl font-semibold">
            Tickets
          </h2>
          {ticketTypes.length === 0 ? (
            <p className="rounded-lg bg-slate-100 px-4 py-3 text-slate-700" role="status">
              No tickets are on sale.
            </p>
          ) : (
            <>
              {soldOut && (
                <p className="rounded-lg bg-slate-100 px-4 py-3 text-slate-700" role="status">
                  This event is sold out.
                </p>
              )}
              {!caller && !soldOut && (
                <p className="rounded-lg bg-indigo-50 px-4 py-3 text-sm text-indigo-900">
                  Have an account?{" "}
                  <Link className="font-medium underline" href={linkWithReturnPath("/signin", here)}>
                    Sign in
                  </Link>{" "}
                  or{" "}
                  <Link className="font-medium underline" href={linkWithReturnPath("/register", here)}>
                    create one
                  </Link>
                  . Or just fill in your details below.
                </p>
              )}
              <CheckoutForm
                eventId={event.id}
                timeZone={event.timeZone}
                ticketTypes={ticketTypes}
                buyer={caller ? { name: caller.user.name, email: caller.user.email } : null}
              />
            </>
          )}
        </section>
      )}
    </div>
  );
}
