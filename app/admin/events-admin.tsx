"use client";

import { keepPreviousData } from "@tanstack/react-query";
import Link from "next/link";
import { Cell, DataTable } from "@/app/_components/data-table";
import { PagedList } from "@/app/_components/paged-list";
import { trpc } from "@/app/_components/trpc";
import { SearchCard, usePageFor, useSettledSearch } from "@/app/_components/paged-search";

const day = (ms: number, timeZone: string) => new Date(ms).toLocaleDateString("en-GB", { dateStyle: "medium", timeZone });

/** Every event on Admit, each linking to its dashboard (read-only for staff who aren't on its team). */
export function EventsAdmin() {
  const { search, setSearch, settled: settledSearch } = useSettledSearch();
  // The page belongs to one search: a new search starts again at page 1.
  const [page, setPage] = usePageFor(settledSearch ?? "");
  const list = trpc.admin.events.useQuery({ search: settledSearch, page }, { placeholderData: keepPreviousData });

  return (
    <section className="space-y-4" aria-labelledby="events-heading">
      <h2 id="events-heading" className="text-lg font-semibold">
        Events
      </h2>
      <SearchCard label="Search events" id="event-search" placeholder="Event name" value={search} onChange={setSearch} />
      <PagedList
        query={list}
        noun="event"
        onPage={setPage}
        empty={<p>{settledSearch ? "No events match this search." : "No events yet."}</p>}
      >
        {(data) => (
          <DataTable caption="Events" columns={["Event", "Starts", "Sold / capacity", "Checked in"]} busy={list.isFetching}>
            {data.rows.map((event) => (
              <tr key={event.id} data-testid="admin-event-row">
                <Cell>
                  <Link className="font-medium text-indigo-700 hover:underline" href={`/dashboard/events/${event.id}`}>
                    {event.name}
                  </Link>
                  {!event.published && <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">Draft</span>}
                </Cell>
                <Cell label="Starts">{day(event.startsAt, event.timeZone)}</Cell>
                <Cell label="Sold / capacity">
                  {event.sold.toLocaleString("en")} / {event.capacity.toLocaleString("en")}
                </Cell>
                <Cell label="Checked in">{event.checkedIn.toLocaleString("en")}</Cell>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedList>
    </section>
  );
}
