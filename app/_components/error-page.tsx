/**
 * The body of an error page (404, 403): what happened, in words, and where to go from here. The
 * root layout still draws the header around it, so the rest of the app is a click away.
 */
export function ErrorPage(props: { status?: 403 | 404; title: string; children: React.ReactNode; actions: React.ReactNode }) {
  return (
    <div className="card mx-auto max-w-md space-y-3">
      {props.status && <p className="text-sm text-slate-600">Error {props.status}</p>}
      <h1 className="text-2xl font-bold">{props.title}</h1>
      <div className="space-y-2 text-slate-600">{props.children}</div>
      <div className="flex flex-wrap gap-3 pt-1">{props.actions}</div>
    </div>
  );
}
