"use client";

import { ActionsCell, Cell, DataTable } from "@/app/_components/data-table";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { DoneMessage } from "@/app/_components/done-message";
import { PagedList } from "@/app/_components/paged-list";
import { trpc, type RouterOutputs } from "@/app/_components/trpc";
import { SearchInput, usePageFor, useSettledSearch } from "@/app/_components/paged-search";
import { formatMomentInZone } from "@/lib/format";
import { useRefreshFigures } from "./live-figures";

type Attendee = RouterOutputs["attendees"]["list"]["rows"][number];
/** A select's "any / yes / no", as the server's optional boolean filters. */
type Either = "" | "true" | "false";
const asBoolean = (value: Either) => (value === "" ? undefined : value === "true");

type Pending = { action: "cancel" | "regenerate"; attendee: Attendee };

export function AttendeesTable(props: { eventId: string; timeZone: string; ticketTypes: Array<{ id: string; name: string }>; canManage: boolean }) {
  const utils = trpc.useUtils();
  const refreshFigures = useRefreshFigures();
  const { search, setSearch, settled: settledSearch } = useSettledSearch();
  const [ticketTypeId, setTicketTypeId] = useState("");
  const [checkedIn, setCheckedIn] = useState<Either>("");
  const [cancelled, setCancelled] = useState<Either>("");

  const filter = {
    search: settledSearch,
    ticketTypeId: ticketTypeId || undefined,
    checkedIn: asBoolean(checkedIn),
    cancelled: asBoolean(cancelled),
  };
  // The page belongs to one set of filters: changing a filter starts again at page 1.
  const [page, setPage] = usePageFor(JSON.stringify(filter));

  const list = trpc.attendees.list.useQuery({ eventId: props.eventId, ...filter, page }, { placeholderData: keepPreviousData });
  const filtered = Boolean(filter.search || filter.ticketTypeId || filter.checkedIn !== undefined || filter.cancelled !== undefined);

  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState("");
  const afterChange = (message: string) => {
    setPending(null);
    setDone(message);
    refreshFigures();
    void utils.attendees.list.invalidate();
    void utils.attendees.auditLog.invalidate();
  };
  const cancel = trpc.attendees.cancel.useMutation({ onSuccess: (_, input) => afterChange(`${nameOf(input.attendeeId)}'s ticket is cancelled.`) });
  const regenerate = trpc.attendees.regenerateSecret.useMutation({
    onSuccess: (_, input) => afterChange(`${nameOf(input.attendeeId)} has a new QR code; the old one no longer gets in.`),
  });
  const mutation = pending?.action === "cancel" ? cancel : regenerate;
  function nameOf(attendeeId: string) {
    return list.data?.rows.find((row) => row.id === attendeeId)?.name ?? "The attendee";
  }
  function ask(action: Pending["action"], attendee: Attendee) {
    cancel.reset();
    regenerate.reset();
    setDone("");
    setPending({ action, attendee });
  }

  const exportQuery = new URLSearchParams(Object.entries(filter).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])));
  const exportHref = `/api/events/${encodeURIComponent(props.eventId)}/attendees.csv${exportQuery.size ? `?${exportQuery}` : ""}`;

  return (
    <section className="space-y-4" aria-labelledby="attendees-heading">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="attendees-heading" className="text-lg font-semibold">
          Attendees
        </h2>
        <a className="btn-secondary" href={exportHref} download>
          Export CSV
        </a>
      </div>

      <div className="card grid gap-4 p-4 sm:grid-cols-2 lg:grid-cols-4" role="search" aria-label="Filter attendees">
        <div className="sm:col-span-2 lg:col-span-1">
          <SearchInput id="attendee-search" placeholder="Name, email or order" value={search} onChange={setSearch} />
        </div>
        <div>
          <label className="label" htmlFor="attendee-type">
            Ticket type
          </label>
          <select id="attendee-type" className="input" value={ticketTypeId} onChange={(e) => setTicketTypeId(e.target.value)}>
            <option value="">All ticket types</option>
            {props.ticketTypes.map((type) => (
              <option key={type.id} value={type.id}>
                {type.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label className="label" htmlFor="attendee-checked-in">
            Checked in
          </label>
          <select id="attendee-checked-in" className="input" value={checkedIn} onChange={(e) => setCheckedIn(e.target.value as Either)}>
            <option value="">Everyone</option>
            <option value="true">Checked in</option>
            <option value="false">Not checked in</option>
          </select>
        </div>
        <div>
          <label className="label" htmlFor="attendee-cancelled">
            Tickets
          </label>
          <select id="attendee-cancelled" className="input" value={cancelled} onChange={(e) => setCancelled(e.target.value as Either)}>
            <option value="">Valid and cancelled</option>
            <option value="false">Valid only</option>
            <option value="true">Cancelled only</option>
          </select>
        </div>
      </div>

      <DoneMessage message={done} />

      <PagedList
        query={list}
        noun="attendee"
        onPage={setPage}
        empty={
          <>
            {filtered ? (
              <>
                <p>No attendees match these filters.</p>
                <button
                  type="button"
                  className="btn-secondary mt-3"
                  onClick={() => {
                    setSearch("");
                    setTicketTypeId("");
                    setCheckedIn("");
                    setCancelled("");
                  }}
                >
                  Clear filters
                </button>
              </>
            ) : (
              <p>No attendees yet. Everyone who gets a ticket shows up here.</p>
            )}
          </>
        }
      >
        {(data) => (
          <DataTable caption="Attendees" columns={["Attendee", "Ticket", "Status", { hidden: "Links and actions" }]} busy={list.isFetching}>
            {data.rows.map((attendee) => (
              <tr key={attendee.id} data-testid="attendee-row">
                <Cell>
                  <p className="font-medium">{attendee.name}</p>
                  <p className="text-slate-600">{attendee.email}</p>
                </Cell>
                <Cell label="Ticket">{attendee.ticketType}</Cell>
                <Cell label="Status">
                  <AttendeeStatus attendee={attendee} timeZone={props.timeZone} />
                </Cell>
                <ActionsCell>
                  <a className="btn-secondary px-3 py-1" href={`/orders/${encodeURIComponent(attendee.orderId)}`} aria-label={`Order of ${attendee.name}`}>
                    Order
                  </a>
                  {attendee.status === "valid" && (
                    <a
                      className="btn-secondary px-3 py-1"
                      href={`/tickets/${encodeURIComponent(attendee.orderId)}/${encodeURIComponent(attendee.id)}`}
                      aria-label={`Ticket PDF of ${attendee.name}`}
                    >
                      PDF
                    </a>
                  )}
                  {props.canManage && attendee.status === "valid" && (
                    <>
                      <button type="button" className="btn-secondary px-3 py-1" onClick={() => ask("regenerate", attendee)} aria-label={`New QR code for ${attendee.name}`}>
                        New QR
                      </button>
                      <button type="button" className="btn-danger" onClick={() => ask("cancel", attendee)} aria-label={`Cancel the ticket of ${attendee.name}`}>
                        Cancel
                      </button>
                    </>
                  )}
                </ActionsCell>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedList>

      <ConfirmDialog
        open={pending !== null}
        title={pending?.action === "cancel" ? `Cancel ${pending.attendee.name}'s ticket?` : `Give ${pending?.attendee.name ?? ""} a new QR code?`}
        confirmLabel={pending?.action === "cancel" ? "Cancel ticket" : "Issue new QR code"}
        pending={mutation.isPending}
        error={mutation.error?.message}
        onClose={() => setPending(null)}
        onConfirm={() => pending && mutation.mutate({ eventId: props.eventId, attendeeId: pending.attendee.id })}
      >
        {pending?.action === "cancel" ? (
          <p>The ticket stops working at the door and its seat goes back on sale. The attendee and the buyer are emailed. This can&apos;t be undone.</p>
        ) : (
          <p>The current QR code and door code stop working at once. The attendee and the buyer are emailed to download the ticket again.</p>
        )}
      </ConfirmDialog>
    </section>
  );
}

function AttendeeStatus({ attendee, timeZone }: { attendee: Attendee; timeZone: string }) {
  if (attendee.status === "cancelled") {
    return (
      <span className="font-medium text-red-700">
        Cancelled{attendee.checkedInAt !== null && <span className="font-normal text-slate-600"> (was checked in)</span>}
      </span>
    );
  }
  if (attendee.checkedInAt !== null) {
    return <span className="font-medium text-green-700">Checked in at {formatMomentInZone(attendee.checkedInAt, timeZone)}</span>;
  }
  return <span className="text-slate-600">Not checked in</span>;
}
