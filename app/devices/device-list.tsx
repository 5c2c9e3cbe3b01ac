"use client";

import { trpc } from "../_components/trpc";

// One format everywhere on the page ("14 Mar 2026, 09:30"), in the viewer's own time zone.
const moment = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });
const when = (ms: number) => moment.format(ms);

export function DeviceList() {
  const utils = trpc.useUtils();
  const devices = trpc.devices.list.useQuery();
  const refresh = () => utils.devices.list.invalidate();
  const revoke = trpc.devices.revoke.useMutation({
    onSuccess: (result) => (result.current ? window.location.assign("/signin") : refresh()),
  });
  const revokeOthers = trpc.devices.revokeOthers.useMutation({ onSuccess: refresh });

  if (devices.isLoading) return <p className="text-sm text-slate-600" role="status">Loading devices…</p>;
  if (devices.error) return <p className="field-error" role="alert">{devices.error.message}</p>;
  const list = devices.data ?? [];
  const others = list.filter((d) => !d.current).length;

  return (
    <div className="space-y-4">
      <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white" aria-label="Signed-in devices">
        {list.map((d) => (
          <li key={d.id} className="flex flex-wrap items-center gap-4 p-4" data-testid="device-row">
            <div className="min-w-0 flex-1 space-y-1">
              <p className="flex flex-wrap items-center gap-2">
                <span className="break-words font-medium" title={d.device}>
                  {d.label}
                </span>
                {d.current && <span className="whitespace-nowrap rounded bg-green-100 px-2 py-0.5 text-xs font-semibold text-green-800">This device</span>}
                <span className="whitespace-nowrap rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{d.kind === "api" ? "API client" : "Browser"}</span>
              </p>
              <p className="text-sm text-slate-600">
                IP {d.ip} · signed in {when(d.createdAt)} · last used {when(d.lastUsedAt)}
                {d.kind === "api" && <> · scopes: {d.scopes.join(", ")}</>}
              </p>
            </div>
            <button
              type="button"
              className="btn-danger"
              disabled={revoke.isPending}
              onClick={() => revoke.mutate({ id: d.id })}
              aria-label={d.current ? "Sign out this device" : `Revoke ${d.label}`}
            >
              {d.current ? "Sign out" : "Revoke"}
            </button>
          </li>
        ))}
      </ul>
      {revoke.error && <p className="field-error" role="alert">{revoke.error.message}</p>}
      <div className="flex items-center gap-3">
        <button type="button" className="btn-secondary" disabled={others === 0 || revokeOthers.isPending} onClick={() => revokeOthers.mutate()}>
          Sign out everywhere else
        </button>
        {revokeOthers.isSuccess && (
          <span className="text-sm text-slate-600" role="status">
            Signed out {revokeOthers.data.revoked} other device(s).
          </span>
        )}
        {others === 0 && <span className="text-sm text-slate-600">No other devices are signed in.</span>}
      </div>
    </div>
  );
}
