"use client";

import { FormError, TextField, useFocusFirstError } from "@/app/_components/form-field";
import { useHydrated } from "@/app/_components/use-hydrated";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fieldErrors, trpc } from "../_components/trpc";

/** Changes the password; for an account without one (it lives on email links), sets the first. */
export function ChangePasswordForm({ hasPassword }: { hasPassword: boolean }) {
  const hydrated = useHydrated();
  const router = useRouter();
  // What the account had when the form was sent: the page shows "change" once a password is set.
  const [firstPassword, setFirstPassword] = useState(false);
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
        const currentPassword = hasPassword ? String(form.get("currentPassword")) : undefined;
        setFirstPassword(!hasPassword);
        change.mutate({ currentPassword, newPassword: String(form.get("newPassword")) }, { onSuccess: () => router.refresh() });
      }}
    >
      {hasPassword && <TextField id="currentPassword" label="Current password" type="password" autoComplete="current-password" error={errors.currentPassword} />}
      <TextField id="newPassword" label="New password (8 to 128 characters)" type="password" autoComplete="new-password" error={errors.newPassword} />
      <FormError>{change.error && !Object.keys(errors).length && change.error.message}</FormError>
      <button className="btn" type="submit" disabled={!hydrated || change.isPending}>
        {change.isPending ? "Saving…" : hasPassword ? "Change password" : "Set password"}
      </button>
      {change.isSuccess && (
        <p className="text-sm text-green-700" role="status">
          {firstPassword ? "Password set." : "Password changed."} {change.data.revoked} other device(s) were signed out.
        </p>
      )}
    </form>
  );
}
