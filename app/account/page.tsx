import type { Metadata } from "next";
import { requirePageCaller } from "@/server/auth/page-session";
import { ChangePasswordForm } from "./change-password-form";
import { ResendVerification } from "./resend-verification";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const caller = await requirePageCaller("/account");
  return (
    <div className="mx-auto max-w-lg space-y-6">
      <h1 className="text-2xl font-bold">Your account</h1>
      <section className="card space-y-1">
        <p><span className="text-slate-600">Name:</span> {caller.user.name}</p>
        <p><span className="text-slate-600">Email:</span> {caller.user.email} {caller.user.emailVerified ? <span className="text-green-700">(confirmed)</span> : <span className="text-amber-700">(not confirmed)</span>}</p>
        {!caller.user.emailVerified && <ResendVerification />}
      </section>
      <section className="card">
        <h2 className="mb-4 text-lg font-semibold">Change password</h2>
        <ChangePasswordForm />
      </section>
    </div>
  );
}
