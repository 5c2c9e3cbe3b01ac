"use client";

import { useHydrated } from "@/app/_components/use-hydrated";
import { fieldErrors, trpc } from "../_components/trpc";

export function ChangePasswordForm() {
  const hydrated = useHydrated();
  const change = trpc.auth.changePassword.useMutation();
  const errors = fieldErrors(change.error);
  return (
    <form method="post"
      className="space-y-4"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        change.mutate({ currentPassword: String(form.get("currentPassword")), newPassword: String(form.get("newPassword")) });
      }}
    >
      <div>
        <label className="label" htmlFor="currentPassword">Current password</label>
        <input className="input" id="currentPassword" name="currentPassword" type="password" autoComplete="current-password" />
        {errors.currentPassword && <p className="field-error" role="alert">{errors.currentPassword}</p>}
      </div>
      <div>
        <label className="label" htmlFor="newPassword">New password (8 to 128 characters)</label>
        <input className="input" id="newPassword" name="newPassword" type="password" autoComplete="new-password" />
        {errors.newPassword && <p className="field-error" role="alert">{errors.newPassword}</p>}
      </div>
      <button className="btn" type="submit" disabled={!hydrated || change.isPending}>
        {change.isPending ? "Saving…" : "Change password"}
      </button>
      {change.isSuccess && (
        <p className="text-sm text-green-700" role="status">
          Password changed. {change.data.revoked} other device(s) were signed out.
        </p>
      )}
    </form>
  );
}
