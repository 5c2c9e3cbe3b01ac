"use client";

import { FormError, TextField, useFocusFirstError } from "@/app/_components/form-field";
import { useHydrated } from "@/app/_components/use-hydrated";
import { fieldErrors, trpc } from "../_components/trpc";

export function ChangePasswordForm() {
  const hydrated = useHydrated();
  const change = trpc.auth.changePassword.useMutation();
  const errors = fieldErrors(change.error);
  const formRef = useFocusFirstError(change.error);
  return (
    <form
      ref={formRef}
      method="post"
      className="space-y-4"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        change.mutate({ currentPassword: String(form.get("currentPassword")), newPassword: String(form.get("newPassword")) });
      }}
    >
      <TextField id="currentPassword" label="Current password" type="password" autoComplete="current-password" error={errors.currentPassword} />
      <TextField id="newPassword" label="New password (8 to 128 characters)" type="password" autoComplete="new-password" error={errors.newPassword} />
      <FormError>{change.error && !Object.keys(errors).length && change.error.message}</FormError>
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
