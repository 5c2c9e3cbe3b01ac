import Link from "next/link";

export default function EventDashboardNotFound() {
  return (
    <div className="card mx-auto max-w-md space-y-3">
      <p className="text-sm text-slate-500">Error 404</p>
      <h1 className="text-2xl font-bold">Event not found</h1>
      <p className="text-slate-600">There is no event at this address.</p>
      <Link className="btn" href="/dashboard">
        My events
      </Link>
    </div>
  );
}
