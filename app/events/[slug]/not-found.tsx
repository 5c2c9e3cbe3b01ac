import Link from "next/link";

export default function EventNotFound() {
  return (
    <div className="card mx-auto max-w-md space-y-3 text-center">
      <h1 className="text-2xl font-bold">Event not found</h1>
      <p className="text-slate-600">There is no such event, or it isn&apos;t published yet.</p>
      <Link className="btn" href="/">
        See upcoming events
      </Link>
    </div>
  );
}
