"use client";

import { keepPreviousData } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { DataTable } from "@/app/_components/data-table";
import { PagedList } from "@/app/_components/paged-list";
import { trpc } from "@/app/_components/trpc";
import { useDebouncedValue } from "@/app/_components/use-debounced-value";

const day = (ms: number, timeZone: string) => new Date(ms).toLocaleDateString("en-GB", { dateStyle: "medium", timeZone });

/** Every event on Admit, each linking to its dashboard (read-only for staff who aren't on its team). */
export function EventsAdmin() {
  const [search, setSearch] = useState("");
  const settledSearch = useDebouncedValue(search.trim(), 300) || undefined;
  const [paging, setPaging] = useState({ search: settledSearch, page: 1 });
  const page = paging.search === settledSearch ? paging.page : 1;
  const list = trpc.admin.events.useQuery({ search: settledSearch, page }, { placeholderData: keepPreviousData });

  return (
    <section className="space-y-4" aria-labelledby="events-heading">
      <h2 id="events-heading" className="text-lg font-semibold">
        Events
      </h2>
      <div className="card p-4" role="search" aria-label="Search events">
        <label className="label" htmlFor="event-search">
          Search
        </label>
        <input
          id="event-search"
          className="input max-w-md"
          type="search"
          placeholder="Event name"
          maxLength={200}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <PagedList
        query={list}
        noun="event"
        onPage={(p) => setPaging({ search: settledSearch, page: p })}
        empty={<p>{settledSearch ? "No events match this search." : "No events yet."}</p>}
      >
        {(data) => (
          <DataTable caption="Events" columns={["Event", "Starts", "Sold / capacity", "Checked in"]} busy={list.isFetching}>
            {data.rows.map((event) => (
              <tr key={event.id} data-testid="admin-event-row">
                <td className="px-4 py-3">
                  <Link className="font-medium text-indigo-700 hover:underline" href={`/dashboard/events/${event.id}`}>
                    {event.name}
                  </Link>
                  {!event.published && <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">Draft</span>}
                </td>
                <td className="px-4 py-3">{day(event.startsAt, event.timeZone)}</td>
                <td className="px-4 py-3">
                  {event.sold.toLocaleString("en")} / {event.capacity.toLocaleString("en")}
                </td>
                <td className="px-4 py-3">{event.checkedIn.toLocaleString("en")}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedList>
    </section>
  );
}
