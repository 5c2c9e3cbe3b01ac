"use client";

import { Pagination } from "./pagination";

type Page = { total: number; page: number; pageSize: number };
type PageQuery<T extends Page> = { isLoading: boolean; isFetching: boolean; error: { message: string } | null; data: T | undefined };

/**
 * A server-paged list's states in one place: loading, error, empty (with the caller's message),
 * or the caller's table followed by pagination.
 */
export function PagedList<T extends Page>(props: {
  query: PageQuery<T>;
  /** Singular, e.g. "attendee": "Loading attendees…", "Showing 1–50 of 1,234 attendees". */
  noun: string;
  empty: React.ReactNode;
  onPage: (page: number) => void;
  children: (data: T) => React.ReactNode;
}) {
  const { query } = props;
  if (query.isLoading) {
    return (
      <p className="text-sm text-slate-600" role="status">
        Loading {props.noun}s…
      </p>
    );
  }
  if (query.error) {
    return (
      <p className="field-error" role="alert">
        {query.error.message}
      </p>
    );
  }
  if (!query.data || query.data.total === 0) return <div className="card text-center text-slate-600">{props.empty}</div>;
  return (
    <>
      {props.children(query.data)}
      <Pagination
        page={query.data.page}
        pageSize={query.data.pageSize}
        total={query.data.total}
        noun={props.noun}
        busy={query.isFetching}
        onPage={props.onPage}
      />
    </>
  );
}
