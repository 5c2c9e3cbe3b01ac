"use client";

import { useState } from "react";
import { CheckInbox } from "@/app/_components/check-inbox";
import { FormError, TextField, useFocusFirstError } from "@/app/_components/form-field";
import { fieldErrors, trpc } from "@/app/_components/trpc";
import { useHydrated } from "@/app/_components/use-hydrated";

/**
 * "Email me a sign-in link", which is also "Forgot password?": the answer is the same whether or
 * not the address has an account, so it says only that a link is on its way.
 */
export function EmailMeALink({ returnTo, defaultEmail, autoFocus }: { returnTo?: string; defaultEmail?: string; autoFocus?: boolean }) {
  const hydrated = useHydrated();
  const request = trpc.auth.requestSignInLink.useMutation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const errors = fieldErrors(request.error);
  const formRef = useFocusFirstError(request.error);
  if (sentTo) return <CheckInbox to={sentTo}>It signs you in, works once, and lasts 30 minutes.</CheckInbox>;
  return (
    <form
      ref={formRef}
      method="post"
      className="space-y-4"
      noValidate
      aria-label="Email me a sign-in link"
      onSubmit={(event) => {
        event.preventDefault();
        const email = String(new FormData(event.currentTarget).get("link-email") ?? "");
        request.mutate({ email, returnTo }, { onSuccess: () => setSentTo(email.trim()) });
      }}
    >
      <TextField id="link-email" label="Email" type="email" autoComplete="email" defaultValue={defaultEmail} autoFocus={autoFocus} error={errors.email} />
      <FormError>{request.error && !errors.email && request.error.message}</FormError>
      <button className="btn-secondary w-full" type="submit" disabled={!hydrated || request.isPending}>
        {request.isPending ? "Sending…" : "Email me a sign-in link"}
      </button>
    </form>
  );
}
