import Link from "next/link";

/** Shown with status 403 to anyone signed in who isn't staff. */
export default function AdminForbidden() {
  return (
    <div className="card mx-auto max-w-md space-y-3">
      <p className="text-sm text-slate-500">Error 403</p>
      <h1 className="text-2xl font-bold">Staff only</h1>
      <p className="text-slate-600">This console is for Admit staff and admins.</p>
      <Link className="btn" href="/">
        Events
      </Link>
    </div>
  );
}
