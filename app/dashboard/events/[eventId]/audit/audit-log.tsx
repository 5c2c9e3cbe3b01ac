"use client";

import { keepPreviousData } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { trpc, type RouterOutputs } from "@/app/_components/trpc";
import { formatMomentInZone } from "@/lib/format";

type Entry = RouterOutputs["attendees"]["auditLog"]["entries"][number];

export function AuditLog(props: { eventId: string; timeZone: string }) {
  const [page, setPage] = useState(1);
  const log = trpc.attendees.auditLog.useQuery({ eventId: props.eventId, page }, { placeholderData: keepPreviousData });

  return (
    <section className="space-y-4" aria-labelledby="audit-heading">
      <div>
        <h2 id="audit-heading" className="text-lg font-semibold">
          Audit log
        </h2>
        <p className="text-sm text-slate-600">Check-ins and their undoing, ticket downloads, cancellations, new codes, ticket type and team changes, newest first. Times are the event&apos;s local time.</p>
      </div>
      {log.isLoading ? (
        <p className="text-sm text-slate-600" role="status">
          Loading the audit log…
        </p>
      ) : log.error ? (
        <p className="field-error" role="alert">
          {log.error.message}
        </p>
      ) : !log.data || log.data.entries.length === 0 ? (
        <div className="card text-center text-slate-600">
          <p>{page === 1 ? "Nothing has happened yet." : "No older entries."}</p>
        </div>
      ) : (
        <>
          <ol className={`divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white ${log.isFetching ? "opacity-70" : ""}`} aria-busy={log.isFetching}>
            {log.data.entries.map((entry, index) => (
              <li key={`${entry.at}-${index}`} className="px-4 py-3 text-sm" data-testid="audit-entry">
                <AuditLine entry={entry} />
                <span className="text-slate-600">
                  {" · "}
                  <time dateTime={new Date(entry.at).toISOString()}>{formatMomentInZone(entry.at, props.timeZone)}</time>
                </span>
              </li>
            ))}
          </ol>
          <nav className="flex justify-between" aria-label="Audit log pages">
            <button type="button" className="btn-secondary px-3 py-1" disabled={page <= 1 || log.isFetching} onClick={() => setPage(page - 1)}>
              Newer
            </button>
            <span className="self-center text-sm text-slate-600">Page {page}</span>
            <button type="button" className="btn-secondary px-3 py-1" disabled={!log.data.hasMore || log.isFetching} onClick={() => setPage(page + 1)}>
              Older
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

const text = (value: unknown) => (typeof value === "string" ? value : "");
const count = (n: unknown, noun: string) => {
  const value = typeof n === "number" ? n : 0;
  return `${value} ${noun}${value === 1 ? "" : "s"}`;
};

function OrderLink({ id }: { id: unknown }) {
  if (typeof id !== "string" || !id) return <>an order</>;
  return (
    <>
      order{" "}
      <Link className="font-mono text-xs text-indigo-700 underline" href={`/orders/${encodeURIComponent(id)}`} title={id}>
        {id.slice(0, 8)}…
      </Link>
    </>
  );
}

/** One entry as a sentence: "Reggie checked in Bob", "Olivia downloaded 2 tickets of order …". */
function AuditLine({ entry }: { entry: Entry }) {
  const actor = <strong className="font-medium">{entry.actorName ?? "Someone"}</strong>;
  const d = entry.detail;
  if (entry.kind === "checkin") {
    const who = text(d.attendeeName) || "a ticket";
    switch (entry.action) {
      case "checked_in":
        return <>{actor} checked in {who}</>;
      case "already_checked_in":
        return <>{actor} scanned {who} again: already checked in</>;
      case "cancelled":
        return <>{actor} scanned {who}: ticket cancelled, refused</>;
      case "wrong_event":
        return <>{actor} scanned a ticket for another event: refused</>;
      case "event_cancelled":
        return <>{actor} scanned {who}: event cancelled, refused</>;
      default:
        return <>{actor} scanned an unknown code: refused</>;
    }
  }
  if (entry.kind === "download") {
    const tickets = Array.isArray(d.attendeeIds) ? d.attendeeIds.length : 0;
    return (
      <>
        {actor} downloaded {count(tickets, "ticket")} of <OrderLink id={d.orderId} />
        {text(d.as) && <span className="text-slate-600"> (as {text(d.as)})</span>}
      </>
    );
  }
  const name = text(d.name) || "someone";
  switch (entry.action) {
    case "ticket_cancelled":
      return <>{actor} cancelled {name}&apos;s ticket</>;
    case "order_cancelled":
      return <>{actor} cancelled <OrderLink id={d.orderId} /> ({count(d.tickets, "ticket")})</>;
    case "ticket_secret_regenerated":
      return <>{actor} issued a new QR code for {name}</>;
    case "order_secrets_regenerated":
      return <>{actor} issued new QR codes for <OrderLink id={d.orderId} /> ({count(d.tickets, "ticket")})</>;
    case "order_marked_paid":
      return <>{actor} marked <OrderLink id={d.orderId} /> as paid</>;
    case "order_marked_unpaid":
      return <>{actor} marked <OrderLink id={d.orderId} /> as unpaid</>;
    case "team_member_added":
      return <>{actor} added {name} to the team as {text(d.role)}</>;
    case "team_invitation_sent":
      return <>{actor} invited {text(d.email)} to the team as {text(d.role)}</>;
    case "team_invitation_withdrawn":
      return <>{actor} withdrew the invitation to {text(d.email)}</>;
    case "team_invitation_accepted":
      return <><strong className="font-medium">{name}</strong> accepted the invitation and joined the team as {text(d.role)}</>;
    case "team_role_changed":
      return <>{actor} changed {name}&apos;s role from {text(d.previousRole)} to {text(d.role)}</>;
    case "team_member_removed":
      return <>{actor} removed {name} ({text(d.role)}) from the team</>;
    case "event_updated": {
      const changed = Array.isArray(d.changed) ? d.changed.map(String) : [];
      return <>{actor} edited the event{changed.length > 0 && <span className="text-slate-600"> ({changed.join(", ")})</span>}</>;
    }
    case "checkin_undone":
      return (
        <>
          {actor} undid {name}&apos;s check-in<span className="text-slate-600">: “{text(d.reason)}”</span>
        </>
      );
    case "ticket_type_created":
      return <>{actor} added the ticket type “{name}”</>;
    case "ticket_type_updated": {
      const changed = Array.isArray(d.changed) ? d.changed.map(String) : [];
      return <>{actor} edited the ticket type “{name}”{changed.length > 0 && <span className="text-slate-600"> ({changed.join(", ")})</span>}</>;
    }
    case "ticket_type_deleted":
      return <>{actor} deleted the ticket type “{name}”</>;
    case "ticket_type_hidden":
      return <>{actor} hid the ticket type “{name}”</>;
    case "event_published":
      return <>{actor} published the event</>;
    case "event_unpublished":
      return <>{actor} unpublished the event</>;
    case "event_cancelled":
      return <>{actor} cancelled the event{text(d.reason) && <span className="text-slate-600">: “{text(d.reason)}”</span>}</>;
    case "order_emails_resent":
      return <>{actor} resent the emails of <OrderLink id={d.orderId} /></>;
    case "attendees_exported":
      return <>{actor} exported the attendee list as CSV</>;
    case "staff_ticket_download":
      return (
        <>
          {actor} opened tickets of <OrderLink id={d.orderId} /> with staff access
        </>
      );
    default:
      return (
        <>
          {actor}: {entry.action.replaceAll("_", " ")}
        </>
      );
  }
}
