import Link from "next/link";

export default function OrderNotFound() {
  return (
    <div className="card mx-auto max-w-md space-y-3">
      <p className="text-sm text-slate-500">Error 404</p>
      <h1 className="text-2xl font-bold">Order not found</h1>
      <p className="text-slate-600">There is no order at this address. Check the link in your email.</p>
      <Link className="btn" href="/tickets">
        My tickets
      </Link>
    </div>
  );
}
