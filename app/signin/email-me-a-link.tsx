"use client";

import { useState } from "react";
import { FormError, TextField, useFocusFirstError } from "@/app/_components/form-field";
import { fieldErrors, trpc } from "@/app/_components/trpc";
import { useHydrated } from "@/app/_components/use-hydrated";

/**
 * "Email me a sign-in link", which is also "Forgot password?": the answer is the same whether or
 * not the address has an account, so it says only that a link is on its way.
 */
export function EmailMeALink({ returnTo, defaultEmail }: { returnTo?: string; defaultEmail?: string }) {
  const hydrated = useHydrated();
  const request = trpc.auth.requestSignInLink.useMutation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const errors = fieldErrors(request.error);
  const formRef = useFocusFirstError(request.error);
  if (sentTo) {
    return (
      <div role="status" className="space-y-2 rounded-lg border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
        <p className="font-semibold">Check your inbox</p>
        <p>
          We sent a sign-in link to <strong className="break-all">{sentTo}</strong>. It works once, for 30 minutes.
        </p>
      </div>
    );
  }
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
      <TextField id="link-email" label="Email" type="email" autoComplete="email" defaultValue={defaultEmail} error={errors.email} />
      <FormError>{request.error && !errors.email && request.error.message}</FormError>
      <button className="btn-secondary w-full" type="submit" disabled={!hydrated || request.isPending}>
        {request.isPending ? "Sending…" : "Email me a sign-in link"}
      </button>
    </form>
  );
}
