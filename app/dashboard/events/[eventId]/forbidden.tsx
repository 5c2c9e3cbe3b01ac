import Link from "next/link";

/** Shown with status 403 to someone signed in who isn't on this event's team. */
export default function EventDashboardForbidden() {
  return (
    <div className="card mx-auto max-w-md space-y-3">
      <p className="text-sm text-slate-500">Error 403</p>
      <h1 className="text-2xl font-bold">You aren&apos;t on this event&apos;s team</h1>
      <p className="text-slate-600">Only the people running this event can open this page. Ask the event&apos;s owner to add you to its team.</p>
      <Link className="btn" href="/dashboard">
        My events
      </Link>
    </div>
  );
}
