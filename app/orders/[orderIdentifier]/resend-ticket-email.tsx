"use client";

import { trpc } from "@/app/_components/trpc";
import { useHydrated } from "@/app/_components/use-hydrated";

/** "Send the email again": the buyer for any ticket, a holder for their own (rate limited). */
export function ResendTicketEmail({ orderIdentifier, attendeeIdentifier, name }: { orderIdentifier: string; attendeeIdentifier: string; name: string }) {
  const hydrated = useHydrated();
  const resend = trpc.orders.resendTicketEmail.useMutation();
  return (
    <div className="space-y-1">
      <button
        type="button"
        className="text-sm font-medium text-indigo-700 underline disabled:text-slate-600 disabled:no-underline"
        disabled={!hydrated || resend.isPending || resend.isSuccess}
        onClick={() => resend.mutate({ orderIdentifier, attendeeIdentifier })}
      >
        {resend.isSuccess ? "Email sent" : resend.isPending ? "Sending…" : "Send the ticket email again"}
        <span className="sr-only"> to {name}</span>
      </button>
      {resend.isSuccess && (
        <p className="text-sm text-slate-600" role="status">
          Sent to {resend.data.sentTo}, with a new link.
        </p>
      )}
      {resend.error && (
        <p className="field-error" role="alert">
          {resend.error.message}
        </p>
      )}
    </div>
  );
}
