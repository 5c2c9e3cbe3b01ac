import Link from "next/link";

/** Shown with status 403 when the signed-in account may not see this order. */
export default function OrderForbidden() {
  return (
    <div className="card mx-auto max-w-md space-y-3">
      <p className="text-sm text-slate-500">Error 403</p>
      <h1 className="text-2xl font-bold">This order belongs to another account</h1>
      <p className="text-slate-600">
        If a ticket in this order was sent to you, sign in with that email address and confirm it; you will then see your own
        ticket here.
      </p>
      <div className="flex gap-3">
        <Link className="btn" href="/tickets">
          My tickets
        </Link>
        <Link className="btn-secondary" href="/account">
          My account
        </Link>
      </div>
    </div>
  );
}
