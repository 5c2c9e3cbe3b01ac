/** A column heading; `{ hidden }` is read by screen readers only (e.g. an actions column). */
export type Column = string | { hidden: string };

/** The dashboard's list tables: one frame, header and busy state; rows are the caller's. */
export function DataTable(props: { caption: string; columns: Column[]; busy: boolean; children: React.ReactNode }) {
  return (
    <div className={`card overflow-x-auto p-0 ${props.busy ? "opacity-70" : ""}`} aria-busy={props.busy}>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{props.caption}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-slate-600">
          <tr>
            {props.columns.map((column) => (
              <th key={typeof column === "string" ? column : column.hidden} scope="col" className="px-4 py-3 font-medium">
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
