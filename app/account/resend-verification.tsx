"use client";

import { trpc } from "../_components/trpc";

export function ResendVerification() {
  const resend = trpc.auth.resendVerification.useMutation();
  return (
    <div className="pt-2">
      <button type="button" className="btn-secondary" disabled={resend.isPending || resend.isSuccess} onClick={() => resend.mutate()}>
        {resend.isSuccess ? "Link sent" : "Send the confirmation link again"}
      </button>
      {resend.error && <p className="field-error" role="alert">{resend.error.message}</p>}
    </div>
  );
}
