import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCaller } from "@/server/auth/page-session";
import { CURRENCIES } from "@/server/events/schemas";
import { timeZoneNames } from "@/server/events/time";
import { NewEventForm } from "./new-event-form";

export const metadata: Metadata = { title: "Create event" };

export default async function NewEventPage() {
  const caller = await requirePageCaller("/dashboard/events/new");
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <div>
        <p className="text-sm">
          <Link className="text-slate-600 hover:underline" href="/dashboard">
            ← Dashboard
          </Link>
        </p>
        <h1 className="text-2xl font-bold">Create an event</h1>
        <p className="text-sm text-slate-600">You become its owner. Unpublished events are visible only to you and your team.</p>
        {!caller.user.emailVerified && (
          <p className="mt-2 text-sm text-amber-800" role="note">
            Confirm your email address first: open the link we emailed you, or send a new one from your{" "}
            <Link className="underline" href="/account">
              Account
            </Link>{" "}
            page.
          </p>
        )}
      </div>
      <div className="card">
        <NewEventForm timeZones={timeZoneNames()} currencies={[...CURRENCIES]} />
      </div>
    </div>
  );
}
