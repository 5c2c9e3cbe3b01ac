"use client";

/** "Showing 51–100 of 1,234 attendees" with Previous / Next, for tables paged on the server. */
export function Pagination(props: { page: number; pageSize: number; total: number; noun: string; onPage: (page: number) => void; busy?: boolean }) {
  const { page, pageSize, total } = props;
  const nouns = total === 1 ? props.noun : `${props.noun}s`;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="flex flex-wrap items-center justify-between gap-3 text-sm" aria-label={`Pages of ${props.noun}s`}>
      <p className="text-slate-600" data-testid="pagination-summary">
        {total === 0 ? `No ${nouns}` : `Showing ${first.toLocaleString("en")}–${last.toLocaleString("en")} of ${total.toLocaleString("en")} ${nouns}`}
        {pages > 1 && <span className="text-slate-600"> · page {page.toLocaleString("en")} of {pages.toLocaleString("en")}</span>}
      </p>
      {pages > 1 && (
        <div className="flex gap-2">
          <button type="button" className="btn-secondary px-3 py-1" disabled={page <= 1 || props.busy} onClick={() => props.onPage(page - 1)}>
            Previous
          </button>
          <button type="button" className="btn-secondary px-3 py-1" disabled={page >= pages || props.busy} onClick={() => props.onPage(page + 1)}>
            Next
          </button>
        </div>
      )}
    </nav>
  );
}
