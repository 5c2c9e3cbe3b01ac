"use client";

import Link from "next/link";
import { trpc } from "../_components/trpc";

export function ConfirmEmail({ token }: { token: string }) {
  const verify = trpc.auth.verifyEmail.useMutation();
  if (verify.isSuccess) {
    return (
      <div role="status" className="space-y-3">
        <p className="font-medium text-green-700">Your email is confirmed.</p>
        <p className="text-sm text-slate-600">Tickets sent to this address now show under My tickets.</p>
        <Link className="btn" href="/tickets">
          My tickets
        </Link>
      </div>
    );
  }
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600">Confirm that this email address is yours.</p>
      {verify.error && (
        <p className="field-error" role="alert">
          {verify.error.data?.fields?.token ?? verify.error.message}
        </p>
      )}
      <button className="btn" type="button" disabled={verify.isPending} onClick={() => verify.mutate({ token })}>
        {verify.isPending ? "Confirming…" : "Confirm my email"}
      </button>
    </div>
  );
}
