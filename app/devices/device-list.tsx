"use client";

import { trpc } from "../_components/trpc";

const when = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

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
            <div className="min-w-0 flex-1">
              <p className="truncate font-medium" title={d.device}>
                {d.device}
                {d.current && <span className="ml-2 rounded bg-green-100 px-2 py-0.5 text-xs font-semibold text-green-800">This device</span>}
                <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{d.kind === "api" ? "API client" : "Browser"}</span>
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
              aria-label={d.current ? "Sign out this device" : `Revoke ${d.device}`}
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
