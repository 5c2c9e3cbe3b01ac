/** A column heading; `{ hidden }` is read by screen readers only (e.g. an actions column). */
export type Column = string | { hidden: string };

const headingOf = (column: Column) => (typeof column === "string" ? column : column.hidden);

/**
 * The list tables: one frame, header and busy state; rows are the caller's, made of Cells. Below
 * 640 px each row becomes a card of labelled lines (globals.css, .data-table), so no column is
 * pushed off a phone's screen.
 */
export function DataTable(props: { caption: string; columns: Column[]; busy?: boolean; children: React.ReactNode }) {
  return (
    <div className={`card p-0 sm:overflow-x-auto ${props.busy ? "opacity-70" : ""}`} aria-busy={props.busy}>
      <table className="data-table w-full text-left text-sm">
        <caption className="sr-only">{props.caption}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
          <tr>
            {props.columns.map((column) => (
              <th key={headingOf(column)} scope="col" className="px-4 py-3 font-medium">
                {typeof column === "string" ? column : <span className="sr-only">{column.hidden}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{props.children}</tbody>
      </table>
    </div>
  );
}

/**
 * One cell of a DataTable row. `label` (the column's heading) is shown above the value when the
 * row is a card on a phone; cells without one (names, actions) stand on their own there.
 */
export function Cell(props: { label?: string; className?: string; colSpan?: number; children: React.ReactNode }) {
  return (
    <td data-label={props.label} colSpan={props.colSpan} className={`px-4 py-3 ${props.className ?? ""}`}>
      {props.children}
    </td>
  );
}

/** The last cell of a row: its links and buttons, right-aligned in a table, left on a phone. */
export function ActionsCell({ children }: { children: React.ReactNode }) {
  return (
    <Cell>
      <div className="flex flex-wrap gap-2 sm:justify-end">{children}</div>
    </Cell>
  );
}
