"use client";

import { useState } from "react";
import { FormError } from "@/app/_components/form-field";
import { fieldErrors, trpc } from "@/app/_components/trpc";
import { useHydrated } from "@/app/_components/use-hydrated";

/**
 * The button that follows an emailed link: one POST, which signs this browser in, then the page
 * the link points to. If the link was spent meanwhile (another tab), it says so and offers a new one.
 */
export function FollowLink({ token, label }: { token: string; label: string }) {
  const hydrated = useHydrated();
  const follow = trpc.auth.followLink.useMutation({
    // A full navigation, so the header and every server component see the new session.
    onSuccess: ({ to }) => window.location.assign(to),
  });
  const failure = fieldErrors(follow.error).token ?? follow.error?.message;
  return (
    <div className="space-y-3">
      <button type="button" className="btn w-full" disabled={!hydrated || follow.isPending || follow.isSuccess} onClick={() => follow.mutate({ token })}>
        {follow.isPending || follow.isSuccess ? "Signing you in…" : label}
      </button>
      <FormError>{failure}</FormError>
      {follow.error && <RenewLink token={token} />}
    </div>
  );
}

/** "Email me a new link": the same kind of link, to the same address. */
export function RenewLink({ token }: { token: string }) {
  const hydrated = useHydrated();
  const renew = trpc.auth.renewLink.useMutation();
  const [sent, setSent] = useState(false);
  if (sent) {
    return (
      <p role="status" className="rounded-lg border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
        Sent. Check your inbox for the new link (and your spam folder if it isn&apos;t there in a minute).
      </p>
    );
  }
  return (
    <div className="space-y-2">
      <button type="button" className="btn-secondary w-full" disabled={!hydrated || renew.isPending} onClick={() => renew.mutate({ token }, { onSuccess: () => setSent(true) })}>
        {renew.isPending ? "Sending…" : "Email me a new link"}
      </button>
      <FormError>{renew.error?.message}</FormError>
    </div>
  );
}
